"""Text of attached files, page by page, so search can find words inside files and say on which page.

PDF text comes from pypdfium2 (exact on Chinese, where pypdf and pdfminer garble some CJK fonts);
plain text and HTML are one page each. Nothing here raises for a bad file: the result says what happened.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from llrc.lib.text import as_text

MAX_PAGES = 2000
MAX_CHARS_PER_PAGE = (
    20_000  # a page of dense text is about 5,000 characters; more is noise or a table dump
)
logger = logging.getLogger(__name__)
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
    pages: list[str] = []
    unread: list[int] = []
    try:
        for index in range(min(len(document), MAX_PAGES)):
            try:
                page = document[index]
            except pdfium.PdfiumError:
                # A page tree that promises more pages than it holds, or a page PDFium cannot load: the
                # pages around it are still worth finding (a damaged scan of a long report), and the
                # numbers of those after it must stay right for the snippets' "page N".
                pages.append("")
                unread.append(index + 1)
                continue
            try:
                textpage = page.get_textpage()
                pages.append(_clean(textpage.get_text_range()))
                textpage.close()
            except pdfium.PdfiumError:
                pages.append("")
                unread.append(index + 1)
            finally:
                page.close()
    finally:
        document.close()
    if unread and len(unread) == len(pages):
        return ExtractedText("failed", [], "no page of the PDF could be read")
    message = f"{len(unread)} of {len(pages)} pages could not be read" if unread else ""
    if not any(pages):
        return ExtractedText("empty", pages, message or "the PDF has no text layer (a scan?)")
    return ExtractedText("ok", pages, message)


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
    except Exception as exc:
        # A reader library's own error on a malformed file is the file's fault, not the caller's: the
        # file is still stored and served, only not searchable inside (attach_file records the status).
        logger.warning("text of a %s file could not be read", media_type, exc_info=True)
        return ExtractedText("failed", message=f"the file could not be read: {exc}")
    return ExtractedText("unsupported", message=f"no text extraction for {media_type}")
