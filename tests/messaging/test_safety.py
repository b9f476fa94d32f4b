"""The red-flag words check, by table: what a patient might write, and what it matches."""

import pytest

from apps.messaging.safety import LOG_ROUTE, PATIENT_NOTICE, RED_FLAG_REPLY, red_flag_terms

CALF = "calf_swelling_or_redness"
FEVER = "fever"
WEIGHT = "cannot_bear_weight"
SADDLE = "saddle_numbness"
BLADDER_BOWEL = "bladder_or_bowel_change"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Calf swelling or redness: the calf and the sign in one sentence.
        ("My calf is swollen", [CALF]),
        ("my CALF looks RED and feels hot", [CALF]),
        ("The swelling in my left calf is worse today", [CALF]),
        ("Both calves swelled up overnight", [CALF]),
        ("my lower leg is puffy", [CALF]),
        ("There's redness behind the knee going down into the calf.", [CALF]),
        ("calf:swollen!!", [CALF]),
        # Fever.
        ("I think I have a fever", [FEVER]),
        ("Feeling feverish since last night", [FEVER]),
        ("I've got a high temperature", [FEVER]),
        ("running a temperature and the knee is hot", [FEVER]),
        # Cannot bear weight, in the ways people say it.
        ("I can't bear weight on my left leg", [WEIGHT]),
        ("I can’t put any weight on it since this morning", [WEIGHT]),
        ("CANNOT BEAR WEIGHT", [WEIGHT]),
        ("I am unable to put my weight through that leg", [WEIGHT]),
        ("I can not walk", [WEIGHT]),
        ("I couldn't even stand this morning", [WEIGHT]),
        ("I can put no weight on it", [WEIGHT]),
        # Numbness between the legs (saddle area): a numbness word and the area.
        ("I have numbness between my legs", [SADDLE]),
        ("saddle numbness", [SADDLE]),
        ("My groin feels numb", [SADDLE]),
        ("pins and needles around my bottom", [SADDLE]),
        ("I can't feel anything in my back passage", [SADDLE]),
        # Bladder or bowel change.
        ("Something is off with my bladder", [BLADDER_BOWEL]),
        ("I've had trouble with my bowels", [BLADDER_BOWEL]),
        ("I wet myself today", [BLADDER_BOWEL]),
        ("I can't pee properly", [BLADDER_BOWEL]),
        ("some incontinence since yesterday", [BLADDER_BOWEL]),
        # Several at once, in a fixed order, each once.
        (
            "Fever again. My calf is red. Calf still red. I can't walk and my bladder is odd.",
            [CALF, FEVER, WEIGHT, BLADDER_BOWEL],
        ),
        ("numb between the legs and a fever", [FEVER, SADDLE]),
        # Negations are NOT recognised, on purpose (apps/messaging/safety.py): the cost of
        # a reply asking for a log is small, a missed sign is not.
        ("No fever", [FEVER]),
        ("My calf is not swollen any more", [CALF]),
        ("I don't think I have a fever, but my calf is red", [CALF, FEVER]),
        ("I'm not sure if I can bear weight... I cannot bear weight on it", [WEIGHT]),
    ],
)
def test_it_matches_a_red_flag_sign(text, expected):
    assert red_flag_terms(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Is it fine to do the stretches twice a day?",
        "Thanks, see you on Tuesday!",
        # A part of a two-part sign alone is not the sign.
        "My calf is sore after the walk",
        "The calf raises are getting easier",
        "My knee is swollen after the stairs",  # knee swelling alone: no red flag
        "My toes are a bit numb after the ice",
        "My bottom hurts from sitting",
        # Across sentences, the two parts are not one sign.
        "My calf is fine. The swelling is in my ankle.",
        # Words that contain or look like a sign's word.
        "I read the leaflet about calf stretches",
        "I used the red band for my calf raises",
        "I can bear weight again!",
        "I can walk to the shops now",
        "The room temperature was fine for the exercises",
        "The bike saddle is too high for my knee",
        "I can't wait to walk without a limp",
        "The bottom of my foot is numb after icing",
    ],
)
def test_it_does_not_match_ordinary_messages(text):
    assert red_flag_terms(text) == []


def test_the_reply_and_the_notice_say_what_to_do():
    assert LOG_ROUTE == "app://log"
    for text in (PATIENT_NOTICE, RED_FLAG_REPLY):
        assert "around the clock" in text
        assert "emergency number" in text
    assert "log your symptoms now" in RED_FLAG_REPLY
