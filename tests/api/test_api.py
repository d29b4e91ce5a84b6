"""The REST API on a real database and index, through Django's test client."""

import pytest
from django.contrib.auth import get_user_model

from llrc.accounts.services import issue_token
from llrc.catalogue.models import Agent, AuditEntry, Resource
from llrc.search import services as search

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(make_resource):
    zh = make_resource(
        titles={"zh-hans": "社区教育与终身学习"},
        original_language="zh-hans",
        summaries={},
        countries=["CN"],
        languages=["zh"],
    )
    en = make_resource(
        titles={"en": "Learning cities in practice"},
        countries=["IE"],
        languages=["en"],
        resource_type="good_practice",
    )
    return zh, en


@pytest.fixture
def token(db):
    user = get_user_model().objects.create_user("curator", password="x", is_staff=True)
    return issue_token(user, name="tests")


def test_search_returns_total_results_and_facets(client, two):
    response = client.get("/api/v1/search", {"q": "社区教育"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert body["results"][0]["id"] == two[0].pk
    assert body["results"][0]["title"] == "社区教育与终身学习"
    assert {b["value"]: b["count"] for b in body["facets"]["country"]} == {"CN": 1}


def test_chinese_query_finds_english_resource_through_subject_label(client, two):
    # concept1488 (Lifelong learning) carries our Chinese label 终身学习; the English resource has that subject.
    body = client.get("/api/v1/search", {"q": "终身学习"}).json()
    assert {r["id"] for r in body["results"]} == {two[0].pk, two[1].pk}


def test_search_api_and_service_agree(client, two):
    body = client.get("/api/v1/search", {"q": "learning", "lang": "en"}).json()
    page = search.search_resources("learning", lang="en")
    assert body["total"] == page.total
    assert [r["id"] for r in body["results"]] == [h.resource.pk for h in page.hits]


def test_filters_combine_in_api(client, two):
    body = client.get(
        "/api/v1/resources", {"country": ["IE", "CN"], "type": "good_practice"}
    ).json()
    assert [r["id"] for r in body["results"]] == [two[1].pk]


def test_search_speaks_the_language_asked_for(client, two):
    english = client.get("/api/v1/search", {"type": ["good_practice", "NOPE"]}).json()
    assert english["notices"] == ["Type “NOPE” is not a known value: no resource matches it."]
    assert "Case study or good practice" in {b["label"] for b in english["facets"]["type"]}
    # lang chooses the titles, and in an interface language the notices and labels too.
    chinese = client.get(
        "/api/v1/search", {"type": ["good_practice", "NOPE"], "lang": "zh-hans"}
    ).json()
    assert chinese["notices"] == ["类型“NOPE”不是已知的取值，没有资源与之匹配。"]
    assert "案例或优秀实践" in {b["label"] for b in chinese["facets"]["type"]}
    # A content language that is no interface language leaves them to Accept-Language.
    french = client.get("/api/v1/search", {"type": "NOPE", "lang": "fr"}).json()
    assert french["notices"] == english["notices"]


def test_get_one_resource_with_all_metadata(client, two):
    body = client.get(f"/api/v1/resources/{two[1].pk}").json()
    assert body["titles"] == {"en": "Learning cities in practice"}
    assert body["countries"] == [{"code": "IE", "label": "Ireland"}]
    assert body["subjects"][0]["code"] == "concept1488"
    assert body["creators"][0]["role"] == "issuer"
    chinese = client.get(f"/api/v1/resources/{two[1].pk}", {"lang": "zh-hans"}).json()
    assert chinese["countries"][0]["label"] == "爱尔兰"


def test_a_resource_lists_its_related_resources_as_its_page_does(client, two):
    """The record's page lists related resources; the API's record had none."""
    body = client.get(f"/api/v1/resources/{two[1].pk}", {"lang": "zh-hans"}).json()
    # The two share a subject (concept1488).
    assert [r["id"] for r in body["related"]] == [two[0].pk]
    assert body["related"][0]["title"] == "社区教育与终身学习"
    assert body["related"][0]["url"].endswith(f"/zh-hans/resources/{two[0].pk}/")
    # Its languages, as a search lists them (they were always empty).
    assert body["related"][0]["languages"] == [{"code": "zh", "label": "中文"}]


def test_a_facet_cut_to_its_most_frequent_values_is_named_and_can_be_listed_whole(
    client, make_resource
):
    """A facet lists its 30 most frequent values: the API neither said that values were left out nor
    could list them all, as the pages can."""
    from llrc.vocabularies.models import Concept, Scheme

    codes = sorted(
        Concept.objects.filter(scheme=Scheme.LANGUAGE, code__regex=r"^[a-z]{2}$").values_list(
            "code", flat=True
        )
    )[:32]
    for code in codes:
        make_resource(titles={"en": f"Literacy in {code}"}, languages=[code], subjects=[])
    body = client.get("/api/v1/search", {"q": "literacy"}).json()
    assert "language" in body["facets_cut"] and len(body["facets"]["language"]) == 30
    whole = client.get("/api/v1/search", {"q": "literacy", "all_values": "language"}).json()
    assert "language" not in whole["facets_cut"]
    assert {b["value"] for b in whole["facets"]["language"]} == set(codes)
    assert whole["notices"] == []
    wrong = client.get("/api/v1/search", {"q": "literacy", "all_values": "colour"}).json()
    assert wrong["notices"] == [
        "all_values: “colour” is not a facet; the facets are type, language, country, year, "
        "subject, target_group, collection."
    ]


def test_a_withdrawn_resource_is_gone_not_unknown(client, two):
    """A withdrawn resource answered the 404 of a number that never was one: a mirror kept its copy."""
    from llrc.catalogue.models import Resource, Status

    Resource.objects.filter(pk=two[0].pk).update(status=Status.WITHDRAWN)
    gone = client.get(f"/api/v1/resources/{two[0].pk}")
    assert gone.status_code == 410
    assert gone.json()["detail"] == f"Resource {two[0].pk} was withdrawn from the catalogue."
    assert client.get("/api/v1/resources/999999").status_code == 404
    page = client.get(f"/en/resources/{two[0].pk}/")
    assert page.status_code == 404
    assert "This resource was withdrawn from the catalogue." in page.content.decode()


def test_the_api_root_lists_where_its_parts_are(client, db):
    """/api/v1 led to a JSON 404, which told a developer nothing."""
    assert client.get("/api/v1")["Location"] == "/api/v1/"
    body = client.get("/api/v1/").json()
    assert body["docs"] == "http://testserver/api/v1/docs"
    assert body["openapi"] == "http://testserver/api/v1/openapi.json"
    for url in [body["docs"], body["openapi"], *body["endpoints"].values()]:
        assert client.get(url.removeprefix("http://testserver")).status_code == 200, url


def test_a_partner_site_may_read_the_api_from_its_pages(client, two, token):
    """No answer said another site's page may read it (CORS): a partner's search box could not use the
    API, and the browser's question before a GET was refused with 405."""
    partner = {"HTTP_ORIGIN": "https://partner.example"}
    for url in (
        "/api/v1/search?q=learning",
        f"/api/v1/resources/{two[0].pk}",
        "/api/v1/search?page=0",
    ):
        response = client.get(url, **partner)
        assert response["Access-Control-Allow-Origin"] == "*", url
        assert "ETag" in response["Access-Control-Expose-Headers"]
    asked = client.options("/api/v1/search", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", **partner)
    assert asked.status_code == 204 and asked["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert "If-None-Match" in asked["Access-Control-Allow-Headers"]
    # Writing stays with the site itself: a write is not offered to other sites.
    write = client.post(
        "/api/v1/resources",
        data="{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **partner,
    )
    assert not write.has_header("Access-Control-Allow-Origin")
    assert client.options("/api/v1/search").status_code == 405


def test_a_language_tag_filters_as_its_language(client, two):
    """language=zh-hans, as the API writes a record's language, found nothing: the facet's codes are
    languages without script or region."""
    for tag in ("zh-hans", "zh-Hant", "zh_CN", "ZH"):
        body = client.get("/api/v1/search", {"language": tag}).json()
        assert [r["id"] for r in body["results"]] == [two[0].pk], tag
        assert body["notices"] == []
    assert client.get("/api/v1/search", {"q": "language:en-GB"}).json()["total"] == 1


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/resources/999999", 404),
        ("/api/v1/resources/abc", 422),
        # A parameter out of its range is refused as one of the wrong type is (page=0 was 400, abc
        # 422), and the OpenAPI document gives the range.
        ("/api/v1/search?page=0", 422),
        ("/api/v1/search?page=abc", 422),
        ("/api/v1/search?page_size=100000", 422),
        ("/api/v1/search?page_size=0", 422),
        ("/api/v1/collections/nowhere", 404),
        ("/api/v1/vocabularies/planets", 404),
    ],
)
def test_bad_requests_get_json_errors_not_500(client, two, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_a_page_past_the_last_says_so(client, two):
    """An empty list of results said nothing of why; page=501 of a small search was refused as if it
    had asked past the 10,000 results served."""
    for page in (5, 501):
        body = client.get("/api/v1/search", {"page": page}).json()
        assert body["results"] == [] and body["total"] == 2
        assert f"Page {page} is past the last page of these results, page 1." in body["notices"]
    body = client.get("/api/v1/search").json()
    assert len(body["results"]) == 2 and not body["notices"]
    chinese = client.get("/api/v1/search", {"page": 5, "lang": "zh-hans"}).json()
    assert "第 5 页已超出这些结果的最后一页（第 1 页）。" in chinese["notices"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize(
    ("url", "allowed"),
    [("/api/v1/resources", {"GET", "HEAD", "POST"}), ("/api/v1/resources/1", {"GET", "HEAD"})],
)
def test_a_method_not_allowed_is_answered_in_json(client, method, url, allowed):
    response = client.generic(method, url, "{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert {m.strip() for m in response["Allow"].split(",")} == allowed
    body = response.json()
    assert body["errors"] == {}
    assert method in body["detail"] and "GET" in body["detail"]


def test_head_is_answered_as_get_without_the_body(client, two):
    """Every data endpoint refused HEAD with 405 (RFC 9110: a general-purpose server answers GET and
    HEAD); a client checking a record's ETag or size before fetching it could not."""
    for url in (
        f"/api/v1/resources/{two[0].pk}",
        "/api/v1/search?q=learning",
        "/api/v1/resources",
        "/api/v1/collections",
        "/api/v1/vocabularies",
    ):
        got = client.get(url)
        head = client.head(url)
        assert head.status_code == 200, (url, head.content)
        assert head.content == b""
        assert head["Content-Type"] == got["Content-Type"]
        assert head["ETag"] == got["ETag"], url
        assert head["Content-Length"] == got["Content-Length"] == str(len(got.content)), url
    assert client.head("/api/v1/resources/999999").status_code == 404


def post_resource(client, token, payload):
    return client.post(
        "/api/v1/resources",
        payload,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_create_needs_a_token(client):
    response = client.post(
        "/api/v1/resources",
        {"type": "report", "titles": {"en": "x"}},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert "token" in response.json()["detail"]


def test_create_with_token(client, token, django_capture_on_commit_callbacks):
    payload = {
        "type": "report",
        "titles": {"en": "Adult learning survey", "zh-hans": "成人学习调查"},
        "original_language": "en",
        "date_issued": "2020-05",
        "countries": ["KR"],
        "identifiers": [{"scheme": "isbn", "value": "978-0-306-40615-7"}],
        "collections": ["policies"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post_resource(client, token, payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["identifiers"] == [{"scheme": "isbn", "value": "9780306406157"}]
    assert (
        AuditEntry.objects.get(resource_id_ref=body["id"], action="create").actor_label == "curator"
    )
    assert client.get("/api/v1/search", {"q": "成人学习调查"}).json()["total"] == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"languages": ["qq"]}, "languages"),
        ({"countries": ["XX"]}, "countries"),
        ({"identifiers": [{"scheme": "isbn", "value": "9780306406158"}]}, "identifiers"),
        ({"identifiers": [{"scheme": "doi", "value": "10.x/abc"}]}, "identifiers"),
        ({"date_issued": "2019-02-29"}, "date_issued"),
        ({"date_issued": "9999-12-31"}, "date_issued"),
        # The fields are named as the API names them, not as the catalogue's services do.
        ({"titles": {"en": ""}}, "titles"),
        ({"titles": "not an object"}, "titles"),
        ({"type": "novel"}, "type"),
        ({"summaries": {"klingon": "Qapla"}}, "summaries"),
        ({"plain_summaries": {"en": "x" * 20001}}, "plain_summaries"),
        # Characters no text holds: they failed the write with a 500 (SQLite cannot be sent a lone
        # surrogate; PostgreSQL refuses NUL), or were stored where no XML export could carry them.
        ({"titles": {"en": "Adult\u0000learning"}}, "titles"),
        ({"summaries": {"en": "half a character: \ud800"}}, "summaries"),
        ({"creators": [{"name": "A\u0007B"}]}, "creators"),
        ({"countries": ["\ud83d"]}, "countries"),
        ({"publisher": "x" * 301}, "publisher"),
        # A well-formed language tag longer than the column (16) failed PostgreSQL's write.
        ({"titles": {"en-aaaaaaaa-bbbbbbbb": "Survey"}}, "titles"),
        ({"creators": [{"name": "x" * 301, "kind": "person"}]}, "creators"),
        # Values that show nothing (format, control and separator characters, Hangul fillers).
        ({"titles": {"en": "\u200b"}}, "titles"),
        ({"titles": {"en": "\u202e"}}, "titles"),
        ({"titles": {"en": "\ufeff\u2060"}}, "titles"),
        ({"titles": {"en": "\u3164"}}, "titles"),
        ({"titles": {"en": "\x7f"}}, "titles"),
        ({"titles": {"en": "\x80\x81"}}, "titles"),
        ({"creators": [{"name": "\u2060"}]}, "creators"),
        # Identifiers in other scripts' digits, or holding a line break or an invisible character.
        ({"identifiers": [{"scheme": "doi", "value": "10.١٢٣٤/x"}]}, "identifiers"),
        ({"identifiers": [{"scheme": "handle", "value": "١٠٥٦٨/1"}]}, "identifiers"),
        ({"identifiers": [{"scheme": "ark", "value": "ark:/١٢٣٤٥/abc"}]}, "identifiers"),
        ({"identifiers": [{"scheme": "url", "value": "https://exa\nmple.org/1"}]}, "identifiers"),
        ({"identifiers": [{"scheme": "doi", "value": "10.1234/\u200b"}]}, "identifiers"),
        ({"identifiers": [{"scheme": "isbn", "value": "978030640615²"}]}, "identifiers"),
        (
            {"identifiers": [{"scheme": "url", "value": "https://example.org/" + "a" * 500}]},
            "identifiers",
        ),
    ],
)
def test_invalid_create_is_refused_whole(client, token, change, field):
    payload = {"type": "report", "titles": {"en": "Adult learning survey"}, **change}
    before = Resource.objects.count()
    response = post_resource(client, token, payload)
    assert response.status_code == 422
    body = response.json()
    assert field in body["errors"], body
    assert field in body["detail"]
    assert Resource.objects.count() == before


def test_a_translation_is_linked_as_it_is_created(
    client, token, make_resource, django_capture_on_commit_callbacks
):
    """A partner submitting the Chinese version of an English resource links it in the same request,
    both ways; relations could not be written through the API at all."""
    english = make_resource(titles={"en": "Community learning centres"}, languages=["en"])
    payload = {
        "type": "report",
        "titles": {"zh-hans": "社区学习中心"},
        "original_language": "zh-hans",
        "languages": ["zh"],
        "relations": [{"kind": "translation_of", "resource_id": english.pk}],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post_resource(client, token, payload)
    assert response.status_code == 201, response.content
    chinese = response.json()
    assert chinese["relations"] == [{"kind": "translation_of", "resource_id": english.pk}]
    back = client.get(f"/api/v1/resources/{english.pk}").json()["relations"]
    assert back == [{"kind": "translation_of", "resource_id": chinese["id"]}]
    assert AuditEntry.objects.filter(action="relate", resource_id_ref=chinese["id"]).exists()
    before = (Resource.objects.count(), AuditEntry.objects.count())
    for relations, message in (
        ([{"kind": "translation_of", "resource_id": 999999}], "no resource 999999"),
        ([{"kind": "cousin_of", "resource_id": english.pk}], "unknown kind 'cousin_of'"),
    ):
        refused = post_resource(client, token, {**payload, "relations": relations})
        assert refused.status_code == 422
        assert message in refused.json()["errors"]["relations"][0]
    assert (Resource.objects.count(), AuditEntry.objects.count()) == before


def test_unknown_fields_are_refused_by_name(client, token):
    # They were dropped in silence: a client writing "summary" for "summaries" lost its summary.
    payload = {
        "type": "report",
        "titles": {"en": "Survey"},
        "summary": {"en": "Lost"},
        "subject": ["concept1488"],
        "relations": [{"kind": "part_of", "resource_id": 1, "resource": 1}],
        "creators": [{"name": "UIL", "rol": "editor"}],
    }
    before = Resource.objects.count()
    response = post_resource(client, token, payload)
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert set(body["errors"]) == {"summary", "subject", "relations.0.resource", "creators.0.rol"}
    assert all("unknown field" in messages[0] for messages in body["errors"].values())
    assert "summary" in body["detail"] and "creators.0.rol" in body["detail"]
    assert Resource.objects.count() == before


@pytest.mark.parametrize(
    ("body", "key"),
    [
        # json keeps the last value in silence, which passed by the "two values in one language" check.
        ('{"type": "report", "titles": {"en": "First", "en": "Second"}}', "titles.en"),
        ('{"type": "report", "type": "policy", "titles": {"en": "Survey"}}', "type"),
        (
            '{"type": "report", "titles": {"en": "S"}, "creators": [{"name": "A", "name": "B"}]}',
            "creators.0.name",
        ),
    ],
)
def test_a_key_given_twice_is_refused_by_name(client, token, body, key):
    before = Resource.objects.count()
    response = post_resource(client, token, body)
    assert response.status_code == 422
    assert response.json()["errors"] == {key: ["given twice: give each key once"]}
    assert key in response.json()["detail"]
    assert Resource.objects.count() == before


@pytest.mark.parametrize("content_type", ["text/plain", "", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_declared_json_is_refused(client, token, content_type):
    before = Resource.objects.count()
    response = client.generic(
        "POST",
        "/api/v1/resources",
        '{"type": "report", "titles": {"en": "Survey"}}',
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 415
    assert response["Content-Type"].startswith("application/json")
    assert "application/json" in response.json()["detail"]
    assert response.json()["errors"] == {}
    assert Resource.objects.count() == before


def test_a_body_that_is_not_json_says_where(client, token):
    response = post_resource(client, token, '{"type": "report",\n "titles": {"en": "x"}')
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert "line 2, column 23" in body["detail"]
    assert list(body["errors"]) == ["body"]
    not_utf8 = post_resource(client, token, b'{"type": "report", "titles": {"en": "\xff"}}')
    assert not_utf8.status_code == 400 and "UTF-8" in not_utf8.json()["detail"]


def test_keywords_are_written_and_read(client, token):
    payload = {"type": "report", "titles": {"en": "Survey"}, "keywords": ["adult learning", "UIL"]}
    response = post_resource(client, token, payload)
    assert response.status_code == 201, response.content
    assert response.json()["keywords"] == ["adult learning", "UIL"]
    assert Resource.objects.get(pk=response.json()["id"]).keywords == ["adult learning", "UIL"]
    refused = post_resource(client, token, {**payload, "keywords": ["x" * 201]})
    assert refused.status_code == 422 and "keywords" in refused.json()["errors"]


def test_a_publisher_of_spaces_is_no_publisher(client, token):
    payload = {"type": "report", "titles": {"en": "Survey"}, "publisher": " \t "}
    response = post_resource(client, token, payload)
    assert response.status_code == 201, response.content
    assert response.json()["publisher"] is None
    assert not Agent.objects.filter(name="").exists()


def test_a_body_too_large_is_refused_with_a_message(client, token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    payload = {"type": "report", "titles": {"en": "Survey"}, "summaries": {"en": "x" * 100_001}}
    before = Resource.objects.count()
    response = post_resource(client, token, payload)
    assert response.status_code == 413
    assert "larger than the 0.1 MiB" in response.json()["detail"]
    assert Resource.objects.count() == before


def test_collections_and_vocabularies(client, two):
    collections = client.get("/api/v1/collections").json()
    laws = next(c for c in collections if c["slug"] == "laws")
    assert laws["parent"] == "policies" and laws["resource_count"] == 2
    # One collection is counted as the list counts it (its count was null).
    assert client.get("/api/v1/collections/laws").json()["resource_count"] == 2
    schemes = {s["scheme"]: s["concepts"] for s in client.get("/api/v1/vocabularies").json()}
    assert schemes["unesco"] > 4000 and schemes["sdg"] > 150
    found = client.get("/api/v1/vocabularies/unesco", {"q": "Lifelong learning"}).json()
    assert any(c["code"] == "concept1488" for c in found)
    targets = client.get("/api/v1/vocabularies/sdg", {"q": "4.6"}).json()
    assert targets[0]["labels"]["zh-hans"]


def test_odd_lookups_are_answered_not_failed(client, two):
    # Each failed with a server error on PostgreSQL (%00) or on SQLite (an offset past 64 bits).
    assert client.get("/api/v1/collections/laws%00").status_code == 404
    found = client.get("/api/v1/vocabularies/unesco", {"q": "Lifelong\x00"})
    assert any(c["code"] == "concept1488" for c in found.json())
    past = client.get("/api/v1/vocabularies/unesco", {"offset": "99999999999999999999"})
    assert past.status_code == 200 and past.json() == []


def test_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/v1/search", "/api/v1/resources", "/api/v1/resources/{resource_id}"} <= set(
        doc["paths"]
    )
    # The orders a search takes are listed, and what lang does is said (a client had to guess).
    search_params = {p["name"]: p for p in doc["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert search_params["sort"]["schema"]["enum"] == ["relevance", "newest", "oldest", "title"]
    assert "zh-hans" in search_params["lang"]["schema"]["description"]


def test_healthz(client, two):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["index"].startswith("ok")


def test_search_query_language_and_sort_through_api(client, make_resource):
    old = make_resource(titles={"en": "Adult literacy in 1990"}, date_issued="1990")
    new = make_resource(titles={"en": "Adult literacy today"}, date_issued="2024")
    body = client.get("/api/v1/search", {"q": "literacy", "sort": "oldest"}).json()
    assert [r["id"] for r in body["results"]] == [old.pk, new.pk]
    body = client.get("/api/v1/search", {"q": "literacy year:2020..2030"}).json()
    assert [r["id"] for r in body["results"]] == [new.pk]
    body = client.get("/api/v1/search", {"q": '"adult literacy'}).json()
    assert body["total"] == 2 and body["notices"]
    assert client.get("/api/v1/search", {"q": "x", "sort": "random"}).status_code == 400
    odd = client.get("/api/v1/search", {"q": "literacy", "country": "\x00"})
    assert odd.status_code == 400 and "not text" in odd.json()["detail"]


def test_refusals_stay_in_english_whatever_language_the_client_asks_for(client, token):
    """The catalogue's checks speak the admin's language (Chinese for curators in Shanghai); the API's
    refusals are English like its other messages, even for a client sending Accept-Language: zh."""
    payload = {
        "type": "report",
        "titles": {"en": "Shanghai \u202egpj.exe"},
        "date_issued": "9999",
        "identifiers": [{"scheme": "isbn", "value": "978-0-306-40615-8"}],
    }
    response = client.post(
        "/api/v1/resources",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "opens a change of direction" in errors["titles"][0]
    assert "years ahead" in errors["date_issued"][0]
    assert "wrong check digit" in errors["identifiers"][0]


def test_snippets_are_plain_text(client, make_resource):
    """Snippets reached clients with HTML's escapes in them: "China&#x27;s", "&quot;"."""
    make_resource(
        titles={"en": "China's education law"},
        summaries={"en": 'China\'s basic law on "education" & learning, <for all>.'},
    )
    hit = client.get("/api/v1/search", {"q": "education"}).json()["results"][0]
    assert hit["snippet"] == 'China\'s basic law on "education" & learning, <for all>.'


@pytest.mark.parametrize("asked", ["zh-Hans", "ZH-HANS", "zh_Hans", "zh", "zh-CN"])
def test_lang_is_read_whatever_its_case(client, two, asked):
    """zh-Hans, BCP 47's own spelling, gave Chinese titles beside English links and notices."""
    body = client.get("/api/v1/search", {"q": '"学习', "lang": asked}).json()
    result = next(r for r in body["results"] if r["id"] == two[0].pk)
    assert result["url"].endswith(f"/zh-hans/resources/{two[0].pk}/")
    assert body["notices"] == ["引号没有闭合，检索式已按普通词语处理。"], body


def test_the_answer_says_the_language_it_is_in(client, two):
    """Content-Language came from Accept-Language: ?lang=zh-hans answered in Chinese said "en", and
    an English answer to a Chinese browser said "zh-hans"."""
    zh, _en = two
    chinese = client.get(f"/api/v1/resources/{zh.pk}", {"lang": "zh-hans"})
    assert chinese["Content-Language"] == "zh-Hans"
    english = client.get(f"/api/v1/resources/{zh.pk}", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert english["Content-Language"] == "en"
    assert client.get("/api/v1/search", {"q": "x", "lang": "zh-hans"})["Content-Language"] == (
        "zh-Hans"
    )


@pytest.mark.parametrize("bad", ["xx", "english", "\x00", "zh-hans-" + "x" * 20])
def test_an_unknown_lang_is_refused_by_name(client, two, bad):
    for url in ("/api/v1/search", f"/api/v1/resources/{two[0].pk}", "/api/v1/collections"):
        response = client.get(url, {"lang": bad})
        assert response.status_code == 422, (url, response.content)
        assert response.json()["detail"].startswith("lang: unknown language"), url


def test_parameters_the_search_left_aside_are_named(client, two):
    """type[]=report searched the whole catalogue, unfiltered, without a word; q=a&q=b searched b."""
    body = client.get("/api/v1/search", {"type[]": "report"}).json()
    assert body["total"] == 2
    assert body["notices"][-1].startswith("The parameter 'type[]' is not one this search knows")
    assert "type" in body["notices"][-1] and "language" in body["notices"][-1]
    twice = client.get("/api/v1/search?q=learning&q=%E7%A4%BE%E5%8C%BA").json()
    assert twice["notices"] == ["q was given 2 times; the last one was used."]
    chinese = client.get("/api/v1/search", {"foo": "1", "lang": "zh-hans"}).json()
    assert chinese["notices"][-1].startswith("本检索不认识参数 'foo'")
    # Filters take several values, and say nothing for it.
    assert client.get("/api/v1/search?type=report&type=policy").json()["notices"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"offset": "-1"}, "offset"),
    ],
)
def test_a_vocabulary_page_out_of_range_is_refused_not_adjusted(client, query, field):
    """limit=0 and limit=-5 gave one concept, limit=100000 five hundred, offset=-5 the first page."""
    response = client.get("/api/v1/vocabularies/isced", query)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{field}: give")


@pytest.mark.parametrize("url", ["/api/v1/nope", "/api/v1/resources/1/", "/api/v1/search/"])
def test_an_address_no_endpoint_answers_gets_the_apis_error_shape(client, url):
    """It was {"detail": "Not found"}, without the errors every other refusal carries, and without
    the charset of every other answer."""
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["errors"] == {} and body["detail"].startswith(f"There is nothing at {url}")
    assert "/api/v1/docs" in body["detail"]


def test_a_304_varies_as_its_200_does(client, make_resource):
    """A 304 to a client holding the plain answer's ETag left out Vary: Accept-Encoding, which the 200
    carried (RFC 9110, 15.4.5)."""
    for n in range(5):
        make_resource(titles={"en": f"Adult literacy campaign {n}"}, subjects=[])
    whole = client.get("/api/v1/resources")
    assert "Accept-Encoding" in whole["Vary"]
    again = client.get("/api/v1/resources", HTTP_IF_NONE_MATCH=whole["ETag"])
    assert again.status_code == 304
    assert {v.strip() for v in again["Vary"].split(",")} == {
        v.strip() for v in whole["Vary"].split(",")
    }
