"""The query language readers type: words, "exact phrases", -exclusion, OR, and fields.

    lifelong learning            both words (in any field, any language form)
    "learning city"              the words next to each other
    literacy -children           exclude a word (or -"a phrase", -type:report); NOT children too
    older OR elderly             either word
    title:literacy creator:UNESCO subject:"adult education"
    type:legislation language:zh country:CN year:2015..2020  (filters; year:2015 for one year,
                                 year:2015 year:2018 for either, -year:2015 to leave it out)

Nothing a reader types makes the search fail: an unclosed quote or an unknown field is read as plain
words, and the results page says so (notices).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

from llrc.search.analysis import (
    STEM_TAG,
    STOPWORDS,
    QueryWord,
    has_han,
    pinyin_spans,
    query_words,
)

TEXT_FIELD_ALIASES = {
    "title": ("title",),
    "creator": ("creator",),
    "author": ("creator",),
    "subject": ("subject",),
}
FILTER_FIELD_ALIASES = {
    "type": "type",
    "language": "language",
    "lang": "language",
    "country": "country",
    "collection": "collection",
}
MAX_WORDS = 32
# Field names a reader may type before a colon (text fields, filters, the year).
_FIELDS = frozenset([*TEXT_FIELD_ALIASES, *FILTER_FIELD_ALIASES, "year"])
_FILTER_FIELDS = frozenset([*FILTER_FIELD_ALIASES, "year"])

_TOKEN = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)"|(\S+))', re.UNICODE)
# The operators as a Chinese input method or a phone keyboard types them: NFKC makes full-width forms
# ASCII (title：literacy, －成人教育, ＯＲ, type:ｒｅｐｏｒｔ), and these stand for the quotation mark: curly
# quotes (phones turn " into them), guillemets and „ “ (French, Russian), corner brackets (Chinese). Read
# as plain words, －成人教育 required the word its reader meant to leave out.
_QUOTATION_MARKS = str.maketrans(dict.fromkeys("“”„‟«»「」『』〝〞〟", '"'))
# A minus sign and an em dash before a word are the minus a reader meant (an input method's "——").
_MINUS = str.maketrans(dict.fromkeys("\u2212\u2014", "-"))
# A range of years left out (-year:..2000) stands for its years: an open end stops at these.
YEAR_FLOOR = 1500


def _as_operators(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_QUOTATION_MARKS).translate(_MINUS)


def _tokens_but(text: str, left_out: Callable[[re.Match[str]], bool]) -> str:
    """The query's tokens (`_TOKEN`, read as `parse_query` reads them) but those `left_out` names."""
    return " ".join(m.group() for m in _TOKEN.finditer(_as_operators(text)) if not left_out(m))


def without_filters(text: str) -> str:
    """The query without the filters typed in it (type:report, year:2015..2020), nor AND: what its
    meaning is found from. With them, "lerning year:2015..2020" found a record by the numbers of its
    years, and "adult AND literacy" other records by meaning than "adult literacy"."""
    return _tokens_but(
        text, lambda m: (m.group(2) or "").lower() in _FILTER_FIELDS or m.group() == "AND"
    )


def without_filter_value(text: str, name: str, value: str) -> str:
    """The query without the filter `name` of `value` typed in it (type:report), for a link that removes
    what the query selected."""

    def selects_it(m: re.Match[str]) -> bool:
        typed = m.group(3) if m.group(3) is not None else m.group(4)
        return (
            not m.group(1)
            and FILTER_FIELD_ALIASES.get((m.group(2) or "").lower()) == name
            and filter_code(name, typed) == value
        )

    return _tokens_but(text, selects_it)


def years_of(low: int, high: int) -> list[str]:
    """The years of a range as a year filter's values, an open end cut at YEAR_FLOOR and next year."""
    low, high = max(low, YEAR_FLOOR), min(high, dt.date.today().year + 1)
    return [str(year) for year in range(low, high + 1)]


@dataclass
class Match:
    """Words that must all occur (next to each other when `phrase`), in `fields` or in any text field."""

    words: list[QueryWord]
    phrase: bool = False
    fields: tuple[str, ...] | None = None
    boost: float = 1.0  # below 1 for alternatives added by translation
    via: str = ""  # the query words this alternative translates, for "why did this match"
    form: bool = False  # another form of `via`, in its language (成人教育 for 成教)


