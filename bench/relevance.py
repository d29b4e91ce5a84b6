"""Relevance of search over the demo collection: nDCG@10, MRR and recall@100 from TREC-format judgements,
for the configured backend, with each cross-language means of issue 3 (item 3) switched off in turn.

    .venv/bin/python bench/relevance.py                  # fresh demo site in a temporary folder, tantivy
    LLRC_SEARCH_BACKEND=postgres bash scripts/with-postgres.sh .venv/bin/python bench/relevance.py
    .venv/bin/python bench/relevance.py --data-dir var   # an existing site (after `llrc init --demo`)
    .venv/bin/python bench/relevance.py --all-on-only    # one configuration, no rebuilding
    .venv/bin/python bench/relevance.py --write-results  # also replace this backend's section of RESULTS.md

Configurations, each over the same queries: all means on; thesaurus concept labels off
(LLRC_SEARCH_CONCEPTS=0: the word index is rebuilt without them, and rebuilt with them again at the end);
the CC-CEDICT dictionary off; meaning vectors off; all three off.

A fresh demo site is made in a temporary folder, removed at the end. With DATABASE_URL set it is made in
that database, which must hold no resources yet (scripts/with-postgres.sh starts a throw-away one): the
script refuses to load the demo collection into a database that already holds a site. With --data-dir the
site's own word index is rebuilt without concept labels while those configurations run, and rebuilt
with them at the end: not for a site readers are using.

Queries: bench/relevance/queries.tsv (qid, category, query); judgements: bench/relevance/qrels.txt
(qid 0 docno grade). Docnos are stable across rebuilds: a described resource's key, a CSL record's id, or
debian-edu-manual-en / -zh; they are recovered from each resource's `source` field.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import shutil
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import search as bench  # noqa: E402 - needs the path above

JUDGEMENTS = HERE / "relevance"
CATEGORIES = ("zh", "en", "zh2en", "en2zh")

# The settings that switch each means off, by the name the report gives it.
MEANS = {
    "concepts": "SEARCH_CONCEPTS",
    "dictionary": "SEARCH_DICTIONARY",
    "vectors": "SEARCH_VECTORS",
}
CONFIGURATIONS: dict[str, tuple[str, ...]] = {
    "all means on": (),
    "concepts off": ("concepts",),
    "dictionary off": ("dictionary",),
    "vectors off": ("vectors",),
    "all three off": ("concepts", "dictionary", "vectors"),
}
# Run order: the configurations that keep the concept labels first, so the word index is rebuilt twice
# (without them, then with them again), not once per configuration.
RUN_ORDER = ("all means on", "dictionary off", "vectors off", "concepts off", "all three off")

Query = tuple[str, str, str]  # qid, category, text
Judged = dict[str, dict[str, int]]  # qid -> docno -> grade (> 0)


class JudgementError(ValueError):
    """A malformed line in the queries or judgements; the message names the file and the line."""


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise JudgementError(f"{path}: cannot be read as UTF-8 text ({exc})") from exc
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            yield number, line


def load_judgements(folder: Path = JUDGEMENTS) -> tuple[list[Query], Judged]:
    """The queries and their positive judgements. Every malformed line is refused with its place, rather
    than skipped: a query quietly left out, or judged against nothing, would change every score."""
    queries: list[Query] = []
    path = folder / "queries.tsv"
    for number, line in _lines(path):
        parts = line.split("\t")
        if len(parts) != 3 or not all(p.strip() for p in parts):
            raise JudgementError(f"{path}:{number}: expected qid<TAB>category<TAB>query: {line!r}")
        qid, category, text = (p.strip() for p in parts)
        if any(q[0] == qid for q in queries):
            raise JudgementError(f"{path}:{number}: query {qid} is listed twice")
        queries.append((qid, category, text))
    known = {q[0] for q in queries}
    qrels: Judged = defaultdict(dict)
    judged: set[tuple[str, str]] = set()  # grade 0 included, so a document judged twice is caught
    path = folder / "qrels.txt"
    for number, line in _lines(path):
        parts = line.split()
        if len(parts) != 4 or not parts[3].lstrip("-").isdigit():
            raise JudgementError(f"{path}:{number}: expected 'qid 0 docno grade': {line!r}")
        qid, _iteration, docno, grade = parts
        if qid not in known:
            raise JudgementError(f"{path}:{number}: query {qid} is not in queries.tsv")
        if (qid, docno) in judged:
            raise JudgementError(f"{path}:{number}: {docno} is judged twice for {qid}")
        judged.add((qid, docno))
        if int(grade) > 0:
            qrels[qid][docno] = int(grade)
    unjudged = [qid for qid, _c, _t in queries if not qrels.get(qid)]
    if unjudged:
        raise JudgementError(
            f"{path}: no relevant document for {', '.join(unjudged)}: their scores would be 0"
        )
    return queries, dict(qrels)


def ndcg_at(ranking: list[str], judged: dict[str, int], k: int = 10) -> float:
    gains = [(2 ** judged.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranking[:k])]
    ideal = sorted(judged.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return sum(gains) / best if best else 0.0


def reciprocal_rank(ranking: list[str], judged: dict[str, int]) -> float:
    return next((1.0 / (i + 1) for i, d in enumerate(ranking) if judged.get(d, 0) > 0), 0.0)


def recall_at(ranking: list[str], judged: dict[str, int], k: int = 100) -> float:
    return len(set(ranking[:k]) & set(judged)) / len(judged) if judged else 0.0


def docno_of(source: str) -> str:
    if source.startswith("llrc demo collection: "):
        return source.split(": ", 1)[1]
    if source.startswith("CSL"):
        return source.rsplit(": ", 1)[1]
    if source.startswith("Debian package debian-edu-doc-"):
        return "debian-edu-manual-en" if "doc-en" in source else "debian-edu-manual-zh"
    return source


Scores = dict[str, dict[str, float]]  # category (and "all") -> measure -> mean


def scores_of(rankings: dict[str, list[str]], queries: list[Query], qrels: Judged) -> Scores:
    per_category: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for qid, category, _text in queries:
        ranking, judged = rankings.get(qid, []), qrels[qid]
        row = (
            ndcg_at(ranking, judged),
            reciprocal_rank(ranking, judged),
            recall_at(ranking, judged),
        )
        per_category[category].append(row)
        per_category["all"].append(row)
    return {
        category: {
            "queries": len(rows),
            "ndcg@10": sum(r[0] for r in rows) / len(rows),
            "mrr": sum(r[1] for r in rows) / len(rows),
            "recall@100": sum(r[2] for r in rows) / len(rows),
        }
        for category, rows in per_category.items()
    }


def rank(queries: list[Query], lang: str = "en") -> dict[str, list[str]]:
    """Each query's first hundred results as docnos, through the service the search page uses."""
    from llrc.catalogue.models import Resource
    from llrc.search.services import search_resources

    # A hit carries what the results page shows, not the record's provenance: read `source` once.
    source_of = dict(Resource.objects.values_list("pk", "source"))
    rankings: dict[str, list[str]] = {}
    for qid, _category, text in queries:
        ranking: list[str] = []
        for hit in search_resources(text, page_size=100, lang=lang).hits:
            docno = docno_of(source_of[hit.resource.pk])
            if docno not in ranking:  # two records of one thing count once, at the better rank
                ranking.append(docno)
        rankings[qid] = ranking
    return rankings


