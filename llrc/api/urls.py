"""The REST API, /api/v1. Every endpoint calls the same services as the pages (DESIGN.md: one query path)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver
from django.utils import translation
from django.utils.cache import set_response_etag
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from llrc.accounts.services import user_for_token
from llrc.api import serializers
from llrc.api.body import BodyError, StrictJsonParser
from llrc.api.schemas import (
    CollectionOut,
    ConceptOut,
    ErrorOut,
    ResourceIn,
    ResourceOut,
    SchemeOut,
    SearchOut,
)
from llrc.catalogue import queries, services
from llrc.catalogue.validation import (
    CreatorData,
    ResourceData,
    known_language_tag,
    normalise_language_tag,
)
from llrc.lib.identifiers import bcp47
from llrc.lib.text import list_separator
from llrc.search import services as search_services
from llrc.search.backends.base import FACETS, FILTER_ONLY, SORTS
from llrc.search.services import SearchInputError
from llrc.vocabularies import queries as vocab_queries


class StaffToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None or not getattr(user, "is_staff", False):
            return None
        return user


def _readable_from_other_sites(response: HttpResponse) -> None:
    """What the API reads out is public: a partner site's page may fetch it (CORS). Without the header a
    browser kept every answer from another site's JavaScript, so a search box on a partner's page could
    not use the API. Only reading: a write needs a curator's token, and no other site is told it may
    send one."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "Content-Language, ETag"


def _preflight() -> HttpResponse:
    # A browser asks before a GET it may not send without asking (with If-None-Match, say).
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, HEAD"
    response["Access-Control-Allow-Headers"] = "Accept, Accept-Language, If-None-Match"
    response["Access-Control-Max-Age"] = "86400"
    return response


class Api(NinjaAPI):
    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = self._not_allowed_in_json(pattern.callback)
        return patterns, app_name, namespace

    def _not_allowed_in_json(self, view: Callable[..., Any]) -> Callable[..., Any]:
        # django-ninja answers a method a path does not take with an HTML "Method not allowed", where a
        # client reads every other error from JSON. Wrapped, the view keeps its attributes (csrf_exempt).
        @functools.wraps(view)
        def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method == "HEAD":
                response = _as_head(view, request, *args, **kwargs)
            else:
                response = view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD"):
                _readable_from_other_sites(response)
            elif (
                request.method == "OPTIONS"
                and "Access-Control-Request-Method" in request.headers
                and isinstance(response, HttpResponseNotAllowed)
                and "GET" in response["Allow"]
            ):
                return _preflight()
            language = getattr(request, _ANSWERED_IN, None)
            if language and 200 <= response.status_code < 300:
                # The language the answer was made in, not the one LocaleMiddleware read from
                # Accept-Language: ?lang=zh-hans answered in Chinese under "Content-Language: en".
                response["Content-Language"] = bcp47(language)
            if not isinstance(response, HttpResponseNotAllowed):
                return response
            allowed = ", ".join(
                sorted({m.strip() for m in response["Allow"].split(",")} | _head_too(response))
            )
            detail = f"{request.method} is not allowed here: {request.path} answers {allowed}."
            refusal = self.create_response(request, {"detail": detail, "errors": {}}, status=405)
            refusal["Allow"] = allowed
            return refusal

        return answer