@dataclass
class ParsedQuery:
    groups: list[list[Match]] = field(default_factory=list)  # AND of groups; OR within a group
    excluded: list[Match] = field(default_factory=list)
    # Filter values to leave out (-type:report): resources with any of them do not match.
    excluded_filters: dict[str, list[str]] = field(default_factory=dict)
    filters: dict[str, list[str]] = field(default_factory=dict)
    year_range: tuple[int, int] | None = None
    notices: list[str] = field(default_factory=list)
    identifier: bool = False  # the query was a DOI, ISBN or ISSN: no expansion, no vectors

    @property
    def has_words(self) -> bool:
        return bool(self.groups)

    @property
    def plain(self) -> bool:
        """Only words: no phrase, field, exclusion or OR, so the reader left the matching to us."""
        return not self.excluded and self.only_words

    @property
    def only_words(self) -> bool:
        """Each group a word or words typed as such: no phrase, field or OR (exclusions aside)."""
        return all(
            len(group) == 1 and not group[0].phrase and group[0].fields is None
            for group in self.groups
        )

    def separate_compound_words(self, keep: Callable[[list[str]], bool] | None = None) -> None:
        """Each word of a Chinese compound (乐龄学习: 乐龄 学习) becomes a group of its own, as if the
        reader had typed the words apart. Every word stays required, so the same records match; but
        when no record has them all, the search falls back to records with some of them, as it does for
        words typed apart: a question typed as one run of characters (日本的公民馆是怎么运作的) found
        nothing at all when one of its words was in no record. Groups with alternatives (a compound the
        dictionary translates as a whole) are left as they are, and so are compounds whose words `keep`
        says to keep together."""
        separated: list[list[Match]] = []
        for group in self.groups:
            match = group[0]
            if (
                len(group) == 1
                and len(match.words) > 1
                and not match.phrase
                and not match.via
                and match.fields is None
                and all(has_han(w.token) for w in match.words)
                and not (keep and keep([w.token for w in match.words]))
            ):
                separated += [[Match(words=[word])] for word in match.words]
            else:
                separated.append(group)
        self.groups = separated

    def pinyin_phrases_as_words(self) -> tuple[ParsedQuery, list[str]] | None:
        """The query with each quoted phrase of pinyin syllables ("zhongshen xuexi") as its words, each
        required, as if typed without quotes; and the phrases, as folded. The pinyin of Chinese text
        is kept without positions, so as a phrase it matches no Chinese text at all. None when the
        query has no such phrase."""
        groups: list[list[Match]] = []
        phrases: list[str] = []
        for group in self.groups:
            match = group[0]
            if (
                len(group) == 1
                and match.phrase
                and match.fields is None
                and all(w.pinyin and pinyin_spans(w.pinyin) for w in match.words)
            ):
                groups += [[Match(words=[word])] for word in match.words]
                phrases.append(" ".join(w.token for w in match.words))
            else:
                groups.append(group)
        if not phrases:
            return None
        return replace(self, groups=groups), phrases

    def some_words_of_each(self) -> ParsedQuery | None:
        """The query with each of the reader's Chinese alternatives that stands for several words (a
        compound inside an OR group, the parts of a long word) split into one alternative a word: what
        "some of the words" means inside a group. None when no alternative has several."""
        groups: list[list[Match]] = []
        for group in self.groups:
            split: list[Match] = []
            for match in group:
                if (
                    len(match.words) > 1
                    and not match.phrase
                    and not match.via
                    and all(has_han(w.token) for w in match.words)
                ):
                    split += [replace(match, words=[word]) for word in match.words]
                else:
                    split.append(match)
            groups.append(split)
        if groups == self.groups:
            return None
        return replace(self, groups=groups)

    def highlight_terms(self) -> list[str]:
        terms: list[str] = []
        for group in self.groups:
            for match in group:
                if match.via:
                    continue
                for word in phrase_words(match):
                    if word.token in STOPWORDS:
                        continue  # kept in a phrase to match it, but "of" is not marked everywhere
                    # The word, not its stems: `highlight` looks for its forms by their prefixes
                    # (search_prefixes) and marks those whose own stem is the word's.
                    terms.append(word.token)
                    singular = word.token[:-1]
                    if word.token.endswith("s") and f"{singular}{STEM_TAG}en" in word.stems:
                        # Looked up as its acronym too (SDGs: sdg, `query_words`), which the page marks
                        # where a text writes it so (SDG); a plural whose stem is its singular (cats:
                        # cat) adds nothing the word's own forms would not mark.
                        terms.append(singular)
        return list(dict.fromkeys(terms))

    def pinyin_terms(self) -> list[str]:
        """The pinyin the reader's words are looked up as in the pinyin of Chinese words (falü: falv),
        to mark the Chinese words found so. As the backends look it up: not for a translation, a phrase
        (the pinyin stream has no positions) or a word limited to a field (title:); a stopword has no
        pinyin (`analysis.query_words`)."""
        return list(
            dict.fromkeys(
                word.pinyin
                for group in self.groups
                for match in group
                if not match.via and not match.phrase and match.fields is None
                for word in match.words
                if word.pinyin
            )
        )

    def own_evidence(self) -> list[str]:
        """The reader's own words as a text must hold them to say it was found through them (the "why"
        of a result): a single Chinese character is in too many texts to tell, so a word the segmenter
        cut into single characters (电大: 电 and 大) counts only written whole."""
        terms = [t for t in self.highlight_terms() if not (len(t) == 1 and has_han(t))]
        for group in self.groups:
            for match in group:
                tokens = [w.token for w in match.words]
                if (
                    not match.via
                    and len(tokens) > 1
                    and all(len(t) == 1 and has_han(t) for t in tokens)
                ):
                    terms.append("".join(tokens))
        return list(dict.fromkeys(terms))

    def translation_terms(self) -> list[str]:
        """The words of every alternative added to the reader's (translations and other forms)."""
        return list(
            dict.fromkeys(w.token for g in self.groups for m in g if m.via for w in m.words)
        )

    def other_forms(self) -> list[str]:
        """Each alternative that is another form of the reader's words (`Match.form`), as written:
        广播电视大学 (looked for as its words, 广播电视 and 大学)."""
        return ["".join(w.token for w in phrase_words(m)) for g in self.groups for m in g if m.form]

    def word_count(self) -> int:
        """The words of the query, a phrase's counted without the parts of its long Chinese words."""
        return sum(len(phrase_words(m)) for g in self.groups for m in g) + sum(
            len(phrase_words(m)) for m in self.excluded
        )


