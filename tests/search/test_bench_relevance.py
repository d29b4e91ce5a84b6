"""bench/relevance.py: its measures, its reading of the judged set, and its switching of the means."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.bench_scripts import load

relevance = load("relevance")


def test_measures_on_a_ranking_worked_by_hand():
    judged = {"a": 2, "b": 1}
    ranking = ["a", "x", "b"]
    # Gains 3 at rank 1 and 1 at rank 3; the ideal order has them at ranks 1 and 2.
    expected = (3 + 1 / math.log2(4)) / (3 + 1 / math.log2(3))
    assert relevance.ndcg_at(ranking, judged) == pytest.approx(expected)
    assert relevance.ndcg_at(["b", "a"], judged) < relevance.ndcg_at(["a", "b"], judged) == 1.0
    assert relevance.ndcg_at(["x", "y", "a"], judged, k=2) == 0.0
    assert relevance.reciprocal_rank(["x", "b", "a"], judged) == 0.5
    assert relevance.reciprocal_rank(["x", "y"], judged) == 0.0
    assert relevance.recall_at(ranking, judged, k=2) == 0.5
    assert relevance.recall_at(ranking, judged) == 1.0


def test_the_shipped_set_is_what_the_issue_asks_for():
    queries, qrels = relevance.load_judgements()
    per_category = {c: sum(q[1] == c for q in queries) for c in relevance.CATEGORIES}
    assert len(queries) >= 60
    assert per_category["zh"] >= 20 and per_category["en"] >= 20
    assert per_category["zh2en"] >= 10 and per_category["en2zh"] >= 10
    assert all(qrels[qid] for qid, _c, _t in queries)


def _judged_set(tmp_path: Path, queries: str, qrels: str) -> Path:
    (tmp_path / "queries.tsv").write_text(queries, encoding="utf-8")
    (tmp_path / "qrels.txt").write_text(qrels, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("queries", "qrels", "said"),
    [
        ("q1\tzh\n", "q1 0 d1 2\n", "queries.tsv:1: expected qid<TAB>category<TAB>query"),
        (
            "q1\tzh\t学习\nq1\ten\tlearning\n",
            "q1 0 d1 2\n",
            "queries.tsv:2: query q1 is listed twice",
        ),
        ("q1\tzh\t学习\n", "q1 0 d1\n", "qrels.txt:1: expected 'qid 0 docno grade'"),
        ("q1\tzh\t学习\n", "q1 0 d1 two\n", "qrels.txt:1: expected 'qid 0 docno grade'"),
        ("q1\tzh\t学习\n", "q1 0 d1 2\nq9 0 d1 1\n", "qrels.txt:2: query q9 is not in queries.tsv"),
        ("q1\tzh\t学习\n", "q1 0 d1 0\nq1 0 d1 2\n", "qrels.txt:2: d1 is judged twice for q1"),
        ("q1\tzh\t学习\nq2\ten\tx\n", "q1 0 d1 2\nq2 0 d1 0\n", "no relevant document for q2"),
    ],
)
def test_a_malformed_judged_set_is_refused_with_its_place(tmp_path, queries, qrels, said):
    folder = _judged_set(tmp_path, queries, qrels)
    with pytest.raises(relevance.JudgementError, match=said.replace("\t", r"\t")):
        relevance.load_judgements(folder)


def test_a_judged_set_that_is_not_utf8_is_refused(tmp_path):
    folder = _judged_set(tmp_path, "", "")
    (folder / "queries.tsv").write_bytes("q1\tfr\téducation\n".encode("latin-1"))
    with pytest.raises(relevance.JudgementError, match="cannot be read as UTF-8"):
        relevance.load_judgements(folder)


def test_comments_and_blank_lines_are_skipped_and_grade_zero_is_not_relevant(tmp_path):
    folder = _judged_set(
        tmp_path, "# qid\tcategory\tquery\n\nq1\tzh\t学习\n", "q1 0 d1 2\nq1 0 d2 0\n"
    )
    assert relevance.load_judgements(folder) == ([("q1", "zh", "学习")], {"q1": {"d1": 2}})


def test_switched_off_sets_and_restores_settings_and_environment(monkeypatch):
    monkeypatch.setenv("LLRC_SEARCH_DICTIONARY", "1")
    monkeypatch.delenv("LLRC_SEARCH_VECTORS", raising=False)
    with relevance.switched_off(["dictionary", "vectors"]):
        assert settings.SEARCH_DICTIONARY is False and settings.SEARCH_VECTORS is False
        assert os.environ["LLRC_SEARCH_DICTIONARY"] == os.environ["LLRC_SEARCH_VECTORS"] == "0"
    assert settings.SEARCH_DICTIONARY is True
    assert os.environ["LLRC_SEARCH_DICTIONARY"] == "1"
    assert "LLRC_SEARCH_VECTORS" not in os.environ


@pytest.mark.django_db(transaction=True)
def test_concepts_off_is_measured_on_an_index_without_them_and_the_index_is_given_back(
    make_resource,
):
    from llrc.search import services

    # concept1519 is Literacy; its French label (Alphabétisation) is nowhere else in the record.
    resource = make_resource(
        creators=[],
        subjects=["concept1519"],
        titles={"en": "Reading circles"},
        summaries={},
        source="llrc demo collection: reading-circles",
    )
    queries = [("q1", "en", "alphabétisation")]
    qrels = {"q1": {"reading-circles": 2}}
    results = relevance.run_configurations(
        ["all means on", "concepts off", "dictionary off"], queries, qrels
    )
    assert list(results) == ["all means on", "concepts off", "dictionary off"]
    assert results["all means on"]["all"]["mrr"] == 1.0
    assert results["dictionary off"]["all"]["mrr"] == 1.0
    assert results["concepts off"]["all"]["mrr"] == 0.0
    # The index was rebuilt with the labels again: the site finds the record as before.
    assert resource.pk in {h.resource.pk for h in services.search_resources("alphabétisation").hits}


@pytest.mark.django_db
def test_the_demo_collection_is_not_loaded_into_a_database_that_holds_a_site(make_resource):
    assert relevance.site_database_refusal() is None
    make_resource()
    refusal = relevance.site_database_refusal()
    assert refusal and "already holds 1 resources" in refusal
