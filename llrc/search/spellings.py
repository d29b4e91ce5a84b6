"""British and American spellings of the same English word, found as one.

The English stemmer keeps them apart: "centre" is centr and "center" center, "organisation" organis and
"organization" organiz, "programme" programm and "program" program. UNESCO's and most of this centre's
English texts spell the British way (85 of the demo's English texts hold centre, programme,
organisation or labour, 5 their American forms) and many readers type the American way, so a reader's
"community learning center" missed every "community learning centre". Wherever English is stemmed, in
texts and in queries alike (`analysis._stemmed`, `analysis.stem`), an American -ize word is written as
its -ise form before stemming (organization: organisation, whose stem organis covers organise, organised
and organisations; `british_words`), and any other British stem as its American one after (centr:
center; `american_stems`). The pairs are the field's common words, written for llrc.
"""

from __future__ import annotations

from functools import cache

import Stemmer

# British and American forms, a pair each; only pairs the English stemmer keeps apart matter (enrol and
# enroll, travelling and traveling are stemmed alike already).
_PAIRS = """
centre center; theatre theater; metre meter; fibre fiber; manoeuvre maneuver;
programme program; catalogue catalog; dialogue dialog; analogue analog;
labour labor; colour color; behaviour behavior; favour favor; honour honor; neighbour neighbor;
neighbourhood neighborhood; endeavour endeavor; harbour harbor; humour humor; rumour rumor; odour odor;
vigour vigor; rigour rigor; flavour flavor; armour armor; tumour tumor; saviour savior;
counsellor counselor; judgement judgment; skilful skillful; licence license; defence defense;
offence offense; practise practice; grey gray; sceptical skeptical; mould mold; plough plow;
paediatric pediatric; encyclopaedia encyclopedia; aluminium aluminum;
analyse analyze; paralyse paralyze; catalyse catalyze;
organise organize; recognise recognize; realise realize; prioritise prioritize; mobilise mobilize;
utilise utilize; specialise specialize; standardise standardize; emphasise emphasize;
summarise summarize; minimise minimize; maximise maximize; optimise optimize; modernise modernize;
globalise globalize; urbanise urbanize; digitalise digitalize; digitise digitize; civilise civilize;
characterise characterize; authorise authorize; decentralise decentralize; centralise centralize;
localise localize; apologise apologize; criticise criticize; familiarise familiarize;
finalise finalize; harmonise harmonize; institutionalise institutionalize; legalise legalize;
marginalise marginalize; normalise normalize; operationalise operationalize; personalise personalize;
popularise popularize; revitalise revitalize; sensitise sensitize; socialise socialize;
stabilise stabilize; visualise visualize; capitalise capitalize; conceptualise conceptualize;
contextualise contextualize; internationalise internationalize; industrialise industrialize;
privatise privatize; democratise democratize; professionalise professionalize; categorise categorize;
memorise memorize; empathise empathize; jeopardise jeopardize; sympathise sympathize;
theorise theorize; incentivise incentivize; monetise monetize; customise customize;
immunise immunize; hospitalise hospitalize;
"""


def pairs() -> list[tuple[str, str]]:
    """The (British, American) pairs of the list above."""
    found = []
    for pair in _PAIRS.replace("\n", " ").split(";"):
        words = pair.split()
        if words:
            british, american = words
            found.append((british, american))
    return found


# The endings of an -ise (-yse) verb's family, after its root (organis-, analys-): each American form
# (organiz-) is written as its British one before stemming (`british_words`).
_ISE_ENDINGS = ("e", "es", "ed", "ing", "ation", "ations", "er", "ers")


def _ise_family(british: str, american: str) -> bool:
    return british.endswith(("ise", "yse")) and american.endswith(("ize", "yze"))


@cache
def british_words() -> dict[str, str]:
    """Each American form of an -ize verb's family with its British form: written so before stemming,
    in texts and queries alike (`analysis._stemmed`, `analysis.stem`). Not their stems, because the
    stemmer takes -ize off and not -ise: "globalization" is global, the stem of every "global", and
    "globalisation" globalis; as one stem, the British word would find every "Global Report"."""
    found: dict[str, str] = {}
    for british, american in pairs():
        if _ise_family(british, american):
            for ending in _ISE_ENDINGS:
                found[american[:-1] + ending] = british[:-1] + ending
    return found


@cache
def _stemmed_apart() -> list[tuple[str, str, str]]:
    """(British word, its stem, the American word's stem) of each pair outside the -ize family whose
    stems the stemmer keeps apart."""
    stemmer = Stemmer.Stemmer("english")
    found = []
    for british, american in pairs():
        if not _ise_family(british, american):
            british_stem, american_stem = stemmer.stemWord(british), stemmer.stemWord(american)
            if british_stem != american_stem:
                found.append((british, british_stem, american_stem))
    return found


@cache
def american_stems() -> dict[str, str]:
    """Each British English stem the stemmer keeps apart from its American form's (centr: center), with
    that one, for the pairs outside the -ize family."""
    return {british_stem: american_stem for _b, british_stem, american_stem in _stemmed_apart()}


@cache
def british_forms() -> dict[str, tuple[str, ...]]:
    """Each American stem with the British words stemmed as it (center: centre): what a reader's
    American word is looked for as in a British text, to be marked (`highlight.search_prefixes`: centre
    starts centres and centred; a word found is marked only if its own stem is the query's)."""
    found: dict[str, list[str]] = {}
    for british, _british_stem, american_stem in _stemmed_apart():
        found.setdefault(american_stem, []).append(british)
    return {american: tuple(british) for american, british in found.items()}


@cache
def american_starts() -> dict[str, tuple[str, ...]]:
    """Each English stem of an -ise verb's family with how its American forms start (organis: organiz):
    what a reader's word is looked for as in an American text, to be marked
    (`highlight.search_prefixes`; a word found is marked only if its own stem is the query's)."""
    stemmer = Stemmer.Stemmer("english")
    found: dict[str, set[str]] = {}
    for american, british in british_words().items():
        stem = stemmer.stemWord(british)
        if british.startswith(stem) and not american.startswith(stem):
            found.setdefault(stem, set()).add(american[: len(stem)])
    return {stem: tuple(sorted(starts)) for stem, starts in found.items()}


@cache
def _american_words() -> dict[str, str]:
    # The -ize family's forms are those `british_words` writes the other way.
    found = {british: american for american, british in british_words().items()}
    for british, american in pairs():
        if not _ise_family(british, american):
            found[british] = american
            found[british + "s"] = american + "s"
    return found


def american_word(word: str) -> str:
    """A British word's American form (centres: centers, organisation: organization), else the word:
    what the bilingual dictionary, written in American English, is looked up by."""
    return _american_words().get(word, word)
