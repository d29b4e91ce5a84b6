"""A reader on a phone searches for 终身学习 from the home page and opens a result, in Debian's Chromium.
axe-core checks every page visited; no request may leave 127.0.0.1."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

AXE = Axe()
# WCAG 2.1 A and AA rules plus axe's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    }
}


def check_accessibility(page) -> None:
    results = AXE.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert not violations, f"{page.url}: {summary}"


@pytest.fixture
def phone(browser, demo_site):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", java_script_enabled=True
    )
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.requests_seen = requests  # type: ignore[attr-defined]
    yield page
    context.close()
    hosts = {urlsplit(u).hostname for u in requests if not u.startswith("data:")}
    assert hosts <= {"127.0.0.1"}, f"requests to other hosts: {hosts}"


def test_search_from_home_page_and_open_result_in_chinese(phone, demo_site):
    page = phone
    page.goto(demo_site + "/zh-hans/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    check_accessibility(page)

    page.get_by_role("searchbox", name="检索资源中心").fill("终身学习")
    page.get_by_role("button", name="检索").click()
    page.wait_for_url("**/zh-hans/search?q=*")
    assert "检索结果" in page.title() or page.get_by_role("heading", name="检索结果").is_visible()
    status = page.get_by_role("status").inner_text()
    assert "找到" in status
    results = page.locator("ol.results li h3 a")
    assert results.count() >= 10
    assert page.locator("ol.results mark").count() > 0
    assert page.locator(".facet").count() >= 4
    check_accessibility(page)

    first_title = results.first.inner_text()
    results.first.click()
    page.wait_for_url("**/zh-hans/resources/*/")
    assert page.get_by_role("heading", level=1).inner_text() == first_title
    assert page.get_by_role("heading", name="引用格式").is_visible()
    check_accessibility(page)


def test_english_pages_and_facets_are_accessible(browser, demo_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(demo_site + "/en/search?q=lifelong+learning")
        check_accessibility(page)
        total_before = page.get_by_role("status").inner_text()
        page.locator(".facet").filter(has_text="Type").locator("a").first.click()
        page.wait_for_load_state()
        assert page.get_by_role("status").inner_text() != total_before
        check_accessibility(page)
        page.goto(demo_site + "/en/collections/laws/")
        check_accessibility(page)
        page.locator("ol.results a").first.click()
        page.wait_for_url("**/en/resources/*/")
        check_accessibility(page)
        response = page.goto(demo_site + "/en/no-such-page")
        assert response.status == 404
        check_accessibility(page)
    finally:
        context.close()


def test_pages_work_without_javascript(browser, demo_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(demo_site + "/en/")
        page.get_by_role("searchbox").fill("终身学习")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/en/search?q=*")
        assert page.locator("ol.results li").count() > 0
    finally:
        context.close()


def test_the_language_chosen_in_the_switcher_is_kept_without_javascript(browser, demo_site):
    """An English browser that switched to Chinese was sent to /en/ again from the site's address."""
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(demo_site + "/en/help/search")
        page.get_by_role("navigation", name="Language").get_by_role("link").click()
        page.wait_for_url("**/zh-hans/help/search")
        page.goto(demo_site + "/")
        assert urlsplit(page.url).path == "/zh-hans/"
    finally:
        context.close()


def test_debian_edu_manual_links_both_language_versions(browser, demo_site):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(demo_site + "/en/search?q=Skolelinux")
        page.locator("ol.results a").first.click()
        page.wait_for_url("**/resources/*/")
        assert page.get_by_role("heading", name="Other language versions").is_visible()
        assert "PDF" in page.locator("ul.files").inner_text()
        href = page.locator("ul.files a").first.get_attribute("href")
        response = page.request.get(demo_site + href)
        assert response.status == 200 and response.body()[:5] == b"%PDF-"
    finally:
        context.close()