def _as_head(view: Callable[..., Any], request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
    """HEAD answered as GET is, without the body (RFC 9110, 9.3.2: a general-purpose server must answer
    both): django-ninja routes GET only, and a client checking a record's ETag or size got 405."""
    request.method = "GET"
    try:
        response = view(request, *args, **kwargs)
    finally:
        request.method = "HEAD"
    if isinstance(response, HttpResponseNotAllowed):
        return response
    # The validator GET's answer gets (ConditionalGetMiddleware makes it for GET only), from the body
    # about to be dropped.
    if 200 <= response.status_code < 300:
        set_response_etag(response)
    length = response.get("Content-Length") or str(len(response.content))
    response.content = b""
    response["Content-Length"] = length
    return response


def _head_too(response: HttpResponseNotAllowed) -> set[str]:
    return {"HEAD"} if "GET" in response["Allow"] else set()


api = Api(
    title="Lifelong Learning Resource Centre API",
    version="1",
    description="Read and search the catalogue; curators with a token can add resources.",
    urls_namespace="api",
    # Its own page loads Swagger UI from a CDN: /api/v1/docs is ours instead (llrc.api.reference).
    docs_url=None,
    parser=StrictJsonParser(),
)


# The catalogue names a description's parts as its services do; a client wrote the API's names, and an
# error must name the field the client can fix (it said "resource_type" for `type`, "title" for `titles`).
_API_FIELD = {
    "resource_type": "type",
    "title": "titles",
    "summary": "summaries",
    "plain_summary": "plain_summaries",
}


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    given = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    errors = {_API_FIELD.get(name, name): messages for name, messages in given.items()}
    fields = ", ".join(errors)
    return api.create_response(
        request,
        {"detail": f"The resource was not saved: check {fields}.", "errors": errors},
        status=422,
    )


@api.exception_handler(NinjaValidationError)
def _request_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", []) if p not in ("body", "query", "path", "payload")]
        message = str(item.get("msg", "invalid"))
        if item.get("type") == "extra_forbidden":
            message = "unknown field: the API does not read it (see /api/v1/docs for the fields)"
        errors.setdefault(".".join(loc) or "request", []).append(message)
    return api.create_response(
        request,
        {"detail": "The request is not valid: check " + ", ".join(errors) + ".", "errors": errors},
        status=422,
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja answers a parser's exception with HttpError(400, "Cannot parse request body") raised
    # from it: the reason, and the status it calls for, are its cause (llrc.api.body).
    cause = exc.__cause__
    if isinstance(cause, BodyError):
        return api.create_response(
            request, {"detail": cause.detail, "errors": cause.errors}, status=cause.status
        )
    return api.create_response(
        request, {"detail": exc.message, "errors": {}}, status=exc.status_code
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django refuses a body past DATA_UPLOAD_MAX_MEMORY_SIZE; left to Django, the client got its HTML
    # "Bad Request" page, which says nothing about why.
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return api.create_response(
        request,
        {
            "detail": f"The request body is larger than the {limit / 2**20:.1f} MiB a request may send.",
            "errors": {},
        },
        status=413,
    )


@api.exception_handler(SearchInputError)
def _search_error(request: HttpRequest, exc: SearchInputError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc), "errors": {}}, status=400)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or "Not found", "errors": {}}, status=404
    )


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": "A curator's API token is needed (Authorization: Bearer <token>).",
            "errors": {},
        },
        status=401,
    )


_ANSWERED_IN = "llrc_answered_in"
# Tags readers' systems send for simplified Chinese, which the catalogue writes zh-hans.
_SIMPLIFIED_CHINESE = {"zh", "zh-cn", "zh-sg", "zh-hans-cn", "zh-hans-sg"}


def _language(request: HttpRequest, raw: str) -> str:
    """`lang` as the catalogue writes language tags, whatever its case (BCP 47 tags are case-insensitive:
    zh-Hans, the standard spelling, gave English links and notices beside Chinese titles), and recorded
    as the answer's Content-Language. A tag the catalogue does not know is refused: it fell back to
    English without a word."""
    tag = normalise_language_tag(raw)
    tag = "zh-hans" if tag in _SIMPLIFIED_CHINESE else tag
    if not known_language_tag(tag):
        raise HttpError(
            422,
            f"lang: unknown language {raw!r}; use a language code such as en, zh-hans, fr, es, ar or ru.",
        )
    setattr(request, _ANSWERED_IN, tag)
    return tag


class SearchFilters(Schema):
    q: str = ""
    type: list[str] = []
    language: list[str] = []
    country: list[str] = []
    year: list[str] = []
    subject: list[str] = []
    target_group: list[str] = []
    collection: list[str] = []
    region: list[str] = []
    sdg: list[str] = []
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=search_services.MAX_PAGE_SIZE)
    all_values: str = Field(
        "",
        description=(
            "A facet to list with every value, not only its most frequent (those named in facets_cut)"
        ),
    )
    lang: str = Field(
        "en",
        description=(
            "Language of titles and summaries (any language code: en, zh-hans, fr, es, ar, ru...); "
            "in en or zh-hans, of notices and labels too"
        ),
    )
    sort: str = Field("relevance", json_schema_extra={"enum": list(SORTS)})
    cursor: str | None = Field(
        None,
        description=(
            "Cursor paging: * for the first page, then next_cursor; the results the pages list, in id "
            "order"
        ),
    )

    def filters(self) -> dict[str, list[str]]:
        # The filterable facets are the search service's own list; "status" is not for readers to choose.
        names = [n for n in (*FACETS, *FILTER_ONLY) if n != "status"]
        return {n: getattr(self, n) for n in names if getattr(self, n)}


