"""Public pages. Each view parses input, calls one service, renders (STYLE.md: adapters stay thin)."""

from __future__ import annotations

import logging
import mimetypes
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import BinaryIO
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import Resolver404, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from llrc.catalogue import queries
from llrc.catalogue.citation import (
    citation_bibtex,
    citation_html,
    citation_meta,
    citation_ris,
)
from llrc.catalogue.models import Resource
from llrc.catalogue.services import file_path
from llrc.lib.compression import NEVER_COMPRESSED
from llrc.lib.text import as_text, list_separator
from llrc.lib.vary import SAME_IN_EVERY_LANGUAGE
from llrc.search import services as search_services
from llrc.search.services import SearchInputError, SearchTooLong
from llrc.web.forms import (
    SearchParams,
    facet_list_html,
    page_numbers,
    parse_search_params,
    search_url,
)

logger = logging.getLogger(__name__)


def _lang() -> str:
    return get_language() or settings.LANGUAGE_CODE


def root_redirect(request: HttpRequest) -> HttpResponse:
    """To the home page in the language the reader chose in the switcher (its cookie), or else the one
    their browser asks for."""
    from django.utils.translation import get_language_from_request

    response = HttpResponseRedirect(f"/{get_language_from_request(request)}/")
    # Two readers of one shared cache (an office or school proxy) who chose differently get each their own.
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


@require_safe
def choose_language(request: HttpRequest, code: str) -> HttpResponse:
    """The language switcher's links come here: remember the reader's choice (cookie) and show the page
    in that language.

    Only a choice in the switcher is remembered, not every page visited: a Chinese reader who opens an
    English link someone sent them still finds Chinese at / the next time. A link, not Django's
    set_language form: that needs a POST with a CSRF token on every page, and the token, masked anew
    at each request, would change every page's ETag."""
    if code not in dict(settings.LANGUAGES):
        raise Http404(_("There is no such language."))
    target = request.GET.get("next", "")
    # Only a page of this site: the address is in the link, anyone could have written it.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = f"/{code}/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE or request.is_secure(),
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",  # sent when a link from elsewhere opens /, which is where it is read
    )
    return response


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    context = {"tree": queries.collection_tree(), "latest": queries.latest_resources(8)}
    return render(request, "web/home.html", context)


def _pagination(
    base: str, params: SearchParams, page: search_services.SearchPage
) -> dict[str, object]:
    """The links of a results list's pages (search and collection pages): Previous, Next, and by number
    the first, the last and those around the current one, for readers who want the tenth page or the
    last without clicking Next nine times."""
    numbers = page_numbers(page.page, page.page_count) if page.page_count > 1 else []
    return {
        "next_url": search_url(base, params, page=page.page + 1) if page.has_next else "",
        "previous_url": search_url(base, params, page=page.page - 1) if page.has_previous else "",
        "page_links": [
            {"number": n, "url": search_url(base, params, page=n), "current": n == page.page}
            if n is not None
            else {"number": None}
            for n in numbers
        ],
    }


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    params = parse_search_params(request.GET)
    error = ""
    try:
        page = search_services.search_resources(
            params.q,
            filters=params.typed,
            page=params.page,
            lang=_lang(),
            sort=params.sort,
            whole_facet=params.whole_facet,
        )
    except SearchInputError as exc:
        error = str(exc)
        # Not another search: the one that failed may have been stopped for taking too long. The words
        # shown as a search would take them: a NUL went into the title and the search box.
        params = replace(params, q=as_text(params.q).strip()[: search_services.MAX_QUERY_CHARS])
        page = search_services.SearchPage.empty(params.q)
    else:
        # The words as searched (characters that are not text taken out, cut to the longest query):
        # shown in the search box and carried by every link from the page.
        params = replace(params, q=page.query)
    page.notices[:0] = params.notices
    base = reverse("web:search")
    remove_text = _("Remove filter:")
    # The filters in force, named at the top of the page: on a phone the facets that showed them were
    # thousands of pixels down, and the page's title was the same with them or without.
    active: list[dict[str, str]] = []
    # A page past the last has no results to list again: "All values" leads to the first page.
    all_values_page = params.page if page.hits else 1
    for facet in page.facets:
        chosen: list[tuple[str, str, str]] = []
        # Built in Python, not in the template: see facet_list_html.
        # Every value in it is escaped by facet_list_html.
        facet.items_html = mark_safe(  # type: ignore[attr-defined]
            facet_list_html(base, params, facet.name, facet.buckets, remove_text, chosen)
        )
        # Every value in the label and the link was escaped by facet_list_html.
        active += [
            {
                "facet": str(facet.label),
                "label_html": mark_safe(html),
                "url": mark_safe(url),
                "label": text,
            }
            for html, url, text in chosen
        ]
        # The page again with this facet's every value, opened at the facet.
        facet.all_url = (  # type: ignore[attr-defined]
            search_url(base, params, page=all_values_page, whole_facet=facet.name)
            + f"#facet-{facet.name}"
            if facet.cut
            else ""
        )
    context = {
        "params": params,
        "page": page,
        "error": error,
        "active_filters": active,
        "title_filters": list_separator().join(f["label"] for f in active),
        "clear_url": search_url(base, params, clear_filters=True),
        "first_page_url": search_url(base, params, page=1),
        # The corrected words with the reader's filters and order: the suggestion was checked with them.
        "suggestion_url": search_url(base, replace(params, q=page.suggestion))
        if page.suggestion
        else "",
        "sort_options": [
            ("relevance", _("Best match")),
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("title", _("Title A–Z")),
        ],
        **_pagination(base, params, page),
    }
    return render(request, "web/search.html", context, status=400 if error else 200)