@contextmanager
def switched_off(means: Sequence[str]) -> Iterator[None]:
    """The settings with `means` off. The environment says the same, for the worker processes a large
    rebuild starts (they read their settings afresh); a collection this small is built in-process."""
    from django.test import override_settings

    names = [MEANS[m] for m in means]
    saved = {f"LLRC_{n}": os.environ.get(f"LLRC_{n}") for n in names}
    os.environ.update(dict.fromkeys(saved, "0"))
    try:
        with override_settings(**dict.fromkeys(names, False)):
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_configurations(
    names: Sequence[str], queries: list[Query], qrels: Judged
) -> dict[str, Scores]:
    """Scores per configuration. The word index is rebuilt whenever the concept labels change, and is
    left as it was found (with the labels, if the site has them on)."""
    from django.conf import settings

    from llrc.search.services import rebuild_index

    indexed_with_concepts = settings.SEARCH_CONCEPTS
    results: dict[str, Scores] = {}
    try:
        for name in [n for n in RUN_ORDER if n in names]:
            with switched_off(CONFIGURATIONS[name]):
                if indexed_with_concepts != settings.SEARCH_CONCEPTS:
                    bench.progress(f"{name}: rebuilding the word index")
                    rebuild_index()
                    indexed_with_concepts = settings.SEARCH_CONCEPTS
                bench.progress(f"{name}: {len(queries)} queries")
                results[name] = scores_of(rank(queries), queries, qrels)
    finally:
        if indexed_with_concepts != settings.SEARCH_CONCEPTS:
            bench.progress("rebuilding the word index as it was")
            rebuild_index()
    return {name: results[name] for name in CONFIGURATIONS if name in results}


def site_database_refusal() -> str | None:
    """Why the demo collection must not be loaded into the configured database, if it must not."""
    from django.db import connection

    from llrc.catalogue.models import Resource

    if Resource._meta.db_table not in connection.introspection.table_names():
        return None
    held = Resource.objects.count()
    if not held:
        return None
    return (
        f"the database at DATABASE_URL already holds {held} resources: give an empty database "
        "(scripts/with-postgres.sh starts a throw-away one), or --data-dir of a demo site to measure it"
    )


