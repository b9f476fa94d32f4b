"""What keeps messages safe for patients: the notice every thread answer carries, and the
plain-word check that answers a message mentioning a red-flag sign.

Messages are read by a person, later. A patient who writes "my calf is swollen and red"
needs the symptom log's triage now (docs/domain.md, Red flags), not a reply tomorrow: the
automatic reply sends them there. It raises nothing itself; the log does.

`red_flag_terms` is a pure function over the text, with no ORM and no settings, tested by
table (tests/messaging/test_safety.py).

Negations are deliberately NOT recognised: "no fever", "not swollen" and "I don't think
I can bear weight" all match. Telling a negation from a worry in free text is unreliable
("no, it's not better, the calf is still swollen"; "not sure if it's a fever"), one of the
signs is itself a negation ("cannot bear weight"), and the cost of a false match is one
polite reply asking for a symptom log, while a missed sign is far worse
(docs/domain.md: when a rule is unsure it escalates).
"""

import re
from enum import StrEnum

# The mobile app's route to the symptom log screen. The automatic reply carries it as its
# `action_route`, so the app shows a button that opens the log (docs/api.md, Messages).
LOG_ROUTE = "app://log"

# Every answer of the thread endpoints carries this for a patient (`notice`).
PATIENT_NOTICE = (
    "Messages are read by your physiotherapist when they are working, not around the clock, "
    "and a reply can take a while. Do not use messages for urgent problems: if your symptoms "
    "are new or getting worse, log them in the app now so it can tell you what to do, or "
    "contact a doctor. In an emergency, call your local emergency number."
)

# The automatic reply to a patient's message that mentions a red-flag sign. It names no
# sign: the check matches words, not meaning, so it must read well after a false match.
RED_FLAG_REPLY = (
    "Automatic reply: your message mentions a sign that can need checking quickly (such as "
    "calf swelling or redness, a fever, not being able to put weight on your leg, numbness "
    "between the legs, or a change in bladder or bowel control). Messages are not watched "
    "around the clock, so please log your symptoms now: the app checks them at once and tells "
    "you what to do. If you feel very unwell, call your local emergency number."
)


class RedFlagTerm(StrEnum):
    """The signs a patient's message is checked for (docs/domain.md, Red flags)."""

    CALF_SWELLING_OR_REDNESS = "calf_swelling_or_redness"  # possible_dvt
    FEVER = "fever"  # possible_infection
    CANNOT_BEAR_WEIGHT = "cannot_bear_weight"  # cannot_bear_weight
    SADDLE_NUMBNESS = "saddle_numbness"  # cauda_equina
    BLADDER_OR_BOWEL_CHANGE = "bladder_or_bowel_change"  # cauda_equina


# Patterns run on one sentence at a time, lower-cased, apostrophes dropped ("can't" is
# "cant") and every run of other non-word characters made one space.
_CANNOT = r"(?:cant|cannot|can not|couldnt|could not|unable to|not able to|no longer able to)"

_CALF = re.compile(r"\b(?:calf|calfs|calves|lower legs?)\b")
# "red band": resistance bands come in colours, and calf raises are done with them.
_SWOLLEN_OR_RED = re.compile(
    r"\b(?:swell|swells|swelled|swelling|swellings|swollen|puffy|puffiness|puffed up"
    r"|red(?! (?:band|theraband|resistance band))|redder|redness|reddish|reddened|inflamed)\b"
)
_FEVER = re.compile(
    r"\b(?:fever|fevers|feverish|fevered|febrile"
    r"|(?:high|raised|a|running a) temperature)\b"
)
_CANNOT_BEAR_WEIGHT = re.compile(
    rf"\b{_CANNOT} (?:\w+ ){{0,3}}?(?:bear|put|take|carry|hold) (?:\w+ ){{0,4}}?weight\b"
    rf"|\b{_CANNOT} (?:even |really |properly |at all )?(?:walk|stand)\b"
    r"|\bno weight (?:on|through)\b"
)
_NUMB = re.compile(
    r"\b(?:numb|numbness|numbed|tingling|tingly|tingles|pins and needles|no feeling"
    r"|cant feel|cannot feel|can not feel|lost (?:the |all )?feeling|loss of feeling"
    r"|less feeling|reduced feeling|anaesthesia|anesthesia)\b"
)
_SADDLE_AREA = re.compile(
    r"\b(?:saddle|between (?:my |the |your |his |her |both )?legs|groin|genitals?|genital area"
    r"|privates|private parts|bottom(?! of)|buttock|buttocks|bum|backside|anus|back passage"
    r"|perineum|crotch|inner thighs?)\b"
)
_BLADDER_OR_BOWEL = re.compile(
    r"\b(?:bladder|bowel|bowels|incontinence|incontinent|wet myself|wetting myself"
    r"|soiled myself|leaking urine|leaking wee"
    rf"|(?:{_CANNOT}|trouble|difficulty|struggling to|hard to) (?:\w+ ){{0,2}}?"
    r"(?:pee|wee|urinate|urinating|peeing|weeing|pass urine|passing urine|poo|pooing))\b"
)

_SENTENCE_END = re.compile(r"[.!?;]+(?=\s|$)|\n+")
_APOSTROPHES = re.compile(r"['’‘`]")
_NON_WORD = re.compile(r"[\W_]+")


def _sentences(text: str) -> list[str]:
    text = _APOSTROPHES.sub("", text.casefold())
    return [
        " ".join(_NON_WORD.sub(" ", part).split())
        for part in _SENTENCE_END.split(text)
        if part.strip()
    ]


def red_flag_terms(text: str) -> list[str]:
    """The red-flag signs `text` mentions, in RedFlagTerm order, each once.

    Plain words, case-insensitive; a sign made of two parts (calf + swelling, numbness +
    the saddle area) counts when both are in the same sentence. Negations are not
    recognised (see the module's docstring): "no fever" matches.
    """
    found: set[RedFlagTerm] = set()
    for sentence in _sentences(text):
        if _CALF.search(sentence) and _SWOLLEN_OR_RED.search(sentence):
            found.add(RedFlagTerm.CALF_SWELLING_OR_REDNESS)
        if _FEVER.search(sentence):
            found.add(RedFlagTerm.FEVER)
        if _CANNOT_BEAR_WEIGHT.search(sentence):
            found.add(RedFlagTerm.CANNOT_BEAR_WEIGHT)
        if _NUMB.search(sentence) and _SADDLE_AREA.search(sentence):
            found.add(RedFlagTerm.SADDLE_NUMBNESS)
        if _BLADDER_OR_BOWEL.search(sentence):
            found.add(RedFlagTerm.BLADDER_OR_BOWEL_CHANGE)
    return [str(term) for term in RedFlagTerm if term in found]
