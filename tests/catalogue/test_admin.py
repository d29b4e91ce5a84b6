"""Curators edit in the Django admin: real forms, real database; bad input is refused whole."""

import pytest
from django.contrib.auth import get_user_model

from llrc.catalogue.models import AuditEntry, Resource, ResourceText
from llrc.catalogue.validation import CONCEPT_FIELDS
from llrc.search import services as search
from llrc.vocabularies.models import Concept, Scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client(client):
    user = get_user_model().objects.create_superuser(
        "editor", "editor@example.org", "pw-for-tests-only"
    )
    client.force_login(user)
    return client


def form_data(**overrides):
    subject = Concept.objects.get(scheme=Scheme.SUBJECT, code="concept1488")
    country = Concept.objects.get(scheme=Scheme.COUNTRY, code="CN")
    data = {
        "resource_type": "policy",
        "status": "published",
        "date_issued": "2011-05",
        "access_rights": "open",
        "source": "",
        "subjects": [str(subject.pk)],
        "countries": [str(country.pk)],
        "text_values-TOTAL_FORMS": "2",
        "text_values-INITIAL_FORMS": "0",
        "text_values-MIN_NUM_FORMS": "1",
        "text_values-MAX_NUM_FORMS": "1000",
        "text_values-0-field": "title",
        "text_values-0-language": "zh-hans",
        "text_values-0-value": "上海市终身教育促进条例",
        "text_values-0-is_original": "on",
        "text_values-1-field": "title",
        "text_values-1-language": "en",
        "text_values-1-value": "Shanghai Regulations on the Promotion of Lifelong Education",
        "contributions-TOTAL_FORMS": "0",
        "contributions-INITIAL_FORMS": "0",
        "identifiers-TOTAL_FORMS": "1",
        "identifiers-INITIAL_FORMS": "0",
        "identifiers-0-scheme": "isbn",
        "identifiers-0-value": "978-0-306-40615-7",
        "relations_out-TOTAL_FORMS": "0",
        "relations_out-INITIAL_FORMS": "0",
        "files-TOTAL_FORMS": "0",
        "files-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def change_data(resource, **overrides):
    """What the admin's change form of `resource` posts back when nothing is changed."""
    data = {
        "resource_type": resource.resource_type,
        "status": resource.status,
        "date_issued": resource.date_issued,
        "access_rights": resource.access_rights,
        "source": resource.source,
        "publisher": str(resource.publisher_id or ""),
        "licence": str(resource.licence_id or ""),
    }
    for name in (*CONCEPT_FIELDS, "collections"):
        data[name] = [str(pk) for pk in getattr(resource, name).values_list("pk", flat=True)]
    rows = {
        "text_values": [
            {"field": t.field, "language": t.language, "value": t.value, "is_original": "on"}
            if t.is_original
            else {"field": t.field, "language": t.language, "value": t.value}
            for t in resource.text_values.all()
        ],
        "contributions": [
            {"agent": str(c.agent_id), "role": c.role, "position": str(c.position)}
            for c in resource.contributions.all()
        ],
        "identifiers": [{"scheme": i.scheme, "value": i.value} for i in resource.identifiers.all()],
        "relations_out": [
            {"kind": r.kind, "target": str(r.target_id)} for r in resource.relations_out.all()
        ],
        "files": [{"language": f.language} for f in resource.files.all()],
    }
    objects = {
        "text_values": list(resource.text_values.all()),
        "contributions": list(resource.contributions.all()),
        "identifiers": list(resource.identifiers.all()),
        "relations_out": list(resource.relations_out.all()),
        "files": list(resource.files.all()),
    }
    for prefix, forms in rows.items():
        data[f"{prefix}-TOTAL_FORMS"] = str(len(forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(forms))
        fk = "source" if prefix == "relations_out" else "resource"
        for i, (form, obj) in enumerate(zip(forms, objects[prefix], strict=True)):
            data.update({f"{prefix}-{i}-{k}": v for k, v in form.items()})
            data[f"{prefix}-{i}-id"] = str(obj.pk)
            data[f"{prefix}-{i}-{fk}"] = str(resource.pk)
    data.update(overrides)
    return data


def test_a_resource_saved_unchanged_in_admin_keeps_its_description(curator_client, make_resource):
    resource = make_resource()
    response = curator_client.post(
        f"/en/admin/catalogue/resource/{resource.pk}/change/", change_data(resource)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert resource.texts("title") == Resource.objects.get(pk=resource.pk).texts("title")


def test_add_resource_in_admin_saves_audits_and_indexes(
    curator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post("/en/admin/catalogue/resource/add/", form_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    resource = Resource.objects.get()
    assert resource.year == 2011
    assert resource.original_language() == "zh-hans"
    assert resource.identifiers.get().value == "9780306406157"
    assert AuditEntry.objects.filter(
        resource_id_ref=resource.pk, action="create", actor_label="editor"
    ).exists()
    assert search.search_resources("终身教育").total == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date_issued": "2011-02-30"}, "does not exist"),
        ({"date_issued": "9999"}, "years ahead"),
        ({"identifiers-0-value": "978-0-306-40615-8"}, "wrong check digit"),
        ({"identifiers-0-scheme": "doi", "identifiers-0-value": "12.34/x"}, "malformed"),
        ({"text_values-0-language": "xx"}, "Unknown language code"),
        ({"text_values-0-value": "", "text_values-1-value": ""}, "a title is required"),
        ({"text_values-0-is_original": ""}, "original"),
        ({"countries": ["999999999"]}, "Select a valid choice"),
        # Pasted from a word processor: a vertical tab where a line broke.
        ({"text_values-1-value": "Shanghai Regulations\x0bon Lifelong Education"}, "U+000B"),
        ({"identifiers-0-scheme": "url", "identifiers-0-value": "https://x.org/a\x0cb"}, "U+000C"),
        # A title of invisible characters only, and one whose direction override is left open.
        ({"text_values-1-value": "\u200b\u2060"}, "no visible character"),
        ({"text_values-1-value": "\u3164"}, "no visible character"),
        ({"text_values-1-value": "Shanghai \u202egpj.exe"}, "U+202E at position 10"),
        # The API's limits (validation.MAX_TITLE, MAX_SUMMARY) hold in the admin too.
        ({"text_values-1-value": "a" * 2001}, "longer than 2000 characters"),
        (
            {"text_values-1-field": "summary", "text_values-1-value": "a" * 20001},
            "longer than 20000 characters",
        ),
    ],
)
def test_bad_input_in_admin_is_refused_and_nothing_is_saved(curator_client, overrides, message):
    before = (Resource.objects.count(), ResourceText.objects.count(), AuditEntry.objects.count())
    response = curator_client.post("/en/admin/catalogue/resource/add/", form_data(**overrides))
    assert response.status_code == 200  # the form comes back with the errors
    assert message in response.content.decode()
    assert (
        Resource.objects.count(),
        ResourceText.objects.count(),
        AuditEntry.objects.count(),
    ) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date_issued": "2011-02-30"}, "发布日期：日期 '2011-02-30' 不存在。"),
        ({"date_issued": "9999"}, "年份 9999 比今年晚 5 年以上"),
        ({"identifiers-0-value": "978-0-306-40615-8"}, "ISBN '978-0-306-40615-8' 的校验位有误"),
        ({"identifiers-0-scheme": "doi", "identifiers-0-value": "12.34/x"}, "格式有误"),
        ({"text_values-0-language": "xx"}, "未知的语言代码 'xx'"),
        ({"text_values-0-value": "", "text_values-1-value": ""}, "标题：至少需要一种语言的标题。"),
        ({"text_values-0-is_original": ""}, "请将资源著录所用语言的标题标为原文"),
        (
            {"text_values-1-value": "Shanghai Regulations\x0bon Lifelong Education"},
            "该文本在第 21 个字符处含有 U+000B（控制字符）：请删除后重新保存。",
        ),
        (
            {"text_values-1-value": "Shanghai \u202egpj.exe"},
            "该文本开启了文字方向变更却未关闭（第 10 个字符处的 U+202E）。",
        ),
        ({"text_values-1-value": "a" * 2001}, "该文本超过 2000 个字符。"),
    ],
)
def test_the_chinese_admin_says_what_is_wrong_in_chinese(curator_client, overrides, message):
    """Contributors at the partner institutions in Shanghai edit in the Chinese admin: its checks were
    sentences built of English pieces ("The text opens a change of direction…", "ISBN … has a wrong
    check digit") under Chinese headings."""
    before = Resource.objects.count()
    response = curator_client.post("/zh-hans/admin/catalogue/resource/add/", form_data(**overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page.replace("&#x27;", "'"), page[page.find("errorlist") - 200 :][:1500]
    assert Resource.objects.count() == before


def test_the_chinese_admin_names_the_fields_in_chinese(curator_client):
    """The resource form of the Chinese admin was English but for Django's own words: its fields
    ("Resource type", "Date issued", "Sdg targets"), sections ("Coverage", "Rights"), rows ("Resource
    texts", "Identifiers") and help ("Where the description came from")."""
    import re

    page = curator_client.get("/zh-hans/admin/catalogue/resource/add/").content.decode()
    for chinese in (
        "添加文件",
        "文件语言",
        "资源类型",
        "发布日期",
        "出版者",
        "覆盖范围",
        "权利",
        "标题和摘要",
        "著录信息的来源",
    ):
        assert chinese in page, chinese
    labels = re.findall(r"<label[^>]*>([^<]+)</label>", page)
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", page)
    helps = re.findall(r'<div class="help"[^>]*>\s*<div>([^<]+)</div>', page)
    english = [t for t in labels + headings + helps if re.search(r"[A-Za-z]{4,}", t)]
    # What stays Latin is a code or a standard's name, not English words.
    allowed = ("SHA-256", "ISO 639-1", "YYYY", "URI")
    assert not [t for t in english if not any(a in t for a in allowed)], english


def test_vocabulary_picker_searches_labels_in_any_language(curator_client):
    url = "/en/admin/autocomplete/"
    params = {"app_label": "catalogue", "model_name": "resource", "field_name": "subjects"}
    english = curator_client.get(url, {**params, "term": "Lifelong learning"}).json()
    chinese = curator_client.get(url, {**params, "term": "终身学习"}).json()
    french = curator_client.get(url, {**params, "term": "Apprentissage tout au long"}).json()
    for answer in (english, chinese, french):
        assert any("Lifelong learning" in item["text"] for item in answer["results"]), answer
    countries = curator_client.get(
        url, {**params, "field_name": "countries", "term": "中国"}
    ).json()
    assert any(item["text"].startswith("CN") for item in countries["results"])
    # The picker offers only concepts of the field's own scheme.
    assert not any(item["text"].startswith("CN") for item in english["results"])


def test_delete_in_admin_goes_through_the_service(curator_client, make_resource):
    resource = make_resource(titles={"en": "To be removed"})
    response = curator_client.post(
        f"/en/admin/catalogue/resource/{resource.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(resource_id_ref=resource.pk, action="delete").exists()


def test_collection_titles_are_edited_one_language_per_field(curator_client):
    from llrc.catalogue.models import Collection, Institution

    institution = Institution.objects.get(slug="uil")
    data = {
        "institution": str(institution.pk),
        "slug": "older-learners",
        "position": "0",
        "title__en": "Older learners",
        "title__zh-hans": "老年学习者",
        "description__en": "",
    }
    response = curator_client.post("/en/admin/catalogue/collection/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Collection.objects.get(slug="older-learners").title == {
        "en": "Older learners",
        "zh-hans": "老年学习者",
    }
    refused = curator_client.post(
        "/en/admin/catalogue/collection/add/",
        {**data, "slug": "nameless", "title__en": "", "title__zh-hans": ""},
    )
    assert refused.status_code == 200 and "at least one language" in refused.content.decode()
    assert not Collection.objects.filter(slug="nameless").exists()


def test_the_chinese_admin_names_each_language_box_in_chinese(curator_client):
    from llrc.catalogue.models import Collection, Institution

    page = curator_client.get("/zh-hans/admin/catalogue/collection/add/").content.decode()
    assert "标题（法语）" in page and "描述（阿拉伯语）" in page, page[:3000]
    assert "Title (French)" not in page
    refused = curator_client.post(
        "/zh-hans/admin/catalogue/collection/add/",
        {
            "institution": str(Institution.objects.get(slug="uil").pk),
            "slug": "nameless",
            "position": "0",
        },
    )
    assert "标题：请至少用一种语言填写。" in refused.content.decode()
    assert not Collection.objects.filter(slug="nameless").exists()


def test_searching_the_admin_lists_for_a_control_character_answers(curator_client):
    for url in (
        "/en/admin/catalogue/resource/?q=%00",
        "/en/admin/catalogue/agent/?q=a%00",
        "/en/admin/vocabularies/concept/?q=%00",
    ):
        assert curator_client.get(url).status_code == 200, url


def test_characters_that_are_not_text_are_refused_in_the_resource_form(curator_client):
    before = (Resource.objects.count(), AuditEntry.objects.count())
    response = curator_client.post(
        "/en/admin/catalogue/resource/add/", form_data(source="typed\x01here")
    )
    assert response.status_code == 200
    assert "U+0001" in response.content.decode()
    assert (Resource.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "UNESCO\x0bInstitute"}, "U+000B"),
        ({"name": "\u2060"}, "no visible character"),
        ({"name": "\u202eUNESCO"}, "U+202E"),
        ({"other_names": '["联合国教科文组织", "bad\\u0001"]'}, "U+0001"),
        ({"other_names": '{"zh": "联合国教科文组织"}'}, "a list of names"),
        ({"other_names": '["ok", "  "]'}, "no visible character"),
    ],
)
def test_an_agent_is_refused_a_name_that_is_not_text(curator_client, fields, message):
    from llrc.catalogue.models import Agent

    data = {"name": "UNESCO", "kind": "organisation", "other_names": "[]", **fields}
    response = curator_client.post("/en/admin/catalogue/agent/add/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Agent.objects.exists()


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/en/admin/catalogue/collection/add/", {"title__en": "Older\x01learners"}),
        ("/en/admin/catalogue/collection/add/", {"description__fr": "D\x1bescription"}),
        ("/en/admin/catalogue/institution/add/", {"name__en": "Open\x07University"}),
    ],
)
def test_collection_and_institution_names_are_refused_characters_that_are_not_text(
    curator_client, url, fields
):
    from llrc.catalogue.models import Collection, Institution

    institution = Institution.objects.get(slug="uil")
    data = {
        "institution": str(institution.pk),
        "slug": "new-one",
        "position": "0",
        "title__en": "Older learners",
        "name__en": "Open University",
        **fields,
    }
    before = (Collection.objects.count(), Institution.objects.count())
    response = curator_client.post(url, data)
    assert response.status_code == 200
    assert "U+00" in response.content.decode()
    assert (Collection.objects.count(), Institution.objects.count()) == before


