import pytest

from llrc.lib.text import is_blank, unclosed_direction


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "\u200b",  # zero-width space
        "\u202e",  # right-to-left override
        "\ufeff\u2060",  # byte-order mark, word joiner
        "\u3164",  # Hangul filler
        "\u115f\u1160\uffa0",  # the other Hangul fillers
        "\u2800",  # blank Braille pattern
        "\x7f",
        "\x80\x81",
        "\u0301",  # an accent on nothing
        "\u3000\u00a0\u2028",  # ideographic space, no-break space, line separator
    ],
)
def test_a_value_that_shows_nothing_is_blank(value):
    assert is_blank(value)


@pytest.mark.parametrize("value", ["a", " x ", "终", "٢", "-", "€", "\u200bA", "😀", "é"])
def test_a_value_with_a_visible_character_is_not_blank(value):
    assert not is_blank(value)


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "\u202bعربي\u202c and English",  # an embedding closed
        "\u2067עברית\u2069 \u2066x\u2069",  # isolates closed
        "\u2067\u202bx\u2069",  # closing an isolate closes what was opened inside it (UAX #9)
    ],
)
def test_balanced_direction_controls_are_allowed(value):
    assert unclosed_direction(value) is None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("\u202e", "U+202E at position 1"),
        ("Invoice \u202egpj.exe", "U+202E at position 9"),
        ("x\u2066y", "U+2066 at position 2"),
        ("x\u202c", "U+202C at position 2"),
        ("\u2069", "U+2069 at position 1"),
        ("\u202b\u2069\u202c", "U+2069 at position 2"),
    ],
)
def test_unbalanced_direction_controls_are_named(value, words):
    problem = unclosed_direction(value)
    assert problem is not None and words in problem
