"""Text analysis shared by every search backend: the same tokens at index time and at query time.

Chinese has no spaces between words, so runs of Han characters are segmented with rjieba (jieba's
dictionary); search mode at index time also emits the shorter words inside compounds, so a two-character
query (学习) matches a longer indexed word. Other scripts are split on word boundaries and lower-cased.
"""

from __future__ import annotations

import re
import unicodedata

import rjieba

# Han ideographs (CJK Unified, Extension A, Compatibility) form one run; everything else is split by \w+.
_RUN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([^\W_]+)", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Words too common to help ranking in the two interface languages.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "的",
        "了",
        "和",
        "与",
        "及",
        "在",
        "是",
        "对",
        "等",
        "中",
    ]
)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


def tokens_for_index(text: str) -> list[str]:
    out: list[str] = []
    for han, word in _RUN.findall(normalise(text)):
        if han:
            out.extend(t for t in rjieba.cut_for_search(han) if t.strip())
        elif word:
            out.append(word)
    return out


def tokens_for_query(text: str) -> list[str]:
    """Query words: precise segmentation for Chinese, stopwords dropped (unless nothing else is left)."""
    out: list[str] = []
    for han, word in _RUN.findall(normalise(text)):
        if han:
            out.extend(t for t in rjieba.cut(han) if t.strip())
        elif word:
            out.append(word)
    kept = [t for t in out if t not in STOPWORDS]
    return list(dict.fromkeys(kept or out))


def index_text(*parts: str) -> str:
    """Analysed text ready for a whitespace tokenizer."""
    return " ".join(t for part in parts if part for t in tokens_for_index(part))