def setup(data_dir: str) -> None:
    """Django set up on the site in `data_dir` (and DATABASE_URL, when set)."""
    os.environ["LLRC_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "llrc.settings")
    import django

    django.setup()


def load_demo() -> None:
    if os.environ.get("DATABASE_URL"):
        refusal = site_database_refusal()
        if refusal:
            sys.exit(f"bench/relevance.py: {refusal}")
    from django.core.management import call_command

    bench.progress("loading the demo collection")
    call_command("init", demo=True, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def analyse_search_table() -> None:
    """On PostgreSQL, ANALYZE the index table, as autovacuum does within a minute of many writes: the
    backend weighs words by the statistics ANALYZE keeps, and the scores must not depend on whether
    autovacuum got there yet (the demo's records were indexed one by one as they were loaded)."""
    from django.conf import settings
    from django.db import connection

    if settings.SEARCH_BACKEND == "postgres" and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_document")


def _categories(queries: list[Query]) -> list[str]:
    """The categories of the issue's set first, in its order, then any others."""
    found = {q[1] for q in queries}
    return [c for c in CATEGORIES if c in found] + sorted(found - set(CATEGORIES))


def render(results: dict[str, Scores], queries: list[Query]) -> str:
    def cell(scores: Scores, category: str, measure: str) -> str:
        return f"{scores[category][measure]:.3f}" if category in scores else ""

    categories = _categories(queries)
    lines = [
        "nDCG@10 by category:",
        "",
        f"| configuration | {' | '.join(categories)} | all |",
        "|---|" + "---|" * (len(categories) + 1),
    ]
    for name, scores in results.items():
        cells = " | ".join(cell(scores, c, "ndcg@10") for c in [*categories, "all"])
        lines.append(f"| {name} | {cells} |")
    lines += [
        "",
        "MRR and recall@100, all queries:",
        "",
        "| configuration | MRR | recall@100 |",
        "|---|---|---|",
    ]
    for name, scores in results.items():
        lines.append(
            f"| {name} | {cell(scores, 'all', 'mrr')} | {cell(scores, 'all', 'recall@100')} |"
        )
    on = results.get("all means on")
    adds = [
        (means[0], on["all"]["ndcg@10"] - results[name]["all"]["ndcg@10"])
        for name, means in CONFIGURATIONS.items()
        if on and len(means) == 1 and name in results
    ]
    if on and adds:
        said = ", ".join(f"{m} {d:+.3f}" for m, d in sorted(adds, key=lambda a: -a[1]))
        lines += [
            "",
            f"What each means adds (nDCG@10 over all queries against {on['all']['ndcg@10']:.3f} with all "
            f"on, the drop when it alone is off): {said}.",
        ]
    return "\n".join(lines) + "\n"


def describe(queries: list[Query], command: str) -> str:
    from django.conf import settings
    from django.db import connection

    from llrc.catalogue.models import Resource

    m = bench.machine()
    per_category = ", ".join(f"{c} {sum(q[1] == c for q in queries)}" for c in _categories(queries))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    return "\n".join(
        [
            f"- Machine: {m['cpu']}, {m['cores']}, {m['ram']} RAM; Python {m['python']}",
            f"- Backend `{settings.SEARCH_BACKEND}`, catalogue on {database}; "
            f"vector threshold {settings.SEARCH_VECTOR_THRESHOLD}",
            f"- Code: {bench.working_tree_version()}; command `{command}`",
            f"- Collection: {Resource.objects.count()} resources; {len(queries)} judged queries "
            f"({per_category})",
        ]
    )


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir", help="use an existing LLRC_DATA_DIR instead of a fresh demo site"
    )
    parser.add_argument(
        "--all-on-only", action="store_true", help="measure with every means on, nothing else"
    )
    parser.add_argument(
        "--write-results", action="store_true", help="replace this backend's section of RESULTS.md"
    )
    args = parser.parse_args(argv)
    if args.all_on_only and args.write_results:
        # The section holds every configuration; one row would replace the others' figures.
        parser.error("--write-results needs every configuration: leave out --all-on-only")
    try:
        queries, qrels = load_judgements()
    except JudgementError as exc:
        sys.exit(f"bench/relevance.py: {exc}")
    fresh = args.data_dir is None
    data_dir = tempfile.mkdtemp(prefix="llrc-relevance-") if fresh else args.data_dir
    try:
        setup(data_dir)
        if fresh:
            load_demo()
        analyse_search_table()
        measure(args, argv, queries, qrels)
    finally:
        if fresh:
            shutil.rmtree(data_dir, ignore_errors=True)


def measure(args: argparse.Namespace, argv: list[str], queries: list[Query], qrels: Judged) -> None:
    from django.conf import settings

    names = ["all means on"] if args.all_on_only else list(CONFIGURATIONS)
    results = run_configurations(names, queries, qrels)
    backend = settings.SEARCH_BACKEND
    body = render(results, queries)
    print(f"Backend: {backend}\n\n{body}")
    if args.write_results:
        when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        section = (
            f"## Relevance, {backend} backend ({when})\n\n"
            f"{describe(queries, ' '.join(['bench/relevance.py', *argv]))}\n\n{body}"
        )
        bench.write_results(section, "demo", kind=f"bench-relevance {backend}")
        bench.progress(f"wrote {bench.RESULTS_FILE}")


if __name__ == "__main__":
    main()