def _published(request: HttpRequest, resource_id: int) -> tuple[Resource, str]:
    """A published resource and the address of its page, or the 404 that says there is none."""
    resource = queries.get_published_resource(resource_id)
    if resource is None and queries.was_withdrawn(resource_id):
        raise Http404(_("This resource was withdrawn from the catalogue."))
    if resource is None:
        raise Http404(_("There is no resource with this number."))
    return resource, request.build_absolute_uri(reverse("web:resource", args=[resource.pk]))


@require_safe
def resource_detail(request: HttpRequest, resource_id: int) -> HttpResponse:
    resource, url = _published(request, resource_id)
    pdfs = [f for f in resource.files.all() if f.media_type == "application/pdf"]
    pdf_url = (
        request.build_absolute_uri(reverse("file-download", args=[pdfs[0].pk, pdfs[0].name]))
        if pdfs
        else ""
    )
    context = {
        "resource": resource,
        "lang": _lang(),
        "citation": citation_html(resource, url=url, lang=_lang()),
        "citation_meta": citation_meta(resource, pdf_url=pdf_url),
        # Printed after each file's name, where paper cannot be clicked.
        "site_url": request.build_absolute_uri("/").removesuffix("/"),
        "translations": queries.translations_of(resource),
        "related": search_services.related_resources(resource),
    }
    return render(request, "web/resource.html", context)


