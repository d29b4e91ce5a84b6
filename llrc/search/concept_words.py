"""Which thesaurus concepts a query word names (docs/decisions/0013-concept-lexemes.md).

A resource's concepts (subjects, target groups, countries, regions) are indexed as one term each in the
`concept` field, not as the words of their labels in every language: at a million records those labels
made about 40 % of the postings a broad word walks ("adult" was four lists of about 192,000 documents:
subject:adult, stem:adult/fr, stem:adult/es and subject:成人, nearly the same documents). A query word is
looked up here instead, among the analysed labels of every concept, and each concept whose labels hold it
becomes one more term of the word's union. The table is small (about 5,000 concepts and 60,000 entries for
the vocabularies llrc loads) and built once per process (`search.services.concept_words`).

This module is plain data: the backends enrich their queries with it (`enriched`) without touching the
database.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from llrc.lib.text import edit_distance
from llrc.search.analysis import Joined, QueryWord, query_stems
from llrc.search.backends.base import BackendQuery
from llrc.search.query import Match, ParsedQuery

# A query word naming more concepts than this is looked up in the first ones only (by concept term): a
# bound on the terms of one word, as MAX_WORDS bounds the words of a query. The UNESCO Thesaurus has about
# 200 concepts whose labels hold "education".
MAX_CONCEPTS_PER_WORD = 1000
NEAR = 2  # the most edits "did you mean" makes to a word (search.services._did_you_mean)


@dataclass
class ConceptWords:
    """Analysed labels of concepts: each token, stem and pinyin syllable string mapped to the concept terms
    (the `concept` field's tokens) whose labels hold it, and each concept's labels as token sequences
    (for phrases)."""

    tokens: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stems: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pinyin: dict[str, tuple[str, ...]] = field(default_factory=dict)
    labels: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    # Every token and pinyin string in byte order, for "did you mean" (`starting_with`).
    _sorted: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, concepts: Iterable[tuple[str, list[Joined]]]) -> ConceptWords:
        """From (concept term, analysed labels and synonyms) pairs."""
        tokens: dict[str, dict[str, None]] = {}
        stems: dict[str, dict[str, None]] = {}
        pinyin: dict[str, dict[str, None]] = {}
        labels: dict[str, tuple[tuple[str, ...], ...]] = {}
        for term, analysed in concepts:
            sequences: list[tuple[str, ...]] = []
            for label_tokens, label_stems, label_pinyin in analysed:
                sequence = tuple(label_tokens.split())
                if sequence and sequence not in sequences:
                    sequences.append(sequence)
                for token in sequence:
                    tokens.setdefault(token, {})[term] = None
                for stem in label_stems.split():
                    stems.setdefault(stem, {})[term] = None
                for syllables in label_pinyin.split():
                    pinyin.setdefault(syllables, {})[term] = None
            if sequences:
                labels[term] = tuple(sequences)
        table = cls(
            tokens={k: tuple(v) for k, v in tokens.items()},
            stems={k: tuple(v) for k, v in stems.items()},
            pinyin={k: tuple(v) for k, v in pinyin.items()},
            labels=labels,
        )
        table._sorted = sorted({*table.tokens, *table.pinyin})
        return table

    def __bool__(self) -> bool:
        return bool(self.labels)

    def of_word(self, word: QueryWord, *, exact: bool = False) -> tuple[str, ...]:
        """The concepts whose labels hold `word` as the index held them: as the token itself, or (unless
        `exact`: a query limited to a field matches exact words only) as one of its stems or its pinyin."""
        found: dict[str, None] = dict.fromkeys(self.tokens.get(word.token, ()))
        if not exact:
            for stem in word.stems:
                found.update(dict.fromkeys(self.stems.get(stem, ())))
            if word.pinyin:
                found.update(dict.fromkeys(self.pinyin.get(word.pinyin, ())))
        return tuple(found)[:MAX_CONCEPTS_PER_WORD]

    def of_token(self, token: str) -> tuple[str, ...]:
        """The concepts a query would look up for a word typed as `token` (has_word)."""
        return self.of_word(QueryWord(token=token, stems=query_stems(token), pinyin=""))

    def of_phrase(self, tokens: list[str]) -> tuple[str, ...]:
        """The concepts one of whose labels holds `tokens` next to each other, in order."""
        if not tokens:
            return ()
        width = len(tokens)
        wanted = tuple(tokens)
        found = []
        for term in self.tokens.get(tokens[0], ()):
            for sequence in self.labels.get(term, ()):
                if any(sequence[i : i + width] == wanted for i in range(len(sequence) - width + 1)):
                    found.append(term)
                    break
        return tuple(found[:MAX_CONCEPTS_PER_WORD])

    def near(self, word: str, prefix: str) -> list[str]:
        """Label tokens and pinyin strings that start with `prefix` and are at most NEAR edits from `word`
        ("did you mean" corrects no further): only these need their documents counted."""
        start = bisect.bisect_left(self._sorted, prefix)
        out: list[str] = []
        for candidate in self._sorted[start:]:
            if not candidate.startswith(prefix):
                break
            if edit_distance(word, candidate, limit=NEAR + 1) <= NEAR:
                out.append(candidate)
        return out

    def in_fields(self, word: str, fields: Iterable[str]) -> tuple[str, ...]:
        """The concepts holding `word` as an exact label token (for the subject field) or as pinyin (for
        the pinyin field): what term_frequency counted in those fields when labels were indexed."""
        names = set(fields)
        found: dict[str, None] = {}
        if "subject" in names:
            found.update(dict.fromkeys(self.tokens.get(word, ())))
        if "pinyin" in names:
            found.update(dict.fromkeys(self.pinyin.get(word, ())))
        return tuple(found)


NO_CONCEPTS = ConceptWords()


def _enriched_match(match: Match, table: ConceptWords) -> Match:
    # Concepts stand for the labels the subject field held: a query limited to other fields names none,
    # and one limited to subject: names those holding the word itself.
    if match.fields is not None and "subject" not in match.fields:
        return match
    exact = match.fields is not None
    if match.phrase:
        return replace(match, concepts=table.of_phrase([w.token for w in match.words]))
    words = [replace(w, concepts=table.of_word(w, exact=exact)) for w in match.words]
    return replace(match, words=words)


def enriched(query: BackendQuery, table: ConceptWords) -> BackendQuery:
    """`query` with each word (and phrase) given the concepts it names."""
    parsed = query.parsed
    if not table or not (parsed.groups or parsed.excluded):
        return query
    return replace(
        query,
        parsed=replace(
            parsed,
            groups=[[_enriched_match(m, table) for m in group] for group in parsed.groups],
            excluded=[_enriched_match(m, table) for m in parsed.excluded],
        ),
    )


def with_concepts(parsed: ParsedQuery, table: ConceptWords) -> ParsedQuery:
    """`parsed` with its words given their concepts (for callers holding a ParsedQuery alone)."""
    return enriched(BackendQuery(parsed=parsed), table).parsed
