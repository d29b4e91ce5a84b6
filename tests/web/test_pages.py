"""Server-rendered pages through Django's test client: content, languages, weight, no other hosts."""

import gzip
import html
import re
import socket

import pytest
from django.test import RequestFactory

from llrc.search import services as search_services
from llrc.web.views import server_error

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 100 * 1024  # bytes of HTML and CSS per page, before files a reader asks for


@pytest.fixture
def site(make_resource):
    return {
        "zh": make_resource(
            titles={"zh-hans": "上海市终身教育促进条例"},
            original_language="zh-hans",
            summaries={"zh-hans": "条例规定政府推动终身学习的职责。"},
            plain_summaries={"zh-hans": "上海为市民学习立的法。"},
            countries=["CN"],
            is_demo=True,
        ),
        "en": make_resource(
            titles={"en": "Learning cities in practice"}, countries=["IE"], is_demo=True
        ),
    }


def page_urls(site):
    return [
        "/{lang}/",
        "/{lang}/search?q=lifelong+learning",
        "/{lang}/search?q=终身学习",
        f"/{{lang}}/resources/{site['zh'].pk}/",
        f"/{{lang}}/resources/{site['en'].pk}/",
        "/{lang}/collections/laws/",
        "/{lang}/about/demo",
        "/{lang}/help/search",
    ]


def weight(client, html: bytes) -> int:
    """The page and its stylesheets, each as the site sends it to a browser that takes no gzip."""
    css = 0
    for href in re.findall(r'href="(/static/[^"]+\.css)"', html.decode()):
        response = client.get(href)
        assert response.status_code == 200, href
        css += len(b"".join(response.streaming_content))
    return len(html) + css


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_pages_render_light_and_self_contained(client, site, lang):
    for template in page_urls(site):
        url = template.format(lang=lang)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content
        text = html.decode()
        assert f'<html lang="{"zh-Hans" if lang == "zh-hans" else "en"}"' in text, url
        assert weight(client, html) <= PAGE_BUDGET, (url, weight(client, html))
        # Nothing is loaded from another host: every src and stylesheet is local.
        external = re.findall(r'(?:src|href)="(?:https?:)?//[^"]+"', text)
        loaded = [e for e in external if "stylesheet" in e or e.startswith("src")]
        assert not loaded, (url, loaded)
        assert "<script" not in text, url  # pages work without JavaScript
        assert 'rel="stylesheet"' in text


def test_chinese_interface_is_translated(client, site):
    text = client.get("/zh-hans/").content.decode()
    assert "终身学习资源中心" in text and "最新收录" in text and "本网站展示的是演示数据" in text
    text = client.get("/zh-hans/search?q=终身学习").content.decode()
    assert "检索结果" in text and "筛选结果" in text


def test_search_page_shows_results_and_facets(client, site):
    text = client.get("/zh-hans/search?q=终身学习").content.decode()
    assert "<mark>终身</mark>" in text or "<mark>终身学习</mark>" in text
    assert "国家" in text  # the country facet's heading
    assert 'href="/zh-hans/search?q=%E7%BB%88%E8%BA%AB%E5%AD%A6%E4%B9%A0&amp;country=CN"' in text


def test_facet_link_filters_and_can_be_removed(client, site):
    text = client.get("/en/search?q=learning&country=IE").content.decode()
    assert "<mark>Learning</mark> cities in practice" in text
    assert "上海市终身教育促进条例" not in text
    assert 'class="selected"' in text


def test_a_filter_typed_in_another_case_can_be_removed(client, site):
    # country=ie is country IE; its remove link must drop it, not add IE beside it (which looped).
    for query in ("country=ie", "country=ie&country=IE"):
        text = client.get(f"/en/search?q=learning&{query}").content.decode()
        assert "<mark>Learning</mark> cities in practice" in text
        assert '<a href="/en/search?q=learning" class="selected">' in text


def test_resource_page_shows_metadata_and_citation(client, site):
    text = client.get(f"/en/resources/{site['zh'].pk}/").content.decode()
    assert 'lang="zh-Hans"' in text  # the Chinese title is marked as Chinese on the English page
    assert "How to cite" in text and "Ministry of Education (2015)" in text
    assert "demo data" in text
    assert "Lifelong learning" in text  # subject label


