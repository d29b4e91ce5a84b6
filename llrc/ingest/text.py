"""Text of attached files, page by page, so search can find words inside files and say on which page.

PDF text comes from pypdfium2 (exact on Chinese, where pypdf and pdfminer garble some CJK fonts);
plain text and HTML are one page each. Nothing here raises for a bad file: the result says what happened.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from llrc.lib.text import as_text

MAX_PAGES = 2000
MAX_CHARS_PER_PAGE = (
    20_000  # a page of dense text is about 5,000 characters; more is noise or a table dump
)
_DOT_LEADERS = re.compile(r"(?:\s?\.){4,}")


@dataclass
class ExtractedText:
    status: str  # ok, empty, encrypted, failed, unsupported
    pages: list[str] = field(default_factory=list)
    message: str = ""


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\x00", "")
    # PDFium marks a word broken across lines with U+FFFE (a soft hyphen): join the word again.
    text = re.sub(r"[\ufffe\u00ad]\n?", "", text)
    # Any other character no text may hold (form feeds between pages of a text file, control codes a
    # PDF's text layer carries) is a space: snippets of the file are shown in pages and the API.
    text = as_text(text)
    text = _DOT_LEADERS.sub(" … ", text)  # tables of contents
    return re.sub(r"[ \t]+", " ", text).strip()[:MAX_CHARS_PER_PAGE]


def _pdf_pages(path: Path) -> ExtractedText:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            return ExtractedText("encrypted", message="the PDF is protected by a password")
        return ExtractedText("failed", message=f"the PDF could not be read: {exc}")
    try:
        pages = []
        for index in range(min(len(document), MAX_PAGES)):
            page = document[index]
            textpage = page.get_textpage()
            pages.append(_clean(textpage.get_text_range()))
            textpage.close()
            page.close()
    finally:
        document.close()
    if not any(pages):
        return ExtractedText("empty", pages, "the PDF has no text layer (a scan?)")
    return ExtractedText("ok", pages)


def extract_pages(path: Path, media_type: str) -> ExtractedText:
    try:
        if media_type == "application/pdf":
            return _pdf_pages(path)
        if media_type in ("text/plain", "text/markdown", "text/csv"):
            return ExtractedText("ok", [_clean(path.read_text(encoding="utf-8", errors="replace"))])
        if media_type == "text/html":
            raw = path.read_text(encoding="utf-8", errors="replace")
            raw = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", raw)
            return ExtractedText("ok", [_clean(html.unescape(re.sub(r"<[^>]+>", " ", raw)))])
    except OSError as exc:
        return ExtractedText("failed", message=str(exc))
    return ExtractedText("unsupported", message=f"no text extraction for {media_type}")
