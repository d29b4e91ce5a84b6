"""British and American spellings of the same English word, found as one.

The English stemmer keeps them apart: "centre" is centr and "center" center, "organisation" organis and
"organization" organiz, "programme" programm and "program" program. UNESCO's and most of this centre's
English texts spell the British way (the demo's English texts hold centre, programme, organisation or
labour 85 times, their American forms 5 times) and many readers type the American way, so a reader's
"community learning center" missed every "community learning centre". A British stem is written as its
American one wherever English is stemmed, in texts and in queries alike (`analysis._stemmed`,
`analysis.stem`); the stem covers a word's inflections and derivations (organise, organised,
organisation, organisations: organis). The pairs are the field's common words, written for llrc.
"""

from __future__ import annotations

from functools import cache

import Stemmer

# British and American forms, a pair each; only pairs the English stemmer keeps apart matter (enrol and
# enroll, travelling and traveling are stemmed alike already).
_PAIRS = """
centre center; theatre theater; metre meter; litre liter; fibre fiber; manoeuvre maneuver;
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


@cache
def american_stems() -> dict[str, str]:
    """Each British English stem the stemmer keeps apart from its American form's, with that one."""
    stemmer = Stemmer.Stemmer("english")
    found: dict[str, str] = {}
    for british, american in pairs():
        british_stem, american_stem = stemmer.stemWord(british), stemmer.stemWord(american)
        if british_stem != american_stem:
            found[british_stem] = american_stem
    return found


@cache
def british_stems() -> dict[str, tuple[str, ...]]:
    """Each American stem with the British stems written as it: what a reader's American word is to be
    marked as in a British text (`ParsedQuery.highlight_terms`)."""
    found: dict[str, list[str]] = {}
    for british, american in american_stems().items():
        found.setdefault(american, []).append(british)
    return {american: tuple(british) for american, british in found.items()}
