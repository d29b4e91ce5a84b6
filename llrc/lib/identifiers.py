"""Checks and normal forms for the identifiers a resource can carry.

Each `normalise_*` returns the canonical form or raises ValueError with a sentence a curator can act on,
in the language active when it is raised (the admin's; the API's write calls run in English).
"""

import re
import unicodedata
from datetime import date
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from llrc.lib.text import is_visible

# Digits are [0-9], not \d: Python's \d takes any script's digits (Arabic-Indic ١٢٣٤), which no
# resolver reads. The names after a DOI's, Handle's or ARK's number are opaque, so such digits are
# refused there; ISBNs and ISSNs are only digits, so theirs are written in ASCII, as dates are.
_DOI = re.compile(r"^10\.[0-9]{4,9}/\S+$")
_DOI_PREFIXES = (
    "https://doi.org/",
    "http://doi.org/",
    "https://dx.doi.org/",
    "http://dx.doi.org/",
    "doi:",
)
_HANDLE = re.compile(r"^[0-9]+(\.[0-9]+)*/\S+$")
_ARK = re.compile(r"^ark:/?[0-9]{5,}/\S+$")
# What may part an ISBN's or ISSN's groups: spaces and hyphens, the full-width one of a Chinese
# input method included.
_GROUP_SEPARATORS = re.compile("[ \\-\u2010\u2011\uff0d]")


def _shown(label: str, raw: str, *, separators: bool = False) -> str:
    """`raw` without the spaces around it, refused if it holds a space, a line break, a tab or any
    character that does not show (zero-width space, controls, Hangul filler): an identifier holding
    one resolves nowhere, and urlsplit drops tabs and line breaks before it looks, so a URL with one
    passed. Accents written as combining marks are kept. With `separators`, _GROUP_SEPARATORS are
    allowed."""
    value = raw.strip()
    offset = len(raw) - len(raw.lstrip())
    for position, c in enumerate(value, start=offset + 1):
        if separators and _GROUP_SEPARATORS.match(c):
            continue
        if not is_visible(c) and unicodedata.category(c)[0] != "M":
            raise ValueError(
                _(
                    "%(label)s %(raw)s holds U+%(code)04X, a space or a character that does not "
                    "show, at position %(position)d: remove it"
                )
                % {"label": label, "raw": repr(raw), "code": ord(c), "position": position}
            )
    return value


def _with_other_digits(value: str) -> str:
    """What to add to a malformed identifier's message when it holds digits of another script."""
    if any(c.isdecimal() and not c.isascii() for c in value):
        return _(", its numbers written with the digits 0-9")
    return ""


def _number(label: str, raw: str) -> str:
    """An ISBN or ISSN as its digits (and X), in ASCII whatever script they were typed in."""
    compact = _GROUP_SEPARATORS.sub("", _shown(label, raw, separators=True)).upper()
    compact = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in compact)
    other = next((c for c in compact if c not in "0123456789X"), None)
    if other is not None:
        raise ValueError(
            _("%(label)s %(raw)s: %(other)s is not a digit")
            % {"label": label, "raw": repr(raw), "other": repr(other)}
        )
    return compact


def normalise_isbn(raw: str) -> str:
    digits = _number("ISBN", raw)
    if len(digits) == 10:
        if "X" in digits[:9]:
            raise ValueError(_("an ISBN-10 has nine digits and a final digit or X"))
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        if total % 11:
            raise ValueError(_wrong_check_digit("ISBN", raw))
        return digits
    if len(digits) == 13:
        if "X" in digits:
            raise ValueError(_("an ISBN-13 has thirteen digits"))
        if not digits.startswith(("978", "979")):
            raise ValueError(_("an ISBN-13 starts with 978 or 979"))
        total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(digits))
        if total % 10:
            raise ValueError(_wrong_check_digit("ISBN", raw))
        return digits
    raise ValueError(_("ISBN %(raw)s must have 10 or 13 digits") % {"raw": repr(raw)})


def _wrong_check_digit(label: str, raw: str) -> str:
    return _("%(label)s %(raw)s has a wrong check digit") % {"label": label, "raw": repr(raw)}


