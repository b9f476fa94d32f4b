"""Every code an alert's `codes` may hold, as one choice list: the schema publishes it as
one enum (`AlertCodeEnum`), so a generated client knows each code by name.

A red flag's codes are the triage's red-flag codes; a worsening alert's are the rules that
fired (symptoms, exercise pain, outcome scores); a missed-exercise alert's is one code.
"""

from apps.content.vocabulary import RedFlagCode

from .models import ADHERENCE_BELOW_HALF
from .outcomes import ALERTING_INSTRUMENTS, WORSENED
from .worsening import WorseningCode

MISSED_EXERCISE_CODES = [(ADHERENCE_BELOW_HALF, "Under half of the exercise sessions done")]

ALERT_CODE_CHOICES: list[tuple[str, str]] = [
    *RedFlagCode.choices,
    *WorseningCode.choices,
    *[(f"{code}_{WORSENED}", f"{code.upper()} worsened") for code in ALERTING_INSTRUMENTS],
    *MISSED_EXERCISE_CODES,
]
