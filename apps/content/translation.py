"""Which content texts have a column per language (django-modeltranslation), and the
content's history, built after them so that it records those columns.

modeltranslation imports this module from its `ready()` (it is first in INSTALLED_APPS)
and adds `<field>_en` and `<field>_es` to each model below. Reading `condition.name` then
gives the active language's column, falling back to English per field when it is empty
(settings `MODELTRANSLATION_FALLBACK_LANGUAGES`); the original column stays but nothing
reads it. docs/decisions/content-translations.md.

Safety texts are not here: the cautions (`cautions_es`) and a condition's
`when_to_seek_care` (`when_to_seek_care_es`) are served in Spanish only once an editor has
marked them reviewed (models.reviewed_text_served), which modeltranslation cannot express.
"""

import simple_history
from modeltranslation.translator import TranslationOptions, translator

from .models import Condition, Exercise, Protocol, ProtocolStep


class ConditionTranslation(TranslationOptions):
    fields = (
        "name",
        "other_names",
        "summary",
        "how_it_links",
        "typical_symptoms",
        "clinician_workup",
        "treatment_outline",
    )


class ProtocolTranslation(TranslationOptions):
    fields = ("title", "summary")


class ProtocolStepTranslation(TranslationOptions):
    fields = ("title", "instructions")


class ExerciseTranslation(TranslationOptions):
    fields = ("name", "summary", "instructions")


translator.register(Condition, ConditionTranslation)
translator.register(Protocol, ProtocolTranslation)
translator.register(ProtocolStep, ProtocolStepTranslation)
translator.register(Exercise, ExerciseTranslation)

# django-simple-history copies a model's fields when it builds the history model: built
# here, after the translated columns exist, every `_en` and `_es` column is versioned too
# (a `history = HistoricalRecords()` in the class body would be built before them).
simple_history.register(Condition, excluded_fields=["edited_in_admin"])
simple_history.register(Protocol, excluded_fields=["edited_in_admin"])
simple_history.register(ProtocolStep)
simple_history.register(Exercise, excluded_fields=["edited_in_admin"])