def test_the_admin_refuses_in_the_curators_language(curator_client):
    response = curator_client.post(
        "/zh-hans/admin/catalogue/agent/add/",
        {"name": "\u3164", "kind": "person", "other_names": "[]"},
    )
    assert response.status_code == 200
    assert "该名称没有可见字符。" in response.content.decode()


def test_a_files_language_is_checked_in_admin(curator_client, make_resource):
    from llrc.catalogue import services

    resource = make_resource()
    stored = services.attach_file(
        resource, name="strategy.txt", content=b"A strategy", language="en", actor=None
    )
    url = f"/en/admin/catalogue/resource/{resource.pk}/change/"
    refused = curator_client.post(
        url, change_data(resource, **{"files-0-language": "not a language!"})
    )
    assert refused.status_code == 200
    assert "Unknown language code" in refused.content.decode()
    stored.refresh_from_db()
    assert stored.language == "en"
    accepted = curator_client.post(url, change_data(resource, **{"files-0-language": "ZH_Hans"}))
    assert accepted.status_code == 302
    stored.refresh_from_db()
    assert stored.language == "zh-hans"


def test_a_file_over_the_limit_is_a_form_error_not_a_server_error(curator_client, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from llrc.catalogue import services

    # The form asks the services' own limit; a small one spares the test half a gigabyte.
    monkeypatch.setattr(services, "MAX_FILE_BYTES", 100)
    before = (Resource.objects.count(), AuditEntry.objects.count())
    upload = SimpleUploadedFile("big.txt", b"x" * 101, content_type="text/plain")
    response = curator_client.post(
        "/en/admin/catalogue/resource/add/", {**form_data(), "new_file": upload}
    )
    assert response.status_code == 200
    assert "The file is larger than 100\xa0bytes" in response.content.decode()
    assert (Resource.objects.count(), AuditEntry.objects.count()) == before


def test_a_translation_related_in_admin_is_recorded_both_ways_and_audited(
    curator_client, make_resource
):
    from llrc.catalogue.models import Relation

    english = make_resource()
    chinese = make_resource(titles={"zh-hans": "国家终身学习战略"}, original_language="zh-hans")
    url = f"/en/admin/catalogue/resource/{english.pk}/change/"
    added = change_data(
        english,
        **{
            "relations_out-TOTAL_FORMS": "1",
            "relations_out-0-kind": "translation_of",
            "relations_out-0-target": str(chinese.pk),
            "relations_out-0-source": str(english.pk),
        },
    )
    assert curator_client.post(url, added).status_code == 302
    pairs = set(Relation.objects.values_list("source_id", "kind", "target_id"))
    assert pairs == {
        (english.pk, "translation_of", chinese.pk),
        (chinese.pk, "translation_of", english.pk),
    }
    assert AuditEntry.objects.filter(
        action="relate", resource_id_ref=english.pk, actor_label="editor"
    ).exists()
    # Removed from either side, it goes both ways too.
    removed = change_data(chinese, **{"relations_out-0-DELETE": "on"})
    response = curator_client.post(f"/en/admin/catalogue/resource/{chinese.pk}/change/", removed)
    assert response.status_code == 302
    assert not Relation.objects.exists()
    assert AuditEntry.objects.filter(action="unrelate", resource_id_ref=chinese.pk).exists()


def test_a_resource_related_to_itself_in_admin_is_a_form_error(curator_client, make_resource):
    from llrc.catalogue.models import Relation

    resource = make_resource()
    data = change_data(
        resource,
        **{
            "relations_out-TOTAL_FORMS": "1",
            "relations_out-0-kind": "references",
            "relations_out-0-target": str(resource.pk),
            "relations_out-0-source": str(resource.pk),
        },
    )
    response = curator_client.post(f"/en/admin/catalogue/resource/{resource.pk}/change/", data)
    assert response.status_code == 200
    assert "cannot be related to itself" in response.content.decode()
    assert not Relation.objects.exists()


def test_a_relation_changed_in_admin_into_a_translation_goes_both_ways(
    curator_client, make_resource
):
    from llrc.catalogue import services
    from llrc.catalogue.models import Relation

    english = make_resource()
    chinese = make_resource(titles={"zh-hans": "国家终身学习战略"}, original_language="zh-hans")
    services.add_relation(english, "references", chinese, actor=None)
    data = change_data(english, **{"relations_out-0-kind": "translation_of"})
    response = curator_client.post(f"/en/admin/catalogue/resource/{english.pk}/change/", data)
    assert response.status_code == 302
    assert set(Relation.objects.values_list("source_id", "kind", "target_id")) == {
        (english.pk, "translation_of", chinese.pk),
        (chinese.pk, "translation_of", english.pk),
    }


@pytest.mark.parametrize("parent_slug", ["policies", "laws", "deeper"])
def test_a_collection_cannot_be_put_inside_itself(curator_client, client, parent_slug):
    from llrc.catalogue.models import Collection

    policies = Collection.objects.get(slug="policies")  # the parent of laws (tests/conftest.py)
    Collection.objects.create(
        institution=policies.institution,
        parent=Collection.objects.get(slug="laws"),
        slug="deeper",
        title={"en": "Deeper"},
    )
    data = {
        "institution": str(policies.institution_id),
        "slug": "policies",
        "position": "0",
        "title__en": "Policies",
        "parent": str(Collection.objects.get(slug=parent_slug).pk),
    }
    response = curator_client.post(f"/en/admin/catalogue/collection/{policies.pk}/change/", data)
    assert response.status_code == 200
    assert "cannot be inside itself" in response.content.decode()
    policies.refresh_from_db()
    assert policies.parent is None
    listed = {c["slug"] for c in client.get("/api/v1/collections").json()}
    assert {"policies", "laws", "deeper"} <= listed


def test_a_collection_can_move_under_another(curator_client):
    from llrc.catalogue.models import Collection

    laws = Collection.objects.get(slug="laws")
    other = Collection.objects.create(
        institution=laws.institution, slug="other", title={"en": "Other"}
    )
    data = {
        "institution": str(laws.institution_id),
        "slug": "laws",
        "position": "0",
        "title__en": "Laws",
        "parent": str(other.pk),
    }
    response = curator_client.post(f"/en/admin/catalogue/collection/{laws.pk}/change/", data)
    assert response.status_code == 302
    laws.refresh_from_db()
    assert laws.parent == other


def test_renaming_an_agent_in_admin_reindexes_its_resources(
    curator_client, make_resource, django_capture_on_commit_callbacks
):
    from llrc.catalogue.models import Agent
    from llrc.catalogue.validation import CreatorData

    created = make_resource(creators=[CreatorData("Oldenburg Quill", "person", "author")])
    published = make_resource(titles={"en": "Adult education report"}, publisher="Oldenburg Quill")
    author = Agent.objects.get(name="Oldenburg Quill", kind="person")
    publisher = Agent.objects.get(name="Oldenburg Quill", kind="organisation")
    assert search.search_resources("Oldenburg").total == 2
    for agent in (author, publisher):
        with django_capture_on_commit_callbacks(execute=True):
            response = curator_client.post(
                f"/en/admin/catalogue/agent/{agent.pk}/change/",
                {"name": "Nevsky Scribe", "kind": agent.kind, "other_names": '["涅夫斯基"]'},
            )
        assert response.status_code == 302
    assert search.search_resources("Oldenburg").total == 0
    assert {h.resource.pk for h in search.search_resources("Nevsky").hits} == {
        created.pk,
        published.pk,
    }
    assert search.search_resources("涅夫斯基").total == 2
    audit = AuditEntry.objects.filter(action="update_agent", actor_label="editor")
    assert sorted(e.detail["agent"] for e in audit) == sorted([author.pk, publisher.pk])


def test_a_collection_renamed_or_moved_in_admin_reindexes_its_resources(
    curator_client, make_resource, django_capture_on_commit_callbacks
):
    """Collection titles are indexed with their resources (words) and the slugs of a resource's
    collections and those above them are its collection filter: both stayed old after an edit."""
    from llrc.catalogue.models import Collection

    laws = Collection.objects.get(slug="laws")  # under "policies" (tests/conftest.py)
    member = make_resource(collections=["laws"])
    assert search.search_resources("", filters={"collection": ["policies"]}).total == 1
    change = {
        "institution": str(laws.institution_id),
        "parent": str(laws.parent_id),
        "slug": "laws",
        "position": "0",
        "title__en": "Statutes of Quillmark",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(f"/en/admin/catalogue/collection/{laws.pk}/change/", change)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [h.resource.pk for h in search.search_resources("Quillmark").hits] == [member.pk]
    # Moved to the top: no longer under "policies".
    with django_capture_on_commit_callbacks(execute=True):
        curator_client.post(
            f"/en/admin/catalogue/collection/{laws.pk}/change/", {**change, "parent": ""}
        )
    assert search.search_resources("", filters={"collection": ["policies"]}).total == 0
    assert search.search_resources("", filters={"collection": ["laws"]}).total == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(
            f"/en/admin/catalogue/collection/{laws.pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302
    assert search.search_resources("", filters={"collection": ["laws"]}).total == 0
    assert search.search_resources("Quillmark").total == 0
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"update_collection", "delete_collection"} <= actions