def _record_file(
    request: HttpRequest,
    resource_id: int,
    written: Callable[..., str],
    media_type: str,
    extension: str,
) -> HttpResponse:
    """A published resource's record as a file to save, llrc-<id>.<extension>, written by `written`."""
    resource, url = _published(request, resource_id)
    response = HttpResponse(written(resource, url=url), content_type=f"{media_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="llrc-{resource.pk}.{extension}"'
    return response


@require_safe
def resource_ris(request: HttpRequest, resource_id: int) -> HttpResponse:
    """The record as a RIS file for a reference manager (Zotero, EndNote, Mendeley)."""
    return _record_file(
        request, resource_id, citation_ris, "application/x-research-info-systems", "ris"
    )


@require_safe
def resource_bibtex(request: HttpRequest, resource_id: int) -> HttpResponse:
    """The record as a BibTeX file, for a reader writing in LaTeX."""
    return _record_file(request, resource_id, citation_bibtex, "application/x-bibtex", "bib")


@require_safe
def collection_detail(request: HttpRequest, slug: str) -> HttpResponse:
    collection = queries.get_collection(slug)
    if collection is None:
        raise Http404(_("There is no collection with this name."))
    params = parse_search_params(request.GET)
    error = ""
    status = 200
    try:
        page = search_services.search_resources(
            params.q,
            filters={**params.typed, "collection": [slug]},
            page=params.page,
            lang=_lang(),
        )
    except SearchTooLong as exc:
        # The collection exists; listing it took longer than the engine allows this time.
        error = str(exc)
        status = 503
        page = search_services.SearchPage.empty(params.q)
    except SearchInputError as exc:
        # A page number or filter the listing cannot take: said on the collection's page, as the
        # search page says it (it was a 404 that gave no reason).
        error = str(exc)
        status = 400
        page = search_services.SearchPage.empty(params.q)
    page.notices[:0] = params.notices
    base = reverse("web:collection", args=[slug])
    context = {
        "first_page_url": search_url(base, params, page=1),
        "error": error,
        "collection": collection,
        "children": queries.child_collections(collection),
        "page": page,
        "params": params,
        **_pagination(base, params, page),
    }
    return render(request, "web/collection.html", context, status=status)


@require_safe
def about_demo(request: HttpRequest) -> HttpResponse:
    return render(request, "web/about_demo.html")


@require_safe
def help_search(request: HttpRequest) -> HttpResponse:
    return render(request, "web/help_search.html")


# What a browser may show in the page rather than save: types that run nothing of the file's own (a PDF
# in the browser's viewer, pictures that cannot hold script, plain text, sound and video). Anything else
# (HTML, SVG, XML, scripts) is offered to save, and forbidden to run even if opened: served inline from
# this site's address, a file a curator uploaded could run script as the site.
SHOWN_INLINE = frozenset(
    {
        "application/pdf",
        "text/plain",
        "text/csv",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "audio/mpeg",
        "audio/ogg",
        "video/mp4",
        "video/webm",
    }
)
# The bytes behind a file's number never change (another upload is another file), so a browser may keep
# them; a day, not a year, since the resource can be withdrawn, and then its file should not live on in
# caches for long. After a day a browser asks again and gets 304 for the same bytes.
FILE_CACHE = "public, max-age=86400"
CHUNK = 64 * 1024


@require_safe
def download_file(request: HttpRequest, file_id: int, name: str) -> HttpResponseBase:
    stored = queries.get_published_file(file_id, name)
    if stored is None:
        raise Http404(_("There is no such file."))
    try:
        handle = file_path(stored).open("rb")
    except FileNotFoundError:
        logger.error(
            "file %s of resource %s is missing from the file store",
            stored.sha256,
            stored.resource_id,
        )
        raise Http404(_("This file is missing from the file store.")) from None
    size = os.fstat(handle.fileno()).st_size
    etag = f'"{stored.sha256}"'
    headers = {
        "ETag": etag,
        "Cache-Control": FILE_CACHE,
        "Accept-Ranges": "bytes",
        "Content-Disposition": _disposition(stored.pk, stored.name, stored.media_type),
        "X-Content-Type-Options": "nosniff",
    }
    if stored.language:
        headers["Content-Language"] = stored.language
    if stored.media_type not in SHOWN_INLINE:
        headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if _matches(request.headers.get("If-None-Match", ""), etag):
        handle.close()
        response: HttpResponseBase = HttpResponseNotModified()
    else:
        wanted = _byte_range(request, etag, size)
        if wanted is None:
            response = FileResponse(handle, content_type=stored.media_type)
        elif wanted == _UNSATISFIABLE:
            handle.close()
            response = HttpResponse(status=416, content_type="text/plain")
            response["Content-Range"] = f"bytes */{size}"
        else:
            first, last = wanted
            response = StreamingHttpResponse(
                _part(handle, first, last - first + 1),
                status=206,
                content_type=stored.media_type,
            )
            response["Content-Range"] = f"bytes {first}-{last}/{size}"
            response["Content-Length"] = str(last - first + 1)
    for header, value in headers.items():
        response[header] = value
    # The same bytes whatever the reader's language (LanguageIndependentAnswers takes Accept-Language out
    # of Vary): a 404 is in the reader's language and keeps it.
    setattr(response, SAME_IN_EVERY_LANGUAGE, True)
    setattr(response, NEVER_COMPRESSED, True)
    return response


_UNSATISFIABLE = (-1, -1)
_RANGE = re.compile(r"([0-9]*)-([0-9]*)", re.ASCII)


def _matches(if_none_match: str, etag: str) -> bool:
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _byte_range(request: HttpRequest, etag: str, size: int) -> tuple[int, int] | None:
    """The one range of bytes asked for (first, last), _UNSATISFIABLE, or None for the whole file.

    A download over a slow or failing connection resumes where it stopped instead of starting again (a
    2.3 MB manual on a 2G line). Several ranges in one request, a range of another unit and one that
    cannot be read are answered with the whole file, as HTTP allows; a resume for other bytes than these
    (If-Range with another validator) too."""
    header = request.headers.get("Range", "")
    if not header or request.headers.get("If-Range", etag) != etag:
        return None
    unit, _sep, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    # Digits 0-9 only: int() also takes signs, underscores and other scripts' digits ("bytes=1_0-2_0").
    numbers = _RANGE.fullmatch(spec.strip())
    if numbers is None or not (numbers[1] or numbers[2]):
        return None
    first_text, last_text = numbers[1], numbers[2]
    if not first_text:  # the last N bytes
        count = int(last_text)
        if count <= 0:
            return _UNSATISFIABLE
        return max(0, size - count), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size:
        return _UNSATISFIABLE
    if last < first:
        return None
    return first, min(last, size - 1)


def _part(handle: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def _disposition(file_id: int, name: str, media_type: str) -> str:
    """How the file is named when saved: its own name for browsers that read filename* (all current
    ones), and for those that read only filename (curl -J, some phones' download managers) the name
    itself when it is plain ASCII, else "file-<number>" with its extension: they saved a Chinese-named
    PDF as a bare hash they could not open."""
    kind = "inline" if media_type in SHOWN_INLINE else "attachment"
    _stem, dot, extension = name.rpartition(".")
    if name.isascii() and name.isprintable():
        plain = "".join("_" if c in '"\\;' else c for c in name)
    else:
        if not (dot and extension.isascii() and extension.isalnum()):
            extension = (mimetypes.guess_extension(media_type) or "").lstrip(".")
        plain = f"file-{file_id}" + (f".{extension}" if extension else "")
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and feed readers that know no <link rel="icon"> ask for /favicon.ico: it was a page of
    1.2 KB saying "not found". To the site's icon, for a day: the icon's name changes with it."""
    response = HttpResponseRedirect(static("llrc/icon.svg"))
    patch_cache_control(response, max_age=24 * 3600, public=True)
    return response


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers are welcome on pages and files, not on the admin, the language switch (a redirect that
    sets a cookie) or search results, whose filters combine without end (each a search on a small
    server; the results are reached through collections and resource pages, and say noindex)."""
    lines = ["User-agent: *"]
    for code, _name in settings.LANGUAGES:
        lines += [f"Disallow: /{code}/admin/", f"Disallow: /{code}/search"]
    lines.append("Disallow: /language/")
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, max_age=24 * 3600, public=True)
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database and the search index both answer; 503 and the failing part otherwise."""
    checks: dict[str, str] = {}
    status = 200
    try:
        queries.published_resources().exists()
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
        status = 503
    try:
        checks["index"] = f"ok ({search_services.index_health()} documents)"
    except Exception as exc:
        checks["index"] = f"error: {exc.__class__.__name__}"
        status = 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "unavailable", "checks": checks}, status=status
    )


# The API's error shape ({"detail", "errors"}, UTF-8 declared), for addresses no endpoint answers.
_API_JSON = "application/json; charset=utf-8"


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        detail = (
            f"There is nothing at {request.path}: the API's addresses are listed at /api/v1/docs"
            + (" (they end without a slash)." if request.path.endswith("/") else ".")
        )
        return JsonResponse({"detail": detail, "errors": {}}, status=404, content_type=_API_JSON)
    # Our views say why a page is missing; an address no pattern matches raises Django's Resolver404,
    # whose text lists every URL pattern and the paths of the installed code: never shown.
    said = exception.args and not isinstance(exception, Resolver404)
    return render(request, "404.html", {"message": str(exception) if said else ""}, status=404)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django refused before any view of ours read it; left to Django, the reader or client got
    a page saying "Bad Request (400)" and nothing of why."""
    if isinstance(exception, TooManyFieldsSent):
        message = _(
            "The address holds more than %(max)d parameters; a search needs only a few."
        ) % {"max": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
    else:
        message = _("The request could not be read.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": {}}, status=400, content_type=_API_JSON)
    # The page must not read the parameters that could not be read (the language links keep the path).
    request.GET = QueryDict()
    return render(request, "400.html", {"message": message}, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "Internal server error", "errors": {}}, status=500, content_type=_API_JSON
        )
    return render(request, "500.html", status=500)