def normalise_issn(raw: str) -> str:
    compact = _number("ISSN", raw)
    if not re.fullmatch(r"[0-9]{7}[0-9X]", compact):
        raise ValueError(
            _("ISSN %(raw)s must be 8 characters: seven digits and a digit or X (1234-567X)")
            % {"raw": repr(raw)}
        )
    total = sum((8 - i) * int(c) for i, c in enumerate(compact[:7]))
    check = (11 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if compact[7] != expected:
        raise ValueError(_wrong_check_digit("ISSN", raw))
    return f"{compact[:4]}-{compact[4:]}"


def normalise_doi(raw: str) -> str:
    value = _shown("DOI", raw)
    for prefix in _DOI_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
            break
    if not _DOI.match(value):
        raise ValueError(_malformed("DOI", raw, "10.1234/abc", value))
    return value.lower()


def normalise_url(raw: str) -> str:
    value = _shown("URL", raw)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            _("URL %(raw)s must be an absolute http:// or https:// address") % {"raw": repr(raw)}
        )
    return value


def normalise_handle(raw: str) -> str:
    value = _shown("Handle", raw)
    for prefix in ("https://hdl.handle.net/", "http://hdl.handle.net/", "hdl:"):
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
    if not _HANDLE.match(value):
        raise ValueError(_malformed("Handle", raw, "10568/123", value))
    return value


def normalise_ark(raw: str) -> str:
    value = _shown("ARK", raw)
    if "/ark:" in value:
        value = value[value.index("/ark:") + 1 :]
    if not _ARK.match(value):
        raise ValueError(_malformed("ARK", raw, "ark:/12345/abc", value))
    return value if value.startswith("ark:/") else "ark:/" + value[4:]


def _malformed(label: str, raw: str, example: str, value: str) -> str:
    return _("%(label)s %(raw)s is malformed: it should look like %(example)s%(digits)s") % {
        "label": label,
        "raw": repr(raw),
        "example": example,
        "digits": _with_other_digits(value),
    }


NORMALISERS = {
    "url": normalise_url,
    "doi": normalise_doi,
    "isbn": normalise_isbn,
    "issn": normalise_issn,
    "handle": normalise_handle,
    "ark": normalise_ark,
}


def normalise_identifier(scheme: str, raw: str) -> str:
    try:
        normaliser = NORMALISERS[scheme]
    except KeyError:
        raise ValueError(
            _("unknown identifier scheme %(scheme)s; use one of %(known)s")
            % {"scheme": repr(scheme), "known": ", ".join(NORMALISERS)}
        ) from None
    return normaliser(raw)


_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
# A forthcoming work (an announced report, a planned conference) is dated a few years ahead; a date
# further on is a typing slip (9999), which would head every list sorted newest first and make a year
# of its own in the year filter.
YEARS_AHEAD = 5


def normalise_date(raw: str) -> str:
    """A date as it is stored: digits of any script (full-width ２０１５, Arabic-Indic ٢٠١٥) and a
    full-width hyphen written as ASCII, spaces trimmed. `\\d` took such digits and the date was stored
    as typed, where exports and sorting expect ASCII."""
    text = unicodedata.normalize("NFKC", raw).strip()
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def parse_partial_date(raw: str) -> tuple[int, int | None, int | None]:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD (ISO 8601 reduced precision) and check the date exists and
    is at most YEARS_AHEAD years ahead."""
    match = _PARTIAL_DATE.fullmatch(normalise_date(raw))
    if not match:
        raise ValueError(_("date %(raw)s must be YYYY, YYYY-MM or YYYY-MM-DD") % {"raw": repr(raw)})
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if year < 1000:
        raise ValueError(_("year %(year)d is out of range") % {"year": year})
    if year > date.today().year + YEARS_AHEAD:
        raise ValueError(
            _(
                "year %(year)d is more than %(ahead)d years ahead: give the year the resource came "
                "out, or is planned to"
            )
            % {"year": year, "ahead": YEARS_AHEAD}
        )
    if month is not None and not 1 <= month <= 12:
        raise ValueError(
            _("date %(raw)s does not exist: there is no month %(month)d")
            % {"raw": repr(raw), "month": month}
        )
    if day is not None and month is not None:
        try:
            date(year, month, day)
        except ValueError:
            raise ValueError(_("date %(raw)s does not exist") % {"raw": repr(raw)}) from None
    return year, month, day


def bcp47(code: str) -> str:
    """A language tag of ours as BCP 47 writes it, for HTML's lang and for reference managers: the
    script in title case and the region in capitals (zh-hans is zh-Hans, pt-br is pt-BR); other
    subtags as they are (x-default)."""
    first, *rest = code.split("-")
    return "-".join([first, *map(_cased, rest)])


def _cased(subtag: str) -> str:
    if len(subtag) == 4 and subtag.isalpha():
        return subtag.title()  # a script
    if (len(subtag) == 2 and subtag.isalpha()) or (len(subtag) == 3 and subtag.isdigit()):
        return subtag.upper()  # a region
    return subtag