resources = Router(tags=["resources"])


_ONE_VALUE = ("q", "page", "page_size", "lang", "sort", "cursor", "all_values")


def _parameter_notices(request: HttpRequest) -> list[str]:
    """What the search left aside, said: a parameter it does not know (type[]=report searched the whole
    catalogue, unfiltered, without a word) and one of a single value given more than once (q=a&q=b
    searched b)."""
    known = set(SearchFilters.model_fields)
    notices = [
        _(
            "The parameter %(name)s is not one this search knows and was left out; it knows %(known)s."
        )
        % {"name": repr(name), "known": list_separator().join(sorted(known))}
        for name in request.GET
        if name not in known
    ]
    notices += [
        _("%(name)s was given %(count)d times; the last one was used.")
        % {"name": name, "count": len(request.GET.getlist(name))}
        for name in _ONE_VALUE
        if len(request.GET.getlist(name)) > 1
    ]
    return notices


def _search(request: HttpRequest, params: SearchFilters) -> dict[str, Any]:
    # `lang` chooses the titles shown; in an interface language it is the language of the notices and
    # labels too (a client asking lang=zh-hans got Chinese titles beside English notices). Otherwise
    # they follow Accept-Language, as before.
    lang = _language(request, params.lang)
    interface = lang if lang in dict(settings.LANGUAGES) else translation.get_language()
    with translation.override(interface):
        page = search_services.search_resources(
            params.q,
            filters=params.filters(),
            page=params.page,
            page_size=params.page_size,
            lang=lang,
            sort=params.sort,
            cursor=params.cursor,
            whole_facet=params.all_values,
        )
        answer = serializers.search_page(request, page, lang)
        answer["notices"] += _parameter_notices(request)
        if params.all_values and params.all_values not in FACETS:
            answer["notices"].append(
                _("all_values: “%(name)s” is not a facet; the facets are %(facets)s.")
                % {"name": params.all_values, "facets": list_separator().join(FACETS)}
            )
        if page.total and not page.hits and params.cursor is None:
            # An empty list said nothing of why (the pages say it under the results).
            answer["notices"].append(
                _("Page %(page)d is past the last page of these results, page %(last)d.")
                % {"page": page.page, "last": page.page_count}
            )
    # Notices and labels are in the interface language; titles and summaries in `lang` where the
    # resources have it.
    setattr(request, _ANSWERED_IN, interface)
    return answer


@api.get("/", include_in_schema=False)
def index(request: HttpRequest) -> dict[str, Any]:
    """Where the API's parts are: /api/v1 answered a 404, which told a developer nothing."""
    here = request.build_absolute_uri("/api/v1/")
    return {
        "docs": here + "docs",
        "openapi": here + "openapi.json",
        "endpoints": {
            name: here + name for name in ("search", "resources", "collections", "vocabularies")
        },
    }


@api.get("/search", response={200: SearchOut, 400: ErrorOut, 422: ErrorOut}, tags=["search"])
def search(request: HttpRequest, params: Query[SearchFilters]) -> dict[str, Any]:
    """Search published resources: words in any language, filters that combine, facet counts."""
    return _search(request, params)


@resources.get("", response={200: SearchOut, 400: ErrorOut, 422: ErrorOut})
def list_resources(request: HttpRequest, params: Query[SearchFilters]) -> dict[str, Any]:
    """List published resources, newest first, filtered like search."""
    return _search(request, params)


@resources.get("/{resource_id}", response={200: ResourceOut, 404: ErrorOut, 410: ErrorOut})
def get_resource(request: HttpRequest, resource_id: int, lang: str = "en") -> Any:
    """One published resource with all its metadata and related resources; 410 for one withdrawn."""
    lang = _language(request, lang)
    resource = queries.get_published_resource(resource_id)
    if resource is None and queries.was_withdrawn(resource_id):
        # A 404 said the same as for a number that never was one: a mirror kept its copy.
        return Status(
            410,
            {"detail": f"Resource {resource_id} was withdrawn from the catalogue.", "errors": {}},
        )
    if resource is None:
        raise Http404(f"There is no published resource {resource_id}.")
    out = serializers.resource_full(request, resource, lang)
    out["related"] = [
        serializers.related_summary(request, related, lang)
        for related in search_services.related_resources(resource)
    ]
    return out