def phrase_words(match: Match) -> list[QueryWord]:
    """The words of a phrase without the parts it holds each long Chinese word after, as the index does
    (中国 老年 大学 老年大学 is 中国 and 老年大学; in 大学 与 老年 大学 老年大学 the first 大学 is a word):
    a part comes right before its word, and is inside it. Any other match: its words."""
    if not match.phrase:
        return match.words
    words: list[QueryWord] = []
    after = ""  # the word the tokens read so far (from the end) stand before
    for word in reversed(match.words):
        if has_han(word.token) and word.token != after and word.token in after:
            continue
        words.append(word)
        after = word.token
    return words[::-1]


def filter_code(name: str, value: str) -> str:
    """A filter value in the case its codes are written in: lower case (types, languages, collections) or
    upper case (countries), as a reader may not type them (type:Legislation is type:legislation); a span
    of years in the form ranges are written in (`year_value`)."""
    if name == "country":
        return value.upper()
    if name == "year":
        return year_value(value)
    if name == "language" and (tag := _LANGUAGE_TAG.fullmatch(value)):
        # A language tag (zh-Hans, en-GB, zh_CN) is its language: the facet's codes have no script or
        # region, and language=zh-hans, as the API writes a record's language, found nothing.
        return tag.group(1).lower()
    return value.lower() if name in CASE_FOLDED_FILTERS else value


_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})[-_][A-Za-z0-9]{2,8}(?:[-_][A-Za-z0-9]{1,8})*")


CASE_FOLDED_FILTERS = frozenset(["type", "language", "collection"])


def year_value(value: str) -> str:
    """A year filter's value in the form ranges are written in: 2015-2020 and 2015–2020 (hyphen, en dash:
    how readers and citations write a span of years) are 2015..2020; 2015- (since 2015) is 2015.., and
    -2020 (until 2020) ..2020."""
    match = re.fullmatch(r"(\d{4})?\s*[-–]\s*(\d{4})?", value.strip())
    if match and (match.group(1) or match.group(2)):
        return f"{match.group(1) or ''}..{match.group(2) or ''}"
    return value


def year_range(value: str) -> tuple[int, int] | None:
    value = year_value(value)
    match = re.fullmatch(r"(\d{4})?(?:\.\.(\d{4})?)?", value)
    if not match or not value or value == "..":
        return None
    if ".." not in value:
        return int(value), int(value)
    low = int(match.group(1)) if match.group(1) else 0
    high = int(match.group(2)) if match.group(2) else 9999
    return (low, high) if low <= high else None


