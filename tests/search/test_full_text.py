"""Words inside attached files are found, with a snippet from the file and its page number."""

from pathlib import Path

import pypdfium2
import pytest

from llrc.catalogue import services
from llrc.ingest.text import extract_pages
from llrc.lib.text import not_text
from llrc.search import services as search

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent.parent / "data" / "pdf"
MANUAL = (
    Path(__file__).resolve().parents[2]
    / "llrc"
    / "demo"
    / "data"
    / "debian-edu"
    / "debian-edu-bullseye-manual-zh-cn.pdf"
)


@pytest.fixture
def attach(make_resource, django_capture_on_commit_callbacks):
    def attach(path: Path, **resource):
        r = make_resource(subjects=[], collections=[], creators=[], **resource)
        with django_capture_on_commit_callbacks(execute=True):
            stored = services.attach_file(
                r, name=path.name, content=path.read_bytes(), language="en", actor=None
            )
        return r, stored

    return attach


def test_word_only_in_the_file_is_found_with_page(attach):
    resource, stored = attach(
        DATA / "multicolumn.pdf", titles={"en": "A sample layout"}, summaries={}
    )
    page = search.search_resources("consectetuer")
    assert [h.resource.pk for h in page.hits] == [resource.pk]
    snippet = page.hits[0].file_snippet
    assert snippet.file_name == "multicolumn.pdf" and snippet.page == 1
    assert "<mark>consectetuer</mark>" in snippet.html.lower()
    assert stored.text_status == "ok" and stored.pages.count() == 3


def test_page_number_is_the_page_holding_the_words(attach):
    resource, _stored = attach(
        MANUAL, titles={"zh-hans": "手册"}, original_language="zh-hans", summaries={}
    )
    document = pypdfium2.PdfDocument(str(MANUAL))
    # A Chinese word that occurs on few pages: the snippet must point at one of them.
    pages_with_word = [
        i + 1
        for i in range(len(document))
        if "瘦客户机" in document[i].get_textpage().get_text_range()
    ]
    assert pages_with_word
    hit = search.search_resources("瘦客户机").hits[0]
    assert hit.resource.pk == resource.pk
    assert hit.file_snippet.page in pages_with_word


def test_encrypted_pdf_is_stored_but_not_read(attach):
    _resource, stored = attach(DATA / "password.pdf", titles={"en": "Locked report"})
    assert stored.text_status == "encrypted" and stored.pages.count() == 0
    assert search.search_resources("locked").total == 1  # the description is still searchable