@resources.post(
    "",
    response={
        201: ResourceOut,
        400: ErrorOut,
        401: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
        422: ErrorOut,
    },
    auth=StaffToken(),
)
def create_resource(request: HttpRequest, payload: ResourceIn) -> Status[dict[str, Any]]:
    """Add a resource (curators, with an API token). Invalid input is refused whole, naming each field."""
    data = ResourceData(
        resource_type=payload.type,
        titles=payload.titles,
        original_language=payload.original_language,
        summaries=payload.summaries,
        plain_summaries=payload.plain_summaries,
        creators=[CreatorData(c.name, c.kind, c.role) for c in payload.creators],
        publisher=payload.publisher,
        date_issued=payload.date_issued,
        languages=payload.languages,
        countries=payload.countries,
        regions=payload.regions,
        subjects=payload.subjects,
        sdg_targets=payload.sdg_targets,
        target_groups=payload.target_groups,
        education_levels=payload.education_levels,
        keywords=payload.keywords,
        licence=payload.licence,
        access_rights=payload.access_rights,
        identifiers=[(i.scheme, i.value) for i in payload.identifiers],
        relations=[(r.kind, r.resource_id) for r in payload.relations],
        collections=payload.collections,
        status=payload.status,
        source="api",
    )
    # The catalogue's checks speak the active language (the admin's Chinese for its curators); the API's
    # refusals are in English, as its other messages are, whatever Accept-Language a client sends.
    with translation.override("en"):
        resource = services.create_resource(data, actor=request.auth)  # type: ignore[attr-defined]
    fresh = queries.get_published_resource(resource.pk) or resource
    return Status(201, serializers.resource_full(request, fresh, "en"))


collections = Router(tags=["collections"])


@collections.get("", response=list[CollectionOut])
def list_collections(request: HttpRequest, lang: str = "en") -> list[dict[str, Any]]:
    lang = _language(request, lang)
    out = []
    for tree in queries.collection_tree():
        stack = list(tree.collections)
        while stack:
            node = stack.pop(0)
            out.append(serializers.collection(node.collection, lang, node.count))
            stack[0:0] = node.children
    return out


@collections.get("/{slug}", response={200: CollectionOut, 404: ErrorOut})
def get_collection(request: HttpRequest, slug: str, lang: str = "en") -> dict[str, Any]:
    lang = _language(request, lang)
    collection = queries.get_collection(slug)
    if collection is None:
        raise Http404(f"There is no collection {slug!r}.")
    # Counted as the list counts it (resource_count was null here).
    return serializers.collection(collection, lang, queries.published_count(collection))


vocabularies = Router(tags=["vocabularies"])


@vocabularies.get("", response=list[SchemeOut])
def list_schemes(request: HttpRequest) -> list[dict[str, Any]]:
    return vocab_queries.schemes()


CONCEPTS_AT_MOST = 500  # concepts in one answer of /vocabularies/{scheme}


@vocabularies.get("/{scheme}", response={200: list[ConceptOut], 404: ErrorOut, 422: ErrorOut})
def list_concepts(
    request: HttpRequest,
    scheme: str,
    q: str = "",
    lang: str = "en",
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Concepts of one scheme, optionally those whose labels contain `q` (in any language)."""
    lang = _language(request, lang)
    if not vocab_queries.scheme_exists(scheme):
        raise Http404(f"There is no vocabulary {scheme!r}.")
    # Refused, not adjusted: limit=0 gave one concept and limit=100000 five hundred, without a word.
    if not 1 <= limit <= CONCEPTS_AT_MOST:
        raise HttpError(422, f"limit: give a number from 1 to {CONCEPTS_AT_MOST}, not {limit}.")
    if offset < 0:
        raise HttpError(422, f"offset: give 0 or more, not {offset}.")
    concepts = vocab_queries.concepts(scheme, q=q, limit=limit, offset=offset)
    return [serializers.concept(c, lang) for c in concepts]


api.add_router("/resources", resources)
api.add_router("/collections", collections)
api.add_router("/vocabularies", vocabularies)
