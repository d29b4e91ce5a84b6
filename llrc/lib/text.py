"""Small text helpers with no dependencies."""

import re

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
        kind = "half of a character (an unpaired surrogate)"
    elif code < 0x20:
        kind = "a control character"
    else:
        kind = "a noncharacter"
    return f"holds U+{code:04X}, {kind}, at position {found.start() + 1}"


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
