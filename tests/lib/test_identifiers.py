import re
from datetime import date

import pytest

from llrc.lib.identifiers import (
    normalise_ark,
    normalise_date,
    normalise_doi,
    normalise_handle,
    normalise_isbn,
    normalise_issn,
    normalise_url,
    parse_partial_date,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("978-92-820-1234-6", None),
        ("9789231001307", "9789231001307"),
        ("0-306-40615-2", "0306406152"),
        ("080442957X", "080442957X"),
    ],
)
def test_isbn_check_digit(raw, expected):
    if expected is None:
        with pytest.raises(ValueError, match="wrong check digit"):
            normalise_isbn(raw)
    else:
        assert normalise_isbn(raw) == expected


def test_isbn_wrong_length_is_refused():
    with pytest.raises(ValueError, match="10 or 13 digits"):
        normalise_isbn("12345")


def test_issn_check_digit():
    assert normalise_issn("00207713") == "0020-7713"
    assert normalise_issn("2434-561x") == "2434-561X"
    with pytest.raises(ValueError, match="wrong check digit"):
        normalise_issn("0020-7714")


def test_doi_forms_are_normalised_and_malformed_refused():
    assert (
        normalise_doi("https://doi.org/10.1007/S11159-019-09800-3") == "10.1007/s11159-019-09800-3"
    )
    assert normalise_doi("doi:10.1234/abc") == "10.1234/abc"
    with pytest.raises(ValueError, match="malformed"):
        normalise_doi("11.1234/abc")
    with pytest.raises(ValueError, match="malformed"):
        normalise_doi("10.12/abc")


def test_url_handle_ark():
    assert normalise_url("https://example.org/a") == "https://example.org/a"
    with pytest.raises(ValueError, match="absolute"):
        normalise_url("ftp://example.org")
    assert normalise_handle("https://hdl.handle.net/10568/123") == "10568/123"
    with pytest.raises(ValueError):
        normalise_handle("not a handle")
    assert normalise_ark("https://n2t.net/ark:/13030/tf5p30086k") == "ark:/13030/tf5p30086k"
    with pytest.raises(ValueError):
        normalise_ark("ark:/1/x")


@pytest.mark.parametrize("raw", ["2015", "2015-02", "2016-02-29"])
def test_partial_dates_that_exist(raw):
    assert parse_partial_date(raw)[0] == int(raw[:4])


@pytest.mark.parametrize(
    ("raw", "stored", "parts"),
    [
        ("２０１５－０３", "2015-03", (2015, 3, None)),  # typed with a Chinese input method
        ("٢٠١٥", "2015", (2015, None, None)),  # Arabic-Indic digits
        (" 2015-03-01 ", "2015-03-01", (2015, 3, 1)),
    ],
)
def test_dates_typed_in_other_digits_are_stored_in_ascii(raw, stored, parts):
    assert normalise_date(raw) == stored
    assert parse_partial_date(raw) == parts


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2015-02-30", "does not exist"),
        ("2015-13", "no month 13"),
        ("2015/01/01", "YYYY"),
        ("2023-02-29", "does not exist"),
    ],
)
def test_dates_that_do_not_exist_are_refused(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_partial_date(raw)


@pytest.mark.parametrize(
    ("normaliser", "raw", "words"),
    [
        # Python's \d and str.isdigit take any script's digits; a DOI, Handle or ARK in them resolves
        # nowhere. Their names are opaque after the prefix, so the digits are refused, not rewritten.
        (normalise_doi, "10.١٢٣٤/x", "digits 0-9"),
        (normalise_handle, "١٠٥٦٨/1", "digits 0-9"),
        (normalise_ark, "ark:/١٢٣٤٥/abc", "digits 0-9"),
        # urlsplit drops tabs and line breaks before it looks, so the URL passed and was stored with them.
        (normalise_url, "https://exa\nmple.org/1", "U+000A"),
        (
            normalise_url,
            "https://example.org/\t1",
            "U+0009, a space or a character that does not show, at position 21",
        ),
        (normalise_url, "https://example.org/a b", "U+0020"),
        (normalise_url, "https://example.org/\u200b", "U+200B"),
        (normalise_doi, "10.1234/\u200b", "U+200B"),
        (normalise_doi, "10.1234/a\u3164", "U+3164"),
        (normalise_handle, "10568/1\u2060", "U+2060"),
        (normalise_ark, "ark:/12345/a\x85b", "U+0085"),
        (normalise_isbn, "978-0306\n406157", "U+000A"),
        (normalise_issn, "0020\u200b7713", "U+200B"),
        # A superscript two is a digit to str.isdigit, and int() then failed on it.
        (normalise_isbn, "978030640615²", "'²' is not a digit"),
        (normalise_isbn, "030640615²", "'²' is not a digit"),
        (normalise_issn, "0020771³", "'³' is not a digit"),
    ],
)
def test_identifiers_with_hidden_characters_or_other_digits_are_refused(normaliser, raw, words):
    with pytest.raises(ValueError, match=re.escape(words)) as info:
        normaliser(raw)
    assert "invalid literal" not in str(info.value)


@pytest.mark.parametrize(
    ("normaliser", "raw", "expected"),
    [
        # Numbers only: digits typed in another script are written in ASCII, as dates are.
        (normalise_isbn, "٩٧٨٠٣٠٦٤٠٦١٥٧", "9780306406157"),
        (normalise_isbn, "９７８－０－３０６－４０６１５－７", "9780306406157"),
        (normalise_isbn, "978 0 306 40615 7", "9780306406157"),
        (normalise_issn, "٠٠٢٠-٧٧١٣", "0020-7713"),
        (normalise_url, " https://例子.中国/路径 ", "https://例子.中国/路径"),
        (normalise_doi, "10.1234/ÉTÉ-٣", "10.1234/été-٣"),
    ],
)
def test_identifiers_typed_in_other_scripts_are_normalised(normaliser, raw, expected):
    assert normaliser(raw) == expected


@pytest.mark.parametrize("raw", ["9999", "9999-12-31", str(date.today().year + 6)])
def test_dates_far_ahead_are_refused(raw):
    # They headed sort=newest and made a year bucket of their own.
    with pytest.raises(ValueError, match="years ahead"):
        parse_partial_date(raw)


def test_forthcoming_works_a_few_years_ahead_are_dated():
    ahead = date.today().year + 5
    assert parse_partial_date(f"{ahead}-12-31") == (ahead, 12, 31)