def test_a_printed_resource_page_is_the_record_in_black_with_file_addresses(browser, demo_site):
    """Printing a resource page printed the search box, the language switcher, the demo banner and the
    footer links, and the header's white text vanished on paper; the files' addresses were lost."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(demo_site + "/zh-hans/search?q=Skolelinux")
        page.locator("ol.results a").first.click()
        page.wait_for_url("**/resources/*/")
        page.emulate_media(media="print")
        for hidden in (".langs", ".search-form", ".demo-banner", ".site-footer"):
            assert not page.locator(hidden).is_visible(), hidden
        assert page.get_by_role("heading", level=1).is_visible()
        assert page.locator(".citation").is_visible()
        colour = page.locator(".brand").evaluate("e => getComputedStyle(e).color")
        assert colour == "rgb(0, 0, 0)"
        after = page.locator("ul.files a").first.evaluate(
            "e => getComputedStyle(e, '::after').content"
        )
        href = page.locator("ul.files a").first.get_attribute("href")
        assert after == f'" {demo_site}{href}"'
        page.emulate_media(media="screen")
        assert page.locator(".langs").is_visible()
        assert page.locator("ul.files a").first.evaluate(
            "e => getComputedStyle(e, '::after').content"
        ) in ("none", "normal")
    finally:
        context.close()


PAGES = [
    "/{lang}/",
    "/{lang}/search?q=lifelong+learning",
    "/{lang}/search?q=终身学习&type=legislation",
    "/{lang}/search?q=学习&page=2",
    "/{lang}/collections/learning-cities/",
    "/{lang}/collections/research-zh/",
    "/{lang}/about/demo",
    "/{lang}/help/search",
    "/{lang}/no-such-page",
]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_every_page_is_accessible_and_under_100_kb(browser, demo_site, lang):
    """axe-core on each kind of page, and the bytes a reader downloads for it (HTML, CSS, anything else)."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    sizes: dict[str, int] = {}

    def count(response) -> None:
        if "/files/" not in response.url:
            sizes[response.url] = len(response.body())

    page.on("response", count)
    try:
        urls = [p.format(lang=lang) for p in PAGES]
        page.goto(demo_site + urls[1])
        urls.append(page.locator("ol.results a").first.get_attribute("href"))
        for url in urls:
            sizes.clear()
            page.goto(demo_site + url)
            page.wait_for_load_state("networkidle")
            total = sum(sizes.values())
            assert total <= 100 * 1024, (url, total, sizes)
            check_accessibility(page)
    finally:
        context.close()


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_api_reference_reads_on_a_phone(phone, demo_site):
    """The API's reference page is the site's own (no request leaves 127.0.0.1: `phone` checks), passes
    axe-core and fits a phone's width; its contents link to each endpoint."""
    page = phone
    page.goto(demo_site + "/api/v1/docs")
    assert page.get_by_role("heading", level=1).inner_text().endswith("API")
    check_accessibility(page)
    assert no_sideways_scrolling(page)
    page.get_by_role("link", name="GET /api/v1/search").click()
    assert page.url.endswith("#llrc_api_urls_search")


def test_a_pasted_address_or_a_long_query_does_not_widen_the_page(browser, demo_site):
    """At 320 CSS pixels (WCAG 1.4.10, reflow) the search page for a pasted web address or a query of
    many characters wraps; it was 507 and 5,915 pixels wide."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        for query in (
            "https://unesdoc.unesco.org/ark:/48223/pf0000372184",
            "lifelonglearning" * 30,
        ):
            page.goto(demo_site + "/en/search?q=" + query)
            assert no_sideways_scrolling(page), query
    finally:
        context.close()


def test_on_a_wide_screen_the_filters_come_after_the_results_as_in_the_page(browser, demo_site):
    """The keyboard reaches the results before the filters: on screen the filters must not come first
    (they were moved to the left of the results, WCAG 2.4.3 focus order)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(demo_site + "/en/search?q=learning")
        hits = page.locator("section.hits").bounding_box()
        facets = page.locator("aside.facets").bounding_box()
        assert facets["x"] >= hits["x"] + hits["width"]
    finally:
        context.close()


def test_at_200_percent_zoom_the_search_box_and_the_help_examples_stay_readable(browser, demo_site):
    """A 360-pixel phone at 200 % zoom lays pages out in 180 CSS pixels: the search box shrank to 46
    pixels (two letters of the query could be seen), and the help's examples broke inside their words
    ("lifelo|ng"), letter by letter at this width."""
    context = browser.new_context(viewport={"width": 180, "height": 740})
    page = context.new_page()
    try:
        for lang in ("en", "zh-hans"):
            page.goto(f"{demo_site}/{lang}/search?q=learning")
            box = page.locator(".search-form input").bounding_box()
            assert box["width"] >= 140, (lang, box)
            page.goto(f"{demo_site}/{lang}/help/search")
            # Each example on one line (scrolled sideways inside its table if need be).
            heights = page.eval_on_selector_all(
                ".table-scroll th code",
                "codes => codes.map(c => [c.textContent, c.getClientRects().length])",
            )
            assert heights and all(lines == 1 for _text, lines in heights), heights
            assert no_sideways_scrolling(page)
    finally:
        context.close()
