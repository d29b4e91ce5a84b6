"""Small text helpers: what text may hold and what shows, and its problems said in the reader's language."""

import re
import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# The problems below are told as the end of a sentence that names the value first ("The title …", "the
# zh value …"), in the language active when they are found, all under one context for their translators
# (written out at each call: xgettext, which makemessages runs, reads only a literal context).

# What no text may hold: control characters other than tab, line feed and carriage return, unpaired
# surrogates (JSON can escape one, "\ud800", though it is half a character) and U+FFFE/U+FFFF. XML 1.0
# cannot carry them, PostgreSQL refuses NUL in text, and SQLite cannot be sent a surrogate at all.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def as_text(value: str) -> str:
    """`value` with each character no text may hold (`_NOT_TEXT`) made a space: for what a reader types
    to look something up, where such a character means nothing and must not reach the database."""
    return _NOT_TEXT.sub(" ", value)


def not_text(value: str) -> str | None:
    """Why `value` is not text, if it holds a character that no text may hold (`_NOT_TEXT`)."""
    found = _NOT_TEXT.search(value)
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        kind = _("half of a character (an unpaired surrogate)")
    elif code < 0x20:
        kind = _("a control character")
    else:
        kind = _("a noncharacter")
    return pgettext(
        "a problem of a value, after the words naming the value",
        "holds U+%(code)04X, %(kind)s, at position %(position)d",
    ) % {
        "code": code,
        "kind": kind,
        "position": found.start() + 1,
    }


# Letters that show nothing: the Hangul fillers, which stand for an empty part of a syllable and pass
# for a visible name in some fonts, and the blank Braille pattern. Unicode files them as letters and
# symbols, so the general categories alone would call them visible.
_SHOWS_NOTHING = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_visible(c: str) -> bool:
    """Whether the character `c` shows: a letter, digit, symbol or punctuation, not a filler above."""
    return unicodedata.category(c)[0] in "LNPS" and c not in _SHOWS_NOTHING


def is_blank(value: str) -> bool:
    """Whether `value` shows nothing: only separators, format characters (zero-width space, word joiner,
    BOM, direction controls), control characters, marks on nothing and the fillers above.
    `str.strip()` leaves all but the separators, so "\u200b" passed for a title."""
    return not any(is_visible(c) for c in value)


# Direction controls (Unicode Bidirectional Algorithm, UAX #9): embeddings and overrides, closed by
# U+202C (PDF), and isolates, closed by U+2069 (PDI), which also closes what was opened inside them.
_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")
_ISOLATES = frozenset("\u2066\u2067\u2068")


def unclosed_direction(value: str) -> str | None:
    """Why the direction controls of `value` are not balanced, if they are not.

    Balanced controls are kept: Arabic or Hebrew beside Latin may need them to read in the right
    order, so stripping them would change what a curator wrote. One left open, or a close without its
    opening, reorders the text around the value wherever it is shown without isolation (a citation, an
    export, a harvester's page): "Report \u202egpj.exe" reads "Report exe.jpg". That is refused."""
    opened: list[tuple[str, int]] = []
    for position, c in enumerate(value, start=1):
        if c in _EMBEDDINGS or c in _ISOLATES:
            opened.append((c, position))
        elif c == "\u202c" and opened and opened[-1][0] in _EMBEDDINGS:
            opened.pop()
        elif c == "\u2069" and any(o in _ISOLATES for o, _ in opened):
            while opened.pop()[0] not in _ISOLATES:
                pass
        elif c in "\u202c\u2069":
            return pgettext(
                "a problem of a value, after the words naming the value",
                "closes a change of direction that was not opened (U+%(code)04X at position "
                "%(position)d)",
            ) % {"code": ord(c), "position": position}
    if opened:
        c, position = opened[0]
        return pgettext(
            "a problem of a value, after the words naming the value",
            "opens a change of direction and does not close it (U+%(code)04X at position "
            "%(position)d)",
        ) % {"code": ord(c), "position": position}
    return None


def edit_distance(a: str, b: str, *, limit: int = 3) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap neighbours), capped at `limit`."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) >= limit:
            return limit
        previous2, previous = previous, current
    return min(previous[-1], limit)


def list_separator() -> str:
    """What separates the items of a list in the reader's language: ", " in English, the enumeration
    comma "、" in Chinese. One translation for every list of the interface (filters named in a notice,
    countries and languages on a page), so that translators keep one, not several that mean the same."""
    return pgettext("between the items of a list (countries, languages)", ", ")