def test_resource_page_links_translations_and_files(
    client, make_resource, django_capture_on_commit_callbacks
):
    from llrc.catalogue import services

    en = make_resource(titles={"en": "School network manual"})
    zh = make_resource(titles={"zh-hans": "校园网络手册"}, original_language="zh-hans")
    services.add_relation(zh, "translation_of", en, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_file(
            en, name="manual.pdf", content=b"%PDF-1.5 " + b"x" * 2048, language="en", actor=None
        )
    text = client.get(f"/en/resources/{en.pk}/").content.decode()
    assert "校园网络手册" in text
    assert "manual.pdf" in text and "PDF, 2.0 KB" in text
    stored = en.files.get()
    response = client.get(f"/files/{stored.pk}/manual.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.5")
    assert client.get(f"/files/{stored.pk}/manual%00.pdf").status_code == 404


def test_missing_pages_give_404_page(client, site):
    for url in ("/en/resources/999999/", "/en/collections/none/", "/zh-hans/nothing-here"):
        response = client.get(url)
        assert response.status_code == 404
        assert (
            "Page not found" in response.content.decode()
            or "找不到该页面" in response.content.decode()
        )


def test_bad_search_parameters_are_answered_with_a_message(client, site, settings, monkeypatch):
    # Past the deepest page served, where there are results there: two resources, a page of one, the
    # window narrowed to one result (10,000 in the product).
    settings.SEARCH_PAGE_SIZE = 1
    monkeypatch.setattr(search_services, "MAX_RESULT_WINDOW", 1)
    response = client.get("/en/search?page=2")
    assert response.status_code == 400
    assert "Only the first 1 results can be shown" in response.content.decode()
    # Past the last result, it is a page past the last, not a search to narrow (page=501 of 45
    # results was told to add words).
    response = client.get("/en/search?page=3")
    assert response.status_code == 200 and "past the last page" in response.content.decode()
    response = client.get("/en/search?q=learning&country=CN%00")
    assert response.status_code == 400
    assert "holds a character that is not text" in response.content.decode()
    assert client.get("/en/search?page=abc").status_code == 200
    # Said, not passed over: page=abc, page=0 and an unknown sort showed the first page in best-match
    # order as if they had been asked for.
    for url, says in [
        ("/en/search?q=learning&page=abc", "“abc” is not a page number; the first page is shown."),
        ("/en/search?q=learning&page=0", "“0” is not a page number"),
        ("/en/search?q=learning&sort=bogus", "“bogus” is not an order results can be sorted in"),
        ("/zh-hans/search?q=learning&page=-1", "“-1”不是页码，显示的是第一页。"),
    ]:
        response = client.get(url)
        assert response.status_code == 200 and says in response.content.decode(), url
    assert "is not a page number" not in client.get("/en/search?q=learning&page=1").content.decode()
    # A query that failed is shown as a search takes it: no control character in the page.
    html = client.get("/en/search?q=learn%00ing%01x&country=CN%00").content.decode()
    assert "\x00" not in html and "\x01" not in html and 'value="learn ing x"' in html


def test_a_request_of_too_many_parameters_says_why(client, site):
    """Django refuses an address of more than 5,000 parameters before a view reads it: its page said
    "Bad Request (400)" and nothing else, in HTML to API clients too."""
    many = "&".join(f"type=t{n}" for n in range(5001))
    for lang, says in [
        ("en", "The address holds more than 5000 parameters"),
        ("zh-hans", "该网址包含的参数超过 5000 个"),
    ]:
        response = client.get(f"/{lang}/search?q=learning&{many}")
        text = response.content.decode()
        assert response.status_code == 400 and says in text, text[:300]
        assert f'<html lang="{"zh-Hans" if lang == "zh-hans" else "en"}"' in text
    response = client.get(f"/api/v1/search?{many}")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert "more than 5000 parameters" in response.json()["detail"]


def test_the_filters_in_use_and_the_page_are_named_at_the_top(client, site):
    """On a phone the filters in use were only shown thousands of pixels down, in the facets, and the
    title and summary were the same on every page and with any filter: a reader heard no change."""
    text = client.get("/en/search?q=learning&type=policy&country=CN").content.decode()
    assert "<title>“learning”: search (Policy or strategy, China) · " in text
    filters = re.search(r'<div class="active-filters">.*?</div>', text, re.S).group(0)
    assert "Filters in use" in filters
    # Each removes itself and keeps the other.
    assert (
        '<a href="/en/search?q=learning&amp;country=CN"><span class="visually-hidden">Remove filter: '
        "</span>Type: Policy or strategy" in filters
    )
    assert (
        '<a href="/en/search?q=learning&amp;type=policy">' in filters
        and "Country: China" in filters
    )
    chinese = client.get("/zh-hans/search?q=learning&type=policy").content.decode()
    assert "类型：政策或战略" in chinese and "已选筛选条件" in chinese
    # No space before the full-width bracket (找到 25 条资源 （检索词…).
    assert re.search(r"条资源（检索词：“learning”）", chinese)
    assert "active-filters" not in client.get("/en/search?q=learning").content.decode()
    # The tick of a selected value is not read out ("check mark"), and the link, which removes the
    # value, is not said to be the current one.
    assert '<span aria-hidden="true">✓ </span>' in text
    assert 'aria-current="true" class="selected"' not in text


def test_a_later_page_says_which_it_is_at_the_top(client, site, settings):
    settings.SEARCH_PAGE_SIZE = 1
    text = client.get("/en/search?q=learning&page=2").content.decode()
    assert "<title>“learning”: search, page 2 of 2 · " in text
    assert re.search(r'<p class="summary" role="status">[^<]*· page 2 of 2', text)
    # The current page's link is named as the others are.
    assert 'aria-current="page" aria-label="Page 2"' in text
    assert "page 1 of" not in client.get("/en/search?q=learning").content.decode()


def test_a_notice_says_it_is_one(client, site):
    text = client.get("/en/search?q=learning+OR+-adult").content.decode()
    assert '<p class="notice"><strong>Note:</strong> A word to leave out' in text
    chinese = client.get("/zh-hans/search?q=learning+OR+-adult").content.decode()
    assert '<p class="notice"><strong>提示：</strong>' in chinese


def test_a_page_past_the_last_says_so_and_links_the_first(client, site):
    text = client.get("/en/search?q=learning&country=IE&page=50").content.decode()
    assert "past the last page" in text and "Nothing matched" not in text
    assert 'href="/en/search?q=learning&amp;country=IE"' in text


def test_server_error_page_needs_nothing_from_the_database():
    response = server_error(RequestFactory().get("/en/"))
    assert response.status_code == 500
    assert "服务器出现错误" in response.content.decode()


def test_root_redirects_to_a_language(client):
    response = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 302 and response["Location"] == "/zh-hans/"


def test_facet_links_match_search_url_and_escape_labels():
    """facet_list_html builds its links without search_url (for speed): they must be the same links."""
    import html
    import re
    from dataclasses import dataclass

    from llrc.web.forms import SearchParams, facet_list_html, search_url

    @dataclass
    class B:
        value: str
        label: str
        count: int
        selected: bool = False
        label_lang: str = ""

    params = SearchParams(
        q='终身 "learning" & <b>',
        sort="newest",
        filters={"type": ["policy"], "country": ["CN", "IE"], "year": ["2015"]},
    )
    buckets = [
        B("CN", "China <PRC>", 12, True),
        B("IE", "Ireland", 3, True),
        B("FR", "France & Co", 1),
        B("a b/c", "odd value", 2),
    ]
    out = facet_list_html("/en/search", params, "country", buckets, "Remove filter:")
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]*)"', out)]
    assert hrefs == [search_url("/en/search", params, toggle=("country", b.value)) for b in buckets]
    assert "China &lt;PRC&gt;" in out and "France &amp; Co" in out and "<PRC>" not in out
    assert out.count('class="selected"') == 2
    assert '<span class="count">12</span>' in out
    # A year inside a selected range takes the range's place, in both ways of making links.
    ranged = SearchParams(q="x", filters={"year": ["2015..2020", "2022", "..2000"]})
    years = [B("2018", "2018", 3), B("2022", "2022", 1, True), B("2010", "2010", 2)]
    out = facet_list_html("/en/search", ranged, "year", years, "Remove filter:")
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]*)"', out)]
    assert hrefs == [search_url("/en/search", ranged, toggle=("year", b.value)) for b in years]
    assert hrefs == [
        "/en/search?q=x&year=2022&year=..2000&year=2018",
        "/en/search?q=x&year=2015..2020&year=..2000",
        "/en/search?q=x&year=2015..2020&year=2022&year=..2000&year=2010",
    ]
    # No other parameters at all: the bare link.
    bare = facet_list_html("/en/search", SearchParams(), "type", [B("x", "X", 1)], "Remove:")
    assert 'href="/en/search?type=x"' in bare


