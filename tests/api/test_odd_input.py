"""Odd input through the API's read endpoints: every answer is a page or a clear error, never a 500.

Seeded, so a failure names its request and repeats. Each piece here failed once, on one database or the
other, before it was handled: a control character in a filter, a field's value or an identifier reached
PostgreSQL, which refuses NUL in text; an offset past 64 bits reached SQLite. The suite runs on both
databases (`make test`), and so does this.
"""

import random
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.django_db

PIECES = [
    *['"', "-", "(", ")", "*", ":", "..", "OR", "AND", "NOT", " ", "\t", "\\", "~", "^", "/"],
    *["title:", "creator:", "subject:", "type:", "year:", "year:2015..2020", "year:2020..2015"],
    *["终身学习", "終身學習", "zhongshen xuexi", "learning", "éducation", "التعلم", "обучение"],
    *["\x00", "\x07", "\x0b", "\ufffe", "\u200b", "😀", "𠀀", "ـ", "\u0301", "a" * 300, "9" * 40],
    *["10.1234/abc", "doi:10.1/x", "urn:isbn:9780306406157", "https://example.org/a?b=c"],
]
VALUES = [
    *["", "report", "en", "zh", "zh-Hant", "CN", "2015", "2015..2020", "..", "-1", "0", "1"],
    *["99999999999999999999", "x" * 300, "终身", "\x00", "CN\x00", "nan", "relevance", "title"],
    *["*", "eyJ", "%00", "u:1", "concept1488", "laws"],
]
PARAMETERS = [
    *["type", "language", "country", "subject", "year", "collection", "target_group", "region"],
    *["sdg", "page", "page_size", "sort", "cursor", "lang", "nope"],
]
OK = {200, 400, 404, 422}


def odd_requests(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    urls = []
    for _ in range(count):
        words = "".join(
            rng.choice(PIECES) + rng.choice(["", " "]) for _ in range(rng.randint(0, 8))
        )
        params = [("q", words)] + [
            (rng.choice(PARAMETERS), rng.choice(VALUES)) for _ in range(rng.randint(0, 3))
        ]
        query = "&".join(f"{name}={quote(value)}" for name, value in params)
        urls.append(f"/api/v1/{rng.choice(['search', 'resources'])}?{query}")
    # Bytes that are not UTF-8, and a surrogate written as UTF-8 would write it.
    urls += ["/api/v1/search?q=%ED%A0%80", "/api/v1/search?q=%FF%FE&country=%C0"]
    urls += [
        "/api/v1/collections/laws%00",
        "/api/v1/vocabularies/unesco?q=%00",
        "/api/v1/vocabularies/unesco?offset=99999999999999999999",
        "/api/v1/resources/99999999999999999999",
    ]
    return urls


def test_odd_requests_get_an_answer_or_a_clear_error(client, make_resource):
    make_resource(titles={"zh-hans": "社区教育与终身学习"}, original_language="zh-hans")
    make_resource(titles={"en": "Learning cities in practice"}, resource_type="good_practice")
    failures = []
    for url in odd_requests(seed=20261201, count=150):
        response = client.get(url)
        if response.status_code not in OK:
            failures.append((url, response.status_code))
        elif response.status_code != 200 and not response.json().get("detail"):
            failures.append((url, "no detail"))
    assert not failures, failures