def test_extraction_reports_instead_of_raising(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a pdf")
    assert extract_pages(broken, "application/pdf").status == "failed"
    assert extract_pages(DATA / "arabic.pdf", "application/pdf").status == "ok"
    assert extract_pages(tmp_path / "missing.pdf", "application/pdf").status == "failed"
    assert extract_pages(broken, "application/zip").status == "unsupported"


def pdf_of(*objects: bytes) -> bytes:
    """A PDF of these numbered objects (1 is the catalogue), with a correct cross-reference table: only
    what the objects say is wrong with it."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


WORDS = b"BT /F1 12 Tf 72 712 Td (harbourmaster) Tj ET"
PAGE_WITH_WORDS = (
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
    b" /Resources << /Font << /F1 5 0 R >> >> >>"
)
CONTENTS = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(WORDS), WORDS)
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def test_a_pdf_with_pages_that_cannot_be_read_is_stored_and_its_other_pages_found(attach, tmp_path):
    """A page tree that promises five pages and holds two, one of them no page at all: PDFium cannot
    load pages 2 to 5. Reading page 2 raised, and the admin answered 500 and left the bytes in the file
    store; now the file is attached and the words of page 1 are found, on page 1."""
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(
        pdf_of(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 5 >>",
            PAGE_WITH_WORDS,
            CONTENTS,
            FONT,
            b"42",
        )
    )
    extracted = extract_pages(damaged, "application/pdf")
    assert extracted.status == "ok" and extracted.pages[0] == "harbourmaster"
    assert "could not be read" in extracted.message
    resource, stored = attach(damaged, titles={"en": "A damaged report"}, summaries={})
    assert stored.text_status == "ok"
    hit = search.search_resources("harbourmaster").hits[0]
    assert hit.resource.pk == resource.pk and hit.file_snippet.page == 1


def test_a_pdf_none_of_whose_pages_can_be_read_is_stored_as_failed(attach, tmp_path):
    unreadable = tmp_path / "unreadable.pdf"
    unreadable.write_bytes(
        pdf_of(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 3 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        )
    )
    _resource, stored = attach(unreadable, titles={"en": "Another damaged report"})
    assert stored.text_status in ("failed", "empty") and stored.pages.count() == 0
    assert stored.size == unreadable.stat().st_size


def test_characters_no_text_may_hold_are_not_kept_from_a_file(tmp_path):
    """A text file's form feeds (page breaks) and other control codes become spaces: snippets of the
    file are shown in pages and in the API, and no text may hold them (`lib.text`)."""
    notes = tmp_path / "notes.txt"
    notes.write_text("adult\x0clearning\x0bcentres\x1b[1m report\x00s\r\nnext line\tend", "utf-8")
    (page,) = extract_pages(notes, "text/plain").pages
    assert page == "adult learning centres [1m reports\nnext line end"
    assert not_text(page) is None


@pytest.mark.parametrize(
    ("text", "term", "marked"),
    [
        ("The ﬁrst LTSP server", "ltsp", "<mark>LTSP</mark>"),
        ("The ﬁrst LTSP server", "first", "<mark>ﬁrst</mark>"),
        ("Schulen in der Straße, LTSP", "strasse", "<mark>Straße</mark>"),
    ],
)
def test_snippets_mark_words_in_text_that_folding_lengthens(text, term, marked):
    """PDF text is full of ligatures (ﬁ, ﬂ), which NFKC makes two letters: a page holding one lost every
    mark, and its snippet showed the start of the page instead of the words."""
    from llrc.search.highlight import snippet

    long_page = "Other words. " * 40 + text + " and more." * 40
    html = snippet(long_page, [term])
    assert marked in html


@pytest.mark.parametrize(
    ("text", "terms", "marked"),
    [
        ("条例规定政府推动终身学习的职责。", ["终身", "学习"], "推动<mark>终身学习</mark>的"),
        ("老年人数字学习", ["老年人", "数字", "学习"], "<mark>老年人数字学习</mark>"),
        (
            "lifelong learning",
            ["lifelong", "learning"],
            "<mark>lifelong</mark> <mark>learning</mark>",
        ),
    ],
)
def test_words_matched_one_after_another_are_one_mark(text, terms, marked):
    """A Chinese word segmented in two was marked as two (<mark>终身</mark><mark>学习</mark>), and the
    marks' padding made a gap inside it (site.css has none at the sides now: test_pages). Words with
    something between them keep a mark each."""
    from llrc.search.highlight import highlight, snippet

    for html in (
        snippet("其他内容。" * 60 + text + "其他内容。" * 60, terms),
        highlight(text, terms),
    ):
        assert marked in html and "</mark><mark>" not in html


def test_a_file_snippet_shows_the_word_on_a_page_with_ligatures(attach):
    english = MANUAL.with_name("debian-edu-bullseye-manual-en.pdf")
    resource, _stored = attach(english, titles={"en": "Manual"}, summaries={})
    page = search.search_resources("LTSP")
    found = page.hits[0].file_snippet
    assert page.hits[0].resource.pk == resource.pk
    assert "<mark>LTSP</mark>" in found.html


@pytest.mark.parametrize(
    ("language", "page_text", "query", "marked"),
    [
        # Found through the fold of the index; the page must be chosen through the same fold.
        (
            "fr",
            "Un programme national d'éducation des adultes en milieu rural.",
            "education",
            "éducation",
        ),
        ("ru", "Программа учёбы взрослых в сельской местности.", "учеба", "учёбы"),
        ("zh-hant", "上海市終身學習網絡的建設與發展。", "终身学习", "終身學習"),
        ("en", "The ﬁrst literacy programme for rural women.", "first", "ﬁrst"),
        # A zero-width space where a line may break (the soft hyphen is taken out as the text is read):
        # the page held "litera" and "cy".
        (
            "en",
            "A national litera\u200bcy programme for rural women.",
            "literacy",
            "litera\u200bcy",
        ),
    ],
)
def test_a_file_snippet_is_found_whatever_the_pages_accents_or_script(
    make_resource, django_capture_on_commit_callbacks, language, page_text, query, marked
):
    """The page shown is chosen by the words as the query folds them (accents, ё, traditional characters,
    ligatures): before, the database compared the page as written, so a page the search had found by
    those words gave no snippet."""
    r = make_resource(titles={"en": "A report"}, summaries={}, subjects=[], collections=[])
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_file(
            r, name="page.txt", content=page_text.encode(), language=language, actor=None
        )
    page = search.search_resources(query)
    assert [h.resource.pk for h in page.hits] == [r.pk]
    found = page.hits[0].file_snippet
    assert found is not None and found.page == 1
    assert f"<mark>{marked}</mark>" in found.html
    # Marked with its language on the page: a screen reader read a Chinese snippet with the English voice.
    assert found.lang == language


def test_the_page_shown_holds_the_words_as_they_are_marked(
    make_resource, django_capture_on_commit_callbacks
):
    """A page is chosen by the words it would mark: the first file holds the letters of "art" only
    inside "articles" (no word the search matched), the second the word itself."""
    r = make_resource(
        titles={"en": "Art in adult learning"}, summaries={}, subjects=[], collections=[]
    )
    with django_capture_on_commit_callbacks(execute=True):
        for name, text in (
            ("articles.txt", "Two articles on evening classes."),
            ("art.txt", "Art classes for older adults."),
        ):
            services.attach_file(r, name=name, content=text.encode(), language="en", actor=None)
    page = search.search_resources("art")
    assert [h.resource.pk for h in page.hits] == [r.pk]
    found = page.hits[0].file_snippet
    assert found is not None and found.file_name == "art.txt", found
    assert "<mark>Art</mark> classes" in found.html