def test_result_links_are_the_resource_pages_in_the_reader_language(client, site):
    from django.urls import reverse
    from django.utils import translation

    for lang in ("en", "zh-hans"):
        text = client.get(f"/{lang}/search?q=终身学习").content.decode()
        with translation.override(lang):
            expected = reverse("web:resource", args=[site["zh"].pk])
        assert expected.startswith(f"/{lang}/")
        assert f'<a href="{expected}">' in text


def test_the_api_reference_is_a_page_of_this_site(client, site):
    """/api/v1/docs describes every endpoint and schema of the OpenAPI document in plain HTML: no script,
    nothing from another host (django-ninja's own page loaded Swagger UI from a CDN, which the CSP
    blocked: it was blank). The footer of every page links it."""
    document = client.get("/api/v1/openapi.json").json()
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    for path, item in document["paths"].items():
        for method in item:
            assert f"{method.upper()} {path}" in text, (method, path)
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in text, name
    assert "<script" not in text
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', text)
    assert "list of ResourceSummary" in text  # the types are said, not dumped
    assert 'href="/api/v1/docs"' in client.get("/en/").content.decode()
    assert client.head("/api/v1/docs").status_code == 200


def test_pages_and_files_answer_head_requests(
    client, site, make_resource, django_capture_on_commit_callbacks
):
    """Link checkers and monitors ask with HEAD; the pages answered 405."""
    from llrc.catalogue import services

    with django_capture_on_commit_callbacks(execute=True):
        stored = services.attach_file(
            site["en"], name="notes.txt", content=b"notes " * 100, language="en", actor=None
        )
    for url in (
        "/en/",
        "/en/search?q=learning",
        f"/en/resources/{site['en'].pk}/",
        "/en/collections/laws/",
        "/en/about/demo",
        f"/files/{stored.pk}/notes.txt",
    ):
        response = client.head(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert not body, url


def test_pages_are_compressed_and_files_are_not(client, site, django_capture_on_commit_callbacks):
    """A reader whose browser accepts gzip gets pages and API answers compressed; a file is sent as it
    is, with its length, so that a phone can show the download's progress and resume it."""
    from llrc.catalogue import services

    page = client.get("/en/search?q=learning", HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.content)
    assert b"<html" in html and len(page.content) < len(html) / 2
    answer = client.get("/api/v1/search?q=learning", HTTP_ACCEPT_ENCODING="gzip")
    assert answer["Content-Encoding"] == "gzip"
    with django_capture_on_commit_callbacks(execute=True):
        stored = services.attach_file(
            site["en"], name="notes.txt", content=b"notes " * 1000, language="en", actor=None
        )
    download = client.get(f"/files/{stored.pk}/notes.txt", HTTP_ACCEPT_ENCODING="gzip")
    assert not download.has_header("Content-Encoding")
    assert download["Content-Length"] == "6000"
    assert client.get("/en/search?q=learning").has_header("Content-Encoding") is False


@pytest.fixture
def attached(site, django_capture_on_commit_callbacks):
    from llrc.catalogue import services

    def attach(name, content, language="en"):
        with django_capture_on_commit_callbacks(execute=True):
            return services.attach_file(
                site["en"], name=name, content=content, language=language, actor=None
            )

    return attach


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_download_resumes_from_where_it_stopped(client, attached):
    """A Range request was answered with the whole file: a download broken on a slow line had to
    start again from the first byte."""
    content = bytes(range(256)) * 40  # 10,240 bytes
    stored = attached("manual.pdf", b"%PDF-1.4\n" + content)
    url, size = f"/files/{stored.pk}/manual.pdf", stored.size
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    everything = body_of(whole)
    for asked, first, last in (
        ("bytes=0-99", 0, 99),
        ("bytes=5000-", 5000, size - 1),
        ("bytes=-10", size - 10, size - 1),
        ("bytes=10000-999999", 10000, size - 1),
    ):
        part = client.get(url, HTTP_RANGE=asked)
        assert part.status_code == 206, asked
        assert part["Content-Range"] == f"bytes {first}-{last}/{size}", asked
        assert part["Content-Length"] == str(last - first + 1), asked
        assert body_of(part) == everything[first : last + 1], asked
    refused = client.get(url, HTTP_RANGE=f"bytes={size}-")
    assert refused.status_code == 416 and refused["Content-Range"] == f"bytes */{size}"
    # Answered whole: several ranges, another unit, nonsense, and a resume of other bytes (If-Range).
    for headers in (
        {"HTTP_RANGE": "bytes=0-1,5-6"},
        {"HTTP_RANGE": "items=0-1"},
        {"HTTP_RANGE": "bytes=x-y"},
        {"HTTP_RANGE": "bytes=1_0-2_0"},
        {"HTTP_RANGE": "bytes=+5-9"},
        {"HTTP_RANGE": "bytes=--5"},
        {"HTTP_RANGE": "bytes=-"},
        {"HTTP_RANGE": "bytes=0-99", "HTTP_IF_RANGE": '"another"'},
    ):
        answer = client.get(url, **headers)
        assert answer.status_code == 200 and body_of(answer) == everything, headers
    resumed = client.get(url, HTTP_RANGE="bytes=0-99", HTTP_IF_RANGE=whole["ETag"])
    assert resumed.status_code == 206


def test_a_file_already_held_is_not_sent_again(client, attached):
    stored = attached("notes.txt", b"notes " * 100)
    url = f"/files/{stored.pk}/notes.txt"
    first = client.get(url)
    assert first["Cache-Control"] == "public, max-age=86400"
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and not body_of(again)
    assert again["ETag"] == first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_file_does_not_vary_by_the_readers_language(client, attached):
    """A shared cache kept a copy of each file for every Accept-Language its readers sent: files were
    answered with Vary: Accept-Language, as pages outside the language prefixes are."""
    stored = attached("manual.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 40)
    url = f"/files/{stored.pk}/manual.pdf"
    for headers in (
        {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"},
        {"HTTP_RANGE": "bytes=0-9"},
        {"HTTP_IF_NONE_MATCH": f'"{stored.sha256}"'},
    ):
        answer = client.get(url, **headers)
        assert answer.status_code in (200, 206, 304), headers
        assert "accept-language" not in answer.get("Vary", "").lower(), (headers, answer["Vary"])
    # A page and a missing file are in the reader's language and still say so.
    missing = client.get(f"/files/{stored.pk}/other.pdf", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert missing.status_code == 404 and "Accept-Language" in missing["Vary"]
    assert "Accept-Language" in client.get("/api/v1/search?q=x")["Vary"]


def test_a_file_revalidated_by_a_gzip_client_keeps_its_strong_etag_and_resumes(client, attached):
    """Files are never compressed, but a 304 to a client taking gzip was given the weak ETag of a
    compressed page: a cache refreshed from it resumed with If-Range: W/"…" and got the whole file."""
    stored = attached("manual.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 40)
    url = f"/files/{stored.pk}/manual.pdf"
    first = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    assert "Accept-Encoding" not in again.get("Vary", "")
    resumed = client.get(
        url, HTTP_ACCEPT_ENCODING="gzip", HTTP_RANGE="bytes=100-", HTTP_IF_RANGE=again["ETag"]
    )
    assert resumed.status_code == 206


def test_a_saved_file_keeps_a_usable_name_and_says_its_language(client, attached):
    """Clients that read only filename= (curl -J, some phones) saved files under a bare hash."""
    plain = attached("report-2024.pdf", b"%PDF-1.4 english", language="en")
    chinese = attached("终身学习 手册（2024年版）.pdf", b"%PDF-1.4 chinese", language="zh-hans")
    answer = client.get(f"/files/{plain.pk}/report-2024.pdf")
    assert answer["Content-Disposition"] == (
        "inline; filename=\"report-2024.pdf\"; filename*=UTF-8''report-2024.pdf"
    )
    assert answer["Content-Language"] == "en"
    answer = client.get(f"/files/{chinese.pk}/{chinese.name}")
    assert f'filename="file-{chinese.pk}.pdf"' in answer["Content-Disposition"]
    assert "filename*=UTF-8''%E7%BB%88%E8%BA%AB" in answer["Content-Disposition"]
    assert answer["Content-Language"] == "zh-hans"


def test_a_file_that_could_run_script_is_offered_to_save_and_cannot_run(client, attached):
    """An uploaded HTML or SVG file was shown inline from the site's own address, where the site's
    policy lets scripts from that address run: a curator's upload could act as the site."""
    for name in ("page.html", "drawing.svg", "code.js"):
        stored = attached(name, b"<script>alert(1)</script>")
        answer = client.get(f"/files/{stored.pk}/{name}")
        assert answer["Content-Disposition"].startswith("attachment;"), name
        assert "sandbox" in answer["Content-Security-Policy"], name
        assert answer["X-Content-Type-Options"] == "nosniff", name
    pdf = attached("report.pdf", b"%PDF-1.4 x")
    answer = client.get(f"/files/{pdf.pk}/report.pdf")
    assert answer["Content-Disposition"].startswith("inline;")
    assert (
        "sandbox" not in answer["Content-Security-Policy"]
    )  # the browser's PDF viewer needs it off


def test_an_address_nothing_answers_does_not_list_the_sites_patterns(client):
    """Django's Resolver404 text lists every URL pattern and the paths of the installed code; the 404
    page showed it."""
    for path in ("/zh-hans/nope", "/en/resources/x/", "/nothing/here"):
        text = client.get(path).content.decode()
        assert "site-packages" not in text and "urlconf" not in text.lower(), path
        assert "admin/" not in text.split("<main")[1].split("</main>")[0], path


def test_a_missing_file_is_said_in_the_reader_language(client, site):
    answer = client.get("/files/999999/none.pdf", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert answer.status_code == 404
    assert "没有这个文件" in answer.content.decode()


def test_a_snippet_from_a_file_is_marked_with_the_files_language(
    client, make_resource, django_capture_on_commit_callbacks
):
    from llrc.catalogue import services

    r = make_resource(titles={"en": "A report"}, summaries={}, subjects=[], collections=[])
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_file(
            r,
            name="page.txt",
            content="上海市终身学习网络的建设。".encode(),
            language="zh-hans",
            actor=None,
        )
    html = client.get("/en/search?q=终身学习").content.decode()
    snippet = html.split('<p class="in-file">')[1].split("</p>")[0]
    assert '<span lang="zh-Hans" dir="auto">' in snippet and "<mark>终身学习</mark>" in snippet


def test_a_filter_typed_in_the_query_is_removed_by_its_link(client, make_resource):
    """ "type:report" in the query showed Report selected, and its link led to the same page with
    type=report added."""
    make_resource(titles={"en": "Literacy report"}, resource_type="report", subjects=[])
    make_resource(titles={"en": "Literacy policy"}, resource_type="policy", subjects=[])
    html = client.get("/en/search?q=literacy+type%3Areport").content.decode()
    facet = html.split('id="facet-type"')[1].split("</section>")[0]
    selected = facet.split('class="selected"')[0].rsplit("<a href=", 1)[1]
    assert selected.startswith('"/en/search?q=literacy"'), selected
    assert "type=report" not in selected
    assert client.get("/en/search?q=literacy").status_code == 200


def test_text_in_a_language_written_right_to_left_takes_its_direction(client, make_resource):
    """An Arabic title and summary on an English page had only lang="ar": the page's left-to-right
    order put the ellipsis and the closing punctuation on the wrong side."""
    resource = make_resource(
        titles={"ar": "التعلم مدى الحياة في المدن العربية"},
        summaries={"ar": "تقرير عن المدن المتعلمة."},
        original_language="ar",
        subjects=[],
    )
    results = client.get("/en/search?q=المدن").content.decode()
    assert (
        '<h3 lang="ar" dir="auto">' in results and 'class="snippet" lang="ar" dir="auto"' in results
    )
    page = client.get(f"/en/resources/{resource.pk}/").content.decode()
    assert '<h1 lang="ar" dir="auto">' in page


def test_a_subject_label_in_another_language_is_marked(client, make_resource):
    """A concept without a label in the reader's language shows its English label, marked lang="en"
    (a screen reader on a Chinese page read it with the Chinese voice); one with a Chinese label is
    not marked."""
    from llrc.vocabularies.models import Concept

    unesco = Concept.objects.filter(scheme="unesco")
    english_only = next(c for c in unesco.iterator() if c.label_in("zh-hans")[1] == "en")
    chinese = next(c for c in unesco.iterator() if c.label_in("zh-hans")[1].startswith("zh"))
    resource = make_resource(subjects=[english_only.code, chinese.code])
    english_label = english_only.label("zh-hans")
    for text in (
        client.get("/zh-hans/search?q=终身学习").content.decode(),
        client.get(f"/zh-hans/resources/{resource.pk}/").content.decode(),
    ):
        assert f'<span lang="en">{english_label}</span>' in text
        assert f">{chinese.label('zh-hans')}<" in text
        assert f'<span lang="en">{chinese.label("zh-hans")}' not in text
    assert '<span lang="en">' not in client.get(f"/en/resources/{resource.pk}/").content.decode()


def test_the_not_found_page_says_why_and_switches_language(client, site):
    text = client.get("/en/resources/999999/").content.decode()
    assert "There is no resource with this number." in text
    text = client.get("/en/no-such-page?x=1").content.decode()
    # it linked back to itself
    assert 'href="/language/zh-hans?next=%2Fzh-hans%2Fno-such-page%3Fx%3D1"' in text


def test_a_collection_page_past_the_last_says_so(client, site):
    text = client.get("/en/collections/laws/?page=50").content.decode()
    assert "past the last page" in text
    assert 'href="/en/collections/laws/"' in text
    response = client.get("/en/collections/laws/?page=999")
    assert response.status_code == 200  # a 404 that gave no reason, then a 400 to narrow it
    assert "past the last page" in response.content.decode()


def test_a_query_of_characters_that_are_not_text_says_so(client, site):
    for url in ("/en/search?q=%00", "/api/v1/search?q=%00%01"):
        text = client.get(url).content.decode()
        assert "Nothing in the query could be searched for" in text, url
        assert "\x00" not in text and "\\u0000" not in text, url


def test_language_versions_are_named_and_not_repeated_as_related(
    client, make_resource, django_capture_on_commit_callbacks
):
    """A resource's other language versions name their language (the Debian Edu manual's two versions
    showed the same title and nothing else) and are not listed again under related resources; a file
    names its language, not its code."""
    from llrc.catalogue import services

    en = make_resource(titles={"en": "School network manual", "zh-hans": "校园网络手册"})
    zh = make_resource(
        titles={"zh-hans": "校园网络手册", "en": "School network manual"},
        original_language="zh-hans",
    )
    services.add_relation(zh, "translation_of", en, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_file(
            en, name="m.pdf", content=b"%PDF-1.5 x", language="zh-hans", actor=None
        )
    text = client.get(f"/en/resources/{en.pk}/").content.decode()
    versions = text.split('id="tr-h"')[1].split("</section>")[0]
    assert 'hreflang="zh-Hans"' in versions and "(Simplified Chinese)" in versions
    related = (
        text.split('id="related-h"')[1].split("</section>")[0] if 'id="related-h"' in text else ""
    )
    assert f"/resources/{zh.pk}/" not in related
    assert 'hreflang="zh-Hans">m.pdf</a>' in text and ", Simplified Chinese</span>" in text


def test_results_and_latest_additions_name_each_resource_language(client, make_resource):
    """Two language versions of one work share their titles: the results list, the home page's latest
    additions and the API name the language each is in, so a reader can tell which one they can read.
    Chinese is named 中文, not pycountry's "中文; 汉语; 华语", which facets and pages showed whole."""
    en = make_resource(
        titles={"en": "Village library handbook", "zh-hans": "乡村图书馆手册"}, languages=["en"]
    )
    zh = make_resource(
        titles={"en": "Village library handbook", "zh-hans": "乡村图书馆手册"},
        original_language="zh-hans",
        languages=["zh"],
    )

    def meta_of(html, pk):
        return html.split(f"/resources/{pk}/")[1].split("</li>")[0]

    for path, names in (("/en/", ("English", "Chinese")), ("/zh-hans/", ("英语", "中文"))):
        for page in (path, f"{path}search?q=village+library+handbook"):
            html = client.get(page).content.decode()
            assert names[0] in meta_of(html, en.pk) and names[1] not in meta_of(html, en.pk), page
            assert names[1] in meta_of(html, zh.pk) and names[0] not in meta_of(html, zh.pk), page
            assert "汉语" not in html, page
    found = client.get("/api/v1/search", {"q": "village library handbook", "lang": "zh-hans"})
    languages = {r["id"]: r["languages"] for r in found.json()["results"]}
    assert languages == {
        en.pk: [{"code": "en", "label": "英语"}],
        zh.pk: [{"code": "zh", "label": "中文"}],
    }


def test_a_collection_page_says_a_filter_names_nothing(client, site):
    text = client.get("/en/collections/laws/?country=zz").content.decode()
    assert "is not a known value" in text


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_search_help_is_linked_and_its_examples_work(client, site, lang, make_resource):
    """Readers get a page on how to search (the query language had no page of its own), linked from
    every page's footer and from the results; each example is a link to its search, which runs without
    a notice that something in it was not understood."""
    # What the examples of translation and spelling are about, in the words of a British text.
    make_resource(
        titles={"en": "Community centres for older people"},
        summaries={"en": "Courses that a local organisation runs."},
        creators=[],
        subjects=[],
        is_demo=True,
    )
    assert f'href="/{lang}/help/search"' in client.get(f"/{lang}/").content.decode()
    results = client.get(f"/{lang}/search?q=learning").content.decode()
    assert f'href="/{lang}/help/search"' in results
    text = client.get(f"/{lang}/help/search").content.decode()
    examples = re.findall(r'<a href="(/[^"]+/search\?q=[^"]+)"><code', text)
    assert len(examples) == 12
    for url in examples:
        page = client.get(url.replace("&amp;", "&"))
        assert page.status_code == 200, url
        assert 'class="notice"' not in page.content.decode(), url
    if lang == "zh-hans":
        assert "检索帮助" in text and "How to search" not in text


def test_page_numbers_keep_the_ends_and_the_neighbours():
    from llrc.web.forms import page_numbers

    assert page_numbers(1, 1) == [1]
    assert page_numbers(2, 4) == [1, 2, 3, 4]
    assert page_numbers(1, 10) == [1, 2, 3, None, 10]
    assert page_numbers(5, 10) == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert page_numbers(10, 10) == [1, None, 8, 9, 10]


def test_results_link_their_pages_by_number(client, make_resource):
    """Past Previous and Next, a results list links its pages by number (the last among them), the
    current one marked; the search page and a collection's alike."""
    for number in range(45):
        make_resource(titles={"en": f"Numeracy course {number}"}, collections=["laws"])
    text = client.get("/en/search?q=numeracy&page=2").content.decode()
    pages = text.split('class="pages"')[1].split("</ul>")[0]
    assert re.findall(r">(\d+)</a>", pages) == ["1", "2", "3"]
    assert 'href="/en/search?q=numeracy&amp;page=2" aria-current="page"' in pages
    assert 'href="/en/search?q=numeracy&amp;page=3" aria-label="Page 3"' in pages
    collection = client.get("/zh-hans/collections/laws/").content.decode()
    assert 'aria-label="第 3 页"' in collection.split('class="pages"')[1]


def test_static_files_have_hashed_names_are_gzipped_and_cached_for_a_year(client):
    """The stylesheet was /static/llrc/site.css, sent whole with max-age=60: after a minute every page
    waited on a revalidation of it. Pages now name each static file by a hash of its content, so a
    browser may keep it without asking again, and a browser that takes gzip gets it compressed."""
    text = client.get("/en/").content.decode()
    css = re.search(r'<link rel="stylesheet" href="([^"]+)"', text)[1]
    icon = re.search(r'<link rel="icon" href="([^"]+)"', text)[1]
    assert re.fullmatch(r"/static/llrc/site\.[0-9a-f]{12}\.css", css), css
    assert re.fullmatch(r"/static/llrc/icon\.[0-9a-f]{12}\.svg", icon), icon
    plain = client.get(css)
    body = b"".join(plain.streaming_content)
    assert b".site-header" in body
    zipped = client.get(css, HTTP_ACCEPT_ENCODING="gzip, br")
    assert zipped["Content-Encoding"] == "gzip"
    packed = b"".join(zipped.streaming_content)
    assert gzip.decompress(packed) == body and len(packed) < len(body) / 2
    assert int(zipped["Content-Length"]) == len(packed)  # sent with its length, as a file
    for response in (plain, zipped, client.get(icon)):
        cache = response["Cache-Control"]
        assert "immutable" in cache and int(re.search(r"max-age=(\d+)", cache)[1]) >= 365 * 86400


def test_serve_refuses_to_start_before_the_static_files_are_collected(settings, tmp_path):
    """Without the manifest every page failed on its stylesheet's name: `llrc serve` says what to do."""
    from django.core.management import CommandError, call_command

    settings.STATIC_ROOT = tmp_path
    with socket.socket() as taken:  # were it to start serving, it fails at once on a port in use
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        with pytest.raises(CommandError, match="run `llrc init` first"):
            call_command("serve", "--port", port)


def test_a_repeat_visit_with_the_page_validator_gets_304(client, site):
    """Pages had no validator: a repeat visit downloaded the whole page again. They carry an ETag of the
    plain page, weak when the page is gzipped (the BREACH padding makes each gzipped copy differ), and
    a request holding either gets 304 with no body, with the ETag the client holds."""
    for url in ("/en/", f"/zh-hans/resources/{site['zh'].pk}/", "/en/search?q=learning"):
        plain = client.get(url)
        etag = plain["ETag"]
        assert etag.startswith('"'), url
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and not again.content, url
        assert again["ETag"] == etag
        zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert zipped["Content-Encoding"] == "gzip"
        assert zipped["ETag"] == "W/" + etag  # not the plain page's strong validator
        assert client.get(url, HTTP_ACCEPT_ENCODING="gzip")["ETag"] == zipped["ETag"]
        cached = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=zipped["ETag"])
        assert cached.status_code == 304 and not cached.content, url
        assert cached["ETag"] == zipped["ETag"]
        assert "Accept-Encoding" in cached["Vary"]
    # A changed page is a new ETag: the old one gets the page.
    url = f"/en/resources/{site['zh'].pk}/"
    etag = client.get(url)["ETag"]
    site["zh"].is_demo = False
    site["zh"].save()
    fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag


def test_the_language_a_reader_chooses_is_kept_for_the_home_address(client, site):
    """Nothing kept the reader's choice: an English browser that had switched to Chinese was sent to /en/
    from / again. The switcher's link remembers the choice (a cookie for a year) and leads to the same
    page in that language; / honours it, and says it varies by Cookie for shared caches."""
    page = f"/en/resources/{site['zh'].pk}/"
    switcher = client.get(page).content.decode().split('class="langs"')[1].split("</nav>")[0]
    link = html.unescape(re.search(r'<a href="([^"]+)"[^>]*hreflang="zh-Hans"', switcher)[1])
    chosen = client.get(link)
    assert (
        chosen.status_code == 302 and chosen["Location"] == f"/zh-hans/resources/{site['zh'].pk}/"
    )
    cookie = chosen.cookies["django_language"]
    assert cookie.value == "zh-hans" and int(cookie["max-age"]) >= 300 * 86400
    root = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert root.status_code == 302 and root["Location"] == "/zh-hans/"
    assert {"cookie", "accept-language"} <= {v.strip().lower() for v in root["Vary"].split(",")}
    # Back to English: kept likewise, from the Chinese page's switcher, for a Chinese browser.
    switcher = client.get(chosen["Location"]).content.decode().split('class="langs"')[1]
    link = html.unescape(re.search(r'<a href="([^"]+)"[^>]*hreflang="en"', switcher)[1])
    assert client.get(link)["Location"] == page
    assert client.get("/", headers={"Accept-Language": "zh-CN"})["Location"] == "/en/"
    # Works without a cookie's help on a first visit, and only leads to this site's pages.
    assert client.get("/language/en?next=https://example.com/")["Location"] == "/en/"
    assert client.get("/language/en?next=//example.com/x")["Location"] == "/en/"
    assert client.get("/language/xx?next=/en/").status_code == 404


def test_languages_are_named_in_the_readers_language_and_in_their_own_in_the_switcher(
    client, make_resource, django_capture_on_commit_callbacks
):
    """On a Chinese page a file and a version in English were labelled "English" while Details said 英语:
    our catalogue translated "English" as "English", for the switcher's sake. The switcher names each
    language in its own language; everything else names it in the reader's."""
    from llrc.catalogue import services

    en = make_resource(titles={"en": "School network manual"})
    zh = make_resource(titles={"zh-hans": "校园网络手册"}, original_language="zh-hans")
    services.add_relation(zh, "translation_of", en, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_file(zh, name="m.pdf", content=b"%PDF-1.5 x", language="en", actor=None)
    text = client.get(f"/zh-hans/resources/{zh.pk}/").content.decode()
    files = text.split('id="files-h"')[1].split("</section>")[0]
    versions = text.split('id="tr-h"')[1].split("</section>")[0]
    assert "，英语</span>" in files and "English" not in files
    assert "（英语）" in versions and "English" not in versions
    for page in (text, client.get(f"/en/resources/{en.pk}/").content.decode()):
        switcher = page.split('class="langs"')[1].split("</nav>")[0]
        names = re.findall(r'lang="([^"]+)"[^>]*>([^<]+)</', switcher)
        assert names == [("en", "English"), ("zh-Hans", "简体中文")], names


def test_marks_have_no_padding_at_the_sides(client):
    """Padding at a mark's sides made a gap inside a word marked in part (learn of learning) and between
    the marks of a Chinese word."""
    css_url = re.search(
        r'rel="stylesheet" href="([^"]+)"', client.get("/en/about/demo").content.decode()
    )[1]
    css = b"".join(client.get(css_url).streaming_content).decode()
    rule = re.search(r"(?m)^mark \{([^}]*)\}", css)[1]
    assert "background" in rule and "padding" not in rule


def test_chinese_pages_punctuate_and_date_as_chinese_does(
    client, make_resource, django_capture_on_commit_callbacks
):
    """A Chinese resource page read "地区: 东亚, 亚洲", "(发布机构)", "PDF, 2.3 MB, 简体中文", "DOI: …",
    2026-12-01, and cited a Chinese work "(n.d.)". Lists take 、, notes full-width brackets, a file's
    details ，, labels ：; dates are written 2026年12月1日 (a <time> keeps the ISO date for machines);
    a Chinese work is cited with Chinese punctuation. English pages keep their punctuation (and cite
    the Chinese work as APA does)."""
    from llrc.catalogue import services
    from llrc.catalogue.validation import CreatorData

    record = make_resource(
        titles={"zh-hans": "上海市终身教育促进条例"},
        original_language="zh-hans",
        creators=[CreatorData("上海市人大常委会", "organisation", "issuer")],
        date_issued="2011-01-05",
        countries=["CN", "IE"],
        regions=["142", "030"],
        licence="CC-BY-4.0",
        identifiers=[("doi", "10.1234/llrc.1")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_file(record, name="m.pdf", content=b"%PDF-1.5 x", language="en", actor=None)
    undated = make_resource(
        titles={"zh-hans": "社区教育手册"}, original_language="zh-hans", date_issued=""
    )

    def details(html):
        pairs = re.findall(r"<dt>([^<]+)</dt>\s*<dd>(.*?)</dd>", html, flags=re.S)
        return {label: re.sub(r"<(?!/?time)[^>]+>", "", value) for label, value in pairs}

    text = client.get(f"/zh-hans/resources/{record.pk}/").content.decode()
    shown = details(text)
    for label in ("国家", "地区", "语言"):
        assert "、" in shown[label] and "," not in shown[label], (label, shown[label])
    assert shown["创作者"] == "上海市人大常委会（发布机构）"
    assert shown["许可协议"].endswith("（CC-BY-4.0）") and "(" not in shown["许可协议"]
    assert shown["标识符"] == "DOI：10.1234/llrc.1"
    assert shown["发布日期"] == '<time datetime="2011-01-05">2011年1月5日</time>'
    created = record.created
    assert shown["收录日期"] == (
        f'<time datetime="{created:%Y-%m-%d}">{created.year}年{created.month}月{created.day}日</time>'
    )
    assert "PDF，10 B，英语</span>" in text
    citation = text.split('class="citation">')[1].split("</p>")[0]
    # The title marked with its language, as on an English page, where it was read with the English
    # voice.
    assert citation == (
        '上海市人大常委会（2011）。<span lang="zh-Hans" dir="auto">上海市终身教育促进条例</span>。'
        "https://doi.org/10.1234/llrc.1"
    )
    citation = client.get(f"/zh-hans/resources/{undated.pk}/").content.decode()
    assert "（无日期）" in citation and "n.d." not in citation
    home = client.get("/zh-hans/").content.decode()
    assert re.search(r'<span class="count">（\d+）</span>', home)
    assert "英语、中文" in home.split(f"/resources/{record.pk}/")[1].split("</li>")[0]
    results = client.get("/zh-hans/search?q=上海市终身教育促进条例").content.decode()
    meta = results.split(f"/resources/{record.pk}/")[1].split("</li>")[0]
    assert '<time datetime="2011-01-05">2011年1月5日</time>' in meta and "英语、中文" in meta
    # The English page as it was, but for its dates, written out for readers everywhere.
    text_en = client.get(f"/en/resources/{record.pk}/").content.decode()
    shown = details(text_en)
    assert shown["Creators"] == "上海市人大常委会 (Issuing body)"
    assert ", " in shown["Regions"] and shown["Identifiers"] == "DOI: 10.1234/llrc.1"
    assert shown["Date issued"] == '<time datetime="2011-01-05">5 January 2011</time>'
    assert (
        '上海市人大常委会 (2011). <span lang="zh-Hans" dir="auto">上海市终身教育促进条例</span>. https://doi.org/'
        in text_en
    )


def test_resource_pages_describe_the_record_for_reference_managers(
    client, make_resource, django_capture_on_commit_callbacks
):
    """Zotero, Mendeley and Google Scholar found nothing to take from a resource page: it carries the
    citation_* meta tags (the PDF's address among them), and links the record as a RIS file."""
    from llrc.catalogue import services
    from llrc.catalogue.validation import CreatorData

    record = make_resource(
        titles={"zh-hans": "社区学习手册", "en": "Community learning handbook"},
        original_language="zh-hans",
        summaries={"zh-hans": "第一行。\n第二行。"},
        creators=[
            CreatorData("王芳", "person", "author"),
            CreatorData("李明", "person", "author"),
            CreatorData("张伟", "person", "editor"),
        ],
        publisher="上海开放大学",
        date_issued="2020-03",
        identifiers=[("doi", "10.1234/llrc.2")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        stored = services.attach_file(
            record, name="handbook.pdf", content=b"%PDF-1.5 x", language="zh-hans", actor=None
        )
    text = client.get(f"/en/resources/{record.pk}/").content.decode()
    head = text.split("</head>")[0]
    meta = re.findall(r'<meta name="(citation_[a-z_]+)" content="([^"]*)">', head)
    assert meta == [
        ("citation_title", "社区学习手册"),
        ("citation_author", "王芳"),
        ("citation_author", "李明"),
        ("citation_publication_date", "2020/03"),
        ("citation_publisher", "上海开放大学"),
        ("citation_language", "zh-Hans"),
        ("citation_doi", "10.1234/llrc.2"),
        ("citation_pdf_url", f"http://testserver/files/{stored.pk}/handbook.pdf"),
    ]
    link = re.search(r'<a href="([^"]+\.ris)" download>', text)[1]
    assert link == f"/en/resources/{record.pk}/citation.ris"
    ris = client.get(link)
    assert ris["Content-Type"].startswith("application/x-research-info-systems")
    assert ris["Content-Disposition"] == f'attachment; filename="llrc-{record.pk}.ris"'
    assert ris.content.decode().split("\r\n") == [
        "TY  - GOVDOC",
        "TI  - 社区学习手册",
        "AU  - 王芳",
        "AU  - 李明",
        "ED  - 张伟",
        "PY  - 2020",
        "DA  - 2020/03//",
        "PB  - 上海开放大学",
        "LA  - zh-Hans",
        "AB  - 第一行。 第二行。",
        "DO  - 10.1234/llrc.2",
        f"UR  - http://testserver/en/resources/{record.pk}/",
        "ER  - ",
        "",
    ]
    assert client.get("/en/resources/999999/citation.ris").status_code == 404


def test_a_resource_page_links_its_record_as_bibtex(client, make_resource):
    """A reader writing in LaTeX (theses, Overleaf) could take the record only as RIS. The BibTeX file is
    read back here by a BibTeX parser: LaTeX's special characters escaped, braces balanced, the title
    and an organisation's name protected, the month one of BibTeX's macros."""
    import bibtexparser
    from bibtexparser.bparser import BibTexParser

    from llrc.catalogue.models import Resource
    from llrc.catalogue.validation import CreatorData

    record = make_resource(
        resource_type="report",
        titles={"en": "Learning & earning: 50% of adults {online}_2020 \\ ~costs^"},
        summaries={"en": "First line.\nSecond line."},
        creators=[
            CreatorData("UNESCO Institute for Lifelong Learning", "organisation", "author"),
            CreatorData("Wang Fang", "person", "author"),
            CreatorData("李明", "person", "editor"),
        ],
        publisher="UIL",
        date_issued="2020-03-15",
        identifiers=[("doi", "10.1234/llrc_2"), ("isbn", "978-0-306-40615-7")],
    )
    page = client.get(f"/en/resources/{record.pk}/").content.decode()
    link = re.search(r'<a href="([^"]+\.bib)" download>', page)[1]
    assert link == f"/en/resources/{record.pk}/citation.bib"
    response = client.get(link)
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert response["Content-Disposition"] == f'attachment; filename="llrc-{record.pk}.bib"'
    text = response.content.decode()
    parsed = bibtexparser.loads(text, BibTexParser(common_strings=True))
    assert len(parsed.entries) == 1, text
    entry = parsed.entries[0]
    assert (entry["ENTRYTYPE"], entry["ID"]) == ("techreport", f"llrc{record.pk}")
    assert entry["title"] == (
        "{Learning \\& earning: 50\\% of adults \\{online\\}\\_2020 \\textbackslash{} "
        "\\textasciitilde{}costs\\textasciicircum{}}"
    )
    # Each name as written: "Wang Fang" is not filed under Fang, an organisation not under its last word.
    assert entry["author"] == "{UNESCO Institute for Lifelong Learning} and {Wang Fang}"
    assert entry["editor"] == "{李明}"
    assert (entry["year"], entry["month"]) == ("2020", "March")
    assert entry["institution"] == "UIL"
    assert "language" not in entry  # biblatex would print "en" in the reference
    assert entry["abstract"] == "First line. Second line."
    assert entry["doi"] == "10.1234/llrc_2"
    assert entry["isbn"] == "9780306406157"
    assert entry["url"] == f"http://testserver/en/resources/{record.pk}/"
    assert client.get("/en/resources/999999/citation.bib").status_code == 404
    # A month no calendar has, stored before the checks or by hand, failed the export (500).
    Resource.objects.filter(pk=record.pk).update(date_issued="2020-13")
    again = bibtexparser.loads(client.get(link).content.decode(), BibTexParser(common_strings=True))
    assert again.entries[0]["year"] == "2020" and "month" not in again.entries[0]


def test_pages_name_their_other_language_versions_for_search_engines(client, site):
    """No page said where its other-language version is: the head links each (itself among them) by
    full address with its hreflang, and as x-default the address that leads each reader to theirs."""
    pk = site["zh"].pk
    for lang in ("en", "zh-hans"):
        text = client.get(f"/{lang}/resources/{pk}/").content.decode()
        head = text.split("</head>")[0]
        assert re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', head) == [
            ("en", f"http://testserver/en/resources/{pk}/"),
            ("zh-Hans", f"http://testserver/zh-hans/resources/{pk}/"),
            ("x-default", f"http://testserver/resources/{pk}/"),
        ]
    chosen = client.get(f"/resources/{pk}/", headers={"Accept-Language": "zh-CN"})
    assert chosen.status_code == 302 and chosen["Location"] == f"/zh-hans/resources/{pk}/"
    assert 'rel="alternate"' not in client.get("/en/no-such-page").content.decode()


def test_favicon_and_robots_txt_are_answered_briefly(client):
    """/favicon.ico and /robots.txt were pages of 1.2 KB saying "not found"."""
    icon = client.get("/favicon.ico")
    assert icon.status_code == 302 and not icon.content
    assert re.fullmatch(r"/static/llrc/icon\.[0-9a-f]{12}\.svg", icon["Location"])
    assert "max-age=86400" in icon["Cache-Control"]
    image = client.get(icon["Location"])
    assert image.status_code == 200 and image["Content-Type"] == "image/svg+xml"
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots["Content-Type"] == "text/plain; charset=utf-8"
    lines = robots.content.decode().splitlines()
    assert lines[0] == "User-agent: *" and len(robots.content) < 300
    assert {"Disallow: /en/admin/", "Disallow: /zh-hans/search", "Disallow: /language/"} <= set(
        lines
    )
    assert not any(line.startswith("Disallow: /files") for line in lines)
