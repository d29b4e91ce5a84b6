"""Relevance of search over the demo collection: nDCG@10, MRR and recall@100 from TREC-format judgements.

    .venv/bin/python bench/relevance.py                 # fresh demo site in a temporary folder
    .venv/bin/python bench/relevance.py --data-dir var  # an existing site (after `llrc init --demo`)
    .venv/bin/python bench/relevance.py --write-results # also record the scores in bench/RESULTS.md

Queries: bench/relevance/queries.tsv (qid, category, query); judgements: bench/relevance/qrels.txt
(qid 0 docno grade). Docnos are stable across rebuilds: a described resource's key, a CSL record's id, or
debian-edu-manual-en / -zh; they are recovered from each resource's `source` field.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def setup(data_dir: str | None) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ["LLRC_DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix="llrc-relevance-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "llrc.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("init", demo=True, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def docno_of(source: str) -> str:
    if source.startswith("llrc demo collection: "):
        return source.split(": ", 1)[1]
    if source.startswith("CSL"):
        return source.rsplit(": ", 1)[1]
    if source.startswith("Debian package debian-edu-doc-"):
        return "debian-edu-manual-en" if "doc-en" in source else "debian-edu-manual-zh"
    return source


def load_judgements() -> tuple[list[tuple[str, str, str]], dict[str, dict[str, int]]]:
    queries = []
    for line in (HERE / "relevance" / "queries.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            qid, category, text = line.split("\t", 2)
            queries.append((qid, category, text))
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (HERE / "relevance" / "qrels.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, _zero, docno, grade = line.split()
            if int(grade) > 0:
                qrels[qid][docno] = int(grade)
    return queries, qrels


def ndcg_at(ranking: list[str], judged: dict[str, int], k: int = 10) -> float:
    gains = [(2 ** judged.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranking[:k])]
    ideal = sorted(judged.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return sum(gains) / best if best else 0.0


def reciprocal_rank(ranking: list[str], judged: dict[str, int]) -> float:
    return next((1.0 / (i + 1) for i, d in enumerate(ranking) if judged.get(d, 0) > 0), 0.0)


def recall_at(ranking: list[str], judged: dict[str, int], k: int = 100) -> float:
    return len(set(ranking[:k]) & set(judged)) / len(judged) if judged else 0.0


def run(lang: str = "en") -> dict[str, dict[str, float]]:
    from llrc.catalogue.models import Resource
    from llrc.search.services import search_resources

    # A hit carries what the results page shows, not the record's provenance: read `source` once.
    source_of = dict(Resource.objects.values_list("pk", "source"))
    queries, qrels = load_judgements()
    per_category: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for qid, category, text in queries:
        page = search_resources(text, page_size=100, lang=lang)
        ranking: list[str] = []
        for hit in page.hits:
            docno = docno_of(source_of[hit.resource.pk])
            if docno not in ranking:  # two records of one thing count once, at the better rank
                ranking.append(docno)
        judged = qrels.get(qid, {})
        scores = (
            ndcg_at(ranking, judged),
            reciprocal_rank(ranking, judged),
            recall_at(ranking, judged),
        )
        per_category[category].append(scores)
        per_category["all"].append(scores)
    return {
        category: {
            "queries": len(rows),
            "ndcg@10": sum(r[0] for r in rows) / len(rows),
            "mrr": sum(r[1] for r in rows) / len(rows),
            "recall@100": sum(r[2] for r in rows) / len(rows),
        }
        for category, rows in per_category.items()
    }


def table(results: dict[str, dict[str, float]]) -> str:
    order = ["zh", "en", "zh2en", "en2zh", "all"]
    lines = ["| category | queries | nDCG@10 | MRR | recall@100 |", "|---|---|---|---|---|"]
    for category in order + sorted(set(results) - set(order)):
        if category in results:
            r = results[category]
            lines.append(
                f"| {category} | {int(r['queries'])} | {r['ndcg@10']:.3f} | {r['mrr']:.3f} | {r['recall@100']:.3f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir", help="use an existing LLRC_DATA_DIR instead of a fresh demo site"
    )
    parser.add_argument(
        "--label", default="all means on", help="name of this configuration in the report"
    )
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    setup(args.data_dir)
    from django.conf import settings

    results = run()
    report = (
        f"Backend: {settings.SEARCH_BACKEND}; configuration: {args.label}\n\n{table(results)}\n"
    )
    print(report)
    if args.write_results:
        write_results(report)


def write_results(report: str) -> None:
    import datetime

    path = HERE / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    marker = "## Relevance (bench/relevance.py)"
    section = (
        f"{marker}\n\nRun {datetime.date.today().isoformat()} over the demo collection.\n\n{report}"
    )
    if marker in text:
        head, _sep, rest = text.partition(marker)
        tail = rest.split("\n## ", 1)
        text = head + section + ("\n## " + tail[1] if len(tail) > 1 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