def not_a_year_range(value: str) -> str:
    """The notice for a year filter (typed, or in a link) that is no year or range of years."""
    return _("“%(value)s” is not a year or a range like 2015..2020; it was left out.") % {
        "value": value
    }


def narrowed(current: tuple[int, int] | None, years: tuple[int, int]) -> tuple[int, int]:
    """The years in both ranges (an empty range, low above high, when they do not overlap)."""
    if current is None:
        return years
    return max(current[0], years[0]), min(current[1], years[1])


def parse_query(text: str) -> ParsedQuery:
    parsed = ParsedQuery()
    text = _as_operators(text)
    years: list[tuple[str, tuple[int, int]]] = []  # year:… as typed (year_value) and its range
    common: list[str] = []  # small words typed to be left out
    if text.count('"') % 2:
        parsed.notices.append(
            _("A quotation mark was not closed, so the query was read as plain words.")
        )
        text = text.replace('"', " ")
    pending_or = pending_not = False
    dangling_or = wildcards = lone_minus = or_excluded = False
    # Brackets group nothing here ("(adult literacy) OR youth" is adult and literacy-or-youth): said when
    # one stands where a reader would have meant it to group, by OR, NOT or a minus.
    brackets = closed_before = False
    # "type:report OR type:policy": values of one filter are either already, and the OR was said to be
    # left out. The filter the token before named, and the one an OR after a filter joins.
    last_filter = joined_filter = ""
    for minus, field_name, quoted, bare in _TOKEN.findall(text):
        after_filter, last_filter = last_filter, ""
        closed, closed_before = closed_before, bool(bare.endswith(")"))
        if (
            field_name.lower() in _FIELDS - {"year"}
            and not minus
            and len(bare) > 1
            and bare.startswith("-")
        ):
            # title:-literacy asked for titles holding "literacy", the opposite of what was meant: the
            # minus is the field's, as in -title:literacy. (year:-2020 is a span: until 2020.)
            minus, bare = "-", bare[1:]
        if bare == "AND" and not minus and not field_name and quoted == "":
            # What words do anyway; as the word "and" it said nothing, and it is kept out of the meaning.
            continue
        if bare == "OR" and not minus and not field_name and quoted == "":
            brackets = brackets or closed
            if after_filter:
                joined_filter = after_filter
                continue
            dangling_or = dangling_or or not parsed.groups or pending_or
            pending_or = bool(parsed.groups)
            continue
        this_filter = (
            (
                "year"
                if field_name.lower() == "year"
                else FILTER_FIELD_ALIASES.get(field_name.lower(), "")
            )
            if not minus and bare != "NOT"
            else ""
        )
        if joined_filter and this_filter != joined_filter:
            dangling_or = True  # an OR between a filter and a word, or another filter: both apply
        joined_filter = ""
        last_filter = this_filter
        # NOT before a word excludes it, as the minus does: readers of library databases type it, and
        # read as the word "not" it silently asked for records that contain "not".
        if bare == "NOT" and not minus and not field_name and quoted == "":
            pending_not = True
            continue
        if pending_not:
            minus, pending_not = "-", False
        brackets = brackets or (bare.startswith("(") and bool(minus or pending_or))
        if not quoted and not field_name and bare and set(minus + bare) == {"-"}:
            # "learning -" or "learning - adults": a minus apart from any word excludes nothing.
            lone_minus = True
            continue
        if not quoted and not field_name and bare.endswith(":") and bare[:-1].lower() in _FIELDS:
            parsed.notices.append(
                _("“%(field)s” has nothing after it; it was left out.") % {"field": bare}
            )
            continue
        # A question mark ending a word is the end of a question (电大现在叫什么?), not a wildcard, and
        # so is one standing alone, as French writes it ("villes apprenantes ?").
        wildcards = wildcards or (
            not quoted
            and ("*" in bare or "?" in bare.rstrip("?") or (set(bare) == {"?"} and bare != "?"))
        )
        value = quoted if quoted or not bare else bare
        name = field_name.lower()
        if name in FILTER_FIELD_ALIASES and value:
            chosen = parsed.excluded_filters if minus else parsed.filters
            filter_name = FILTER_FIELD_ALIASES[name]
            chosen.setdefault(filter_name, []).append(filter_code(filter_name, value))
            continue
        if name == "year":
            found = year_range(value)
            if found is None:
                parsed.notices.append(not_a_year_range(value))
            elif minus:
                # Left out as a filter's values are (-type:report); it kept only these years.
                excluded = parsed.excluded_filters.setdefault("year", [])
                excluded += [y for y in years_of(*found) if y not in excluded]
            else:
                years.append((year_value(value), found))
            continue
        fields = TEXT_FIELD_ALIASES.get(name)
        if name and fields is None:
            parsed.notices.append(
                _("There is no field “%(name)s”; “%(name)s:%(value)s” was read as words.")
                % {"name": field_name, "value": value}
            )
            value = f"{field_name} {value}"
        words = query_words(value, phrase=bool(quoted))
        if not words:
            continue
        is_phrase = bool(quoted) and len(words) > 1
        match = Match(words=words, phrase=is_phrase, fields=fields)
        if minus and not quoted and all(w.token in STOPWORDS for w in words):
            # "learning -the" left 13 of 171 resources, "learning -的" none: a word that common
            # leaves out nearly everything, which no reader means.
            common.append(value)
            continue
        if minus:
            # "learning OR -adult": a word left out is no alternative to one to be found.
            or_excluded = or_excluded or pending_or
            parsed.excluded.append(match)
        elif pending_or and parsed.groups:
            parsed.groups[-1].append(match)
        elif quoted or fields or len(words) == 1 or any(not w.stems for w in words):
            # A phrase, a field, a single word or a Chinese compound: one unit.
            parsed.groups.append([match])
        else:
            # Several Latin words typed as one token (e.g. "e-learning"): each must occur.
            parsed.groups.extend([Match(words=[w], fields=fields)] for w in words)
        pending_or = False
    dangling_or = dangling_or or bool(joined_filter)
    if len(years) == 1:
        parsed.year_range = years[0][1]
    elif years:
        # Either, as a link's years are (year=2015&year=2018); the last alone was kept.
        parsed.filters["year"] = list(dict.fromkeys(typed for typed, _range in years))
    if dangling_or or pending_or:
        parsed.notices.append(
            _("“OR” needs a word on each side; where it had none it was left out.")
        )
    if pending_not:
        parsed.notices.append(_("“NOT” needs a word after it; it was left out."))
    if or_excluded:
        parsed.notices.append(
            _(
                "A word to leave out cannot be an alternative: the “OR” before it was left out, and "
                "the word was left out of the results."
            )
        )
    if brackets:
        parsed.notices.append(
            _(
                "Brackets do not group words: “OR” joins only the words right before and after it, "
                "and “NOT” or a minus sign leaves out only the word right after it."
            )
        )
    if common:
        parsed.notices.append(
            _("Words too common to leave out were not: %(words)s.")
            % {"words": ", ".join(f"“{w}”" for w in dict.fromkeys(common))}
        )
    if lone_minus:
        parsed.notices.append(
            _(
                "A minus sign excludes the word written right after it (-word); one apart was left out."
            )
        )
    if wildcards:
        parsed.notices.append(
            _("Wildcards (* and ?) are not supported: the words were searched without them.")
        )
    if text.strip() and not (
        parsed.groups
        or parsed.excluded
        or parsed.filters
        or parsed.excluded_filters
        or parsed.year_range
    ):
        parsed.notices.append(
            _("Nothing in the query could be searched for, so every resource is listed.")
        )
    # Stopwords typed among other words add nothing (each token was analysed alone above).
    content = [
        g
        for g in parsed.groups
        if not (len(g) == 1 and len(g[0].words) == 1 and g[0].words[0].token in STOPWORDS)
    ]
    if content:
        parsed.groups = content
    if parsed.word_count() > MAX_WORDS:
        parsed.notices.append(
            _("Only the first %(max)d words of the query were used.") % {"max": MAX_WORDS}
        )
        # Words are kept in the order typed, within a group too: a group of alternatives longer than
        # the limit (a OR b OR ... with 33 words) keeps its first ones, instead of leaving the query
        # with no words at all, which listed every resource.
        kept: list[list[Match]] = []
        count = 0
        for group in parsed.groups:
            part: list[Match] = []
            for match in group:
                room = MAX_WORDS - count
                if room <= 0:
                    break
                if len(match.words) > room:
                    match = replace(match, words=match.words[:room])
                part.append(match)
                count += len(match.words)
            if part:
                kept.append(part)
        parsed.groups = kept
        parsed.excluded = parsed.excluded[: max(0, MAX_WORDS - count)]
    return parsed
