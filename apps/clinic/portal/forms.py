"""The portal's forms. They check the shape of what was typed; the rules (who may plan for
whom, a plan's dates, one active plan) stay in the services, whose errors the views put back
on these forms."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Language
from apps.alerts.services import RESOLUTION_NOTE_MAX_LENGTH
from apps.clinic.selectors import PORTAL_ORDERINGS
from apps.content.models import Condition, Exercise, ExerciseMedia
from apps.content.models import Status as ContentStatus
from apps.content.selectors import media_prefetch, published_exercises
from apps.messaging.models import BODY_MAX_LENGTH

# "Mon" … "Sun", in Django's own catalogue for every language it ships.
WEEKDAYS = sorted(WEEKDAYS_ABBR.items())
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_REMINDERS = 6
MAX_ITEMS = 30
ITEM_PREFIX = re.compile(r"^items-([0-9a-z]{1,12})-exercise$")


def date_input() -> forms.DateInput:
    """A browser's date picker: its value is always ISO (2027-03-01), whatever the page's
    language; a Spanish page would otherwise fill it with 01/03/2027, which the picker
    drops, and the form would come back saying the date is required."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


class CaseloadQueryForm(forms.Form):
    q = forms.CharField(label=_("Search by name or email"), max_length=254, required=False)
    alerts = forms.BooleanField(label=_("Only patients with alerts to resolve"), required=False)
    sort = forms.ChoiceField(choices=[(key, key) for key in PORTAL_ORDERINGS], required=False)

    def query(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q", "").strip(),
            "open_alerts_only": bool(data.get("alerts")),
            "ordering": data.get("sort") or "urgency",
        }


class ReminderTimesField(forms.CharField):
    """ "08:00, 18:30" → ["08:00", "18:30"]: 24-hour times in the patient's zone."""

    def to_python(self, value):
        text = super().to_python(value) or ""
        times = [part.strip() for part in re.split(r"[,\s]+", text) if part.strip()]
        bad = [time for time in times if not TIME.match(time)]
        if bad:
            raise ValidationError(
                _('Use 24-hour times such as "08:30" (%(times)s).'),
                code="invalid_time",
                params={"times": ", ".join(bad)},
            )
        if len(times) > MAX_REMINDERS:
            raise ValidationError(
                _("At most %(count)s reminder times."),
                code="max_length",
                params={"count": MAX_REMINDERS},
            )
        return sorted(set(times))


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    start_date = forms.DateField(label=_("Start date"), widget=date_input())
    end_date = forms.DateField(label=_("End date"), widget=date_input())
    reminder_times = ReminderTimesField(
        label=_("Reminder times"),
        required=False,
        help_text=_(
            '24-hour times in the patient\'s time zone, separated by commas, such as "08:00, 18:30".'
        ),
    )


class PlanItemForm(forms.Form):
    # Shown beside the row; set by the functions that build the forms.
    exercise_name = ""
    exercise_picture: ExerciseMedia | None = None
    exercise = forms.ModelChoiceField(
        queryset=Exercise.objects.none(), to_field_name="slug", widget=forms.HiddenInput
    )
    sets = forms.IntegerField(label=_("Sets"), min_value=1, max_value=20)
    reps = forms.IntegerField(label=_("Reps"), min_value=1, max_value=100, required=False)
    hold_seconds = forms.IntegerField(
        label=_("Hold (seconds)"), min_value=0, max_value=600, required=False
    )
    times_per_day = forms.IntegerField(label=_("Times a day"), min_value=1, max_value=6, initial=1)
    days_of_week = forms.TypedMultipleChoiceField(
        label=_("Days"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    max_pain = forms.IntegerField(label=_("Pain limit (0–10)"), min_value=0, max_value=10)
    notes = forms.CharField(
        label=_("Notes"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, exercises=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["exercise"]
        assert isinstance(field, forms.ModelChoiceField)  # declared above
        field.queryset = exercises if exercises is not None else published_exercises()

    def item(self) -> dict:
        """The cleaned item as plans.services expects it."""
        return dict(self.cleaned_data)


def item_prefixes(data) -> list[str]:
    """The items' prefixes in the order the form sent them (the order on the page)."""
    seen: dict[str, None] = {}
    for key in data:
        match = ITEM_PREFIX.match(key)
        if match:
            seen.setdefault(f"items-{match.group(1)}")
    return list(seen)


def item_forms(data, exercises=None) -> list[PlanItemForm]:
    """The plan's item forms as posted; `exercises`: what this physio may prescribe
    (plans.selectors.prescribable_exercises), the library if not given."""
    exercises = published_exercises() if exercises is None else exercises
    forms_ = [
        PlanItemForm(data, prefix=prefix, exercises=exercises)
        for prefix in item_prefixes(data)[:MAX_ITEMS]
    ]
    slugs = {data.get(f"{form.prefix}-exercise") for form in forms_}
    found = {
        exercise.slug: exercise
        for exercise in exercises.filter(slug__in=slugs).prefetch_related(media_prefetch())
    }
    for form in forms_:
        slug = data.get(f"{form.prefix}-exercise")
        exercise = found.get(slug)
        form.exercise_name = exercise.name if exercise else slug
        form.exercise_picture = exercise.first_picture() if exercise else None
    return forms_


def initial_item_form(exercise: Exercise, prefix: str, **initial) -> PlanItemForm:
    form = PlanItemForm(
        prefix=prefix,
        initial={
            "exercise": exercise.slug,
            "sets": exercise.default_sets,
            "reps": exercise.default_reps,
            "hold_seconds": exercise.default_hold_seconds,
            "times_per_day": 1,
            "days_of_week": [0, 1, 2, 3, 4, 5, 6],
            "max_pain": 3,
            **initial,
        },
    )
    form.exercise_name = exercise.name
    form.exercise_picture = exercise.first_picture()
    return form


class TemplateSaveForm(forms.Form):
    """Save the active plan's exercises and dosages as a template of the physio's own (the
    notes written for this patient are not copied)."""

    title = forms.CharField(label=_("Template name"), max_length=160)


class MessageForm(forms.Form):
    """A message to the patient. The client_id is drawn when the form is shown, so sending
    the same form twice (a double click, a retry) stores one message (messaging.services)."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Message to the patient"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class OutcomeScheduleForm(forms.Form):
    """Ask the patient to answer a questionnaire every so many days."""

    instrument = forms.ChoiceField(label=_("Questionnaire"))
    every_days = forms.IntegerField(label=_("Every (days)"), min_value=1, max_value=365, initial=14)
    starts_on = forms.DateField(label=_("Starting on"), widget=date_input())

    def __init__(self, *args, instruments=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        assert isinstance(field, forms.ChoiceField)  # declared above
        field.choices = list(instruments)


# --- Episodes of care -------------------------------------------------------------------------


class EpisodeOpenForm(forms.Form):
    """Open a course of care (apps.episodes.services.episode_open checks the dates)."""

    title = forms.CharField(label=_("Title"), max_length=160, initial=_("Episode of care"))
    condition = forms.ModelChoiceField(
        queryset=Condition.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("(none)"),
        label=_("Condition (optional)"),
    )
    started_on = forms.DateField(label=_("Started on"), widget=date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["condition"]
        assert isinstance(field, forms.ModelChoiceField)  # declared above
        field.queryset = Condition.objects.filter(status=ContentStatus.PUBLISHED).order_by("name")


class GoalForm(forms.Form):
    """A target score on an enabled questionnaire by a date (the episode_lifecycle app's
    goal_create checks the target against the instrument's range and the date against the
    episode)."""

    description = forms.CharField(
        label=_("Description"), max_length=500, help_text=_("What the patient wants to do.")
    )
    instrument = forms.ChoiceField(label=_("Questionnaire"))
    target = forms.DecimalField(
        label=_("Target score"), max_digits=8, decimal_places=2, min_value=-100000, max_value=100000
    )
    due_on = forms.DateField(label=_("Due by"), widget=date_input())

    def __init__(self, *args, instruments=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        assert isinstance(field, forms.ChoiceField)  # declared above
        field.choices = list(instruments)


class DischargeForm(forms.Form):
    """Close the episode. Discharge cannot be undone, so it asks for a confirmation."""

    note = forms.CharField(
        label=_("Discharge note"),
        max_length=4000,
        required=False,
        help_text=_("Printed on the report."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand: the plans are archived, the questionnaires end and their "
            "reminders are cancelled."
        ),
        error_messages={"required": _("Tick the box to confirm the discharge.")},
    )


class UnlinkForm(forms.Form):
    """End the care-team link with a patient. The physio loses access at once, so it asks
    for a confirmation."""

    confirm = forms.BooleanField(
        label=_(
            "I understand: I will no longer see this patient's records or alerts, and the "
            "questionnaires I asked for stop."
        ),
        error_messages={"required": _("Tick the box to confirm the unlinking.")},
    )


# --- The physio's own account: forgotten password, new password, change password ------------


class PasswordResetForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )


def _new_password_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class NewPasswordForm(forms.Form):
    """A new password typed twice; Django's validators run in the service."""

    new_password = _new_password_field(_("New password"))
    new_password_again = _new_password_field(_("New password, again"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("new_password"), data.get("new_password_again")
        if first and second and first != second:
            self.add_error("new_password_again", _("The two passwords differ."))
        return data


class PasswordChangeForm(NewPasswordForm):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "new_password", "new_password_again"]


class LanguageForm(forms.Form):
    """The physio's own language: the portal's pages and the e-mails to them use it. Each
    language is named in itself ("Español"), so a reader finds theirs whatever is shown."""

    language = forms.ChoiceField(label=_("Language of the portal"), choices=Language.choices)


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Patient's e-mail address (optional)"),
        help_text=_("The code and a link into the app are e-mailed there too."),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class AlertResolveForm(forms.Form):
    """Resolve an alert, saying what was done (kept on the alert and in its history)."""

    note = forms.CharField(
        label=_("What was done (optional)"),
        max_length=RESOLUTION_NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# The diary's level filter: a log's triage level, in the words the diary shows.
DIARY_LEVELS = [
    ("emergency", _("Emergency")),
    ("urgent", _("Urgent")),
    ("soon", _("Soon")),
    ("self_care", _("Self-care")),
]


class DiaryQueryForm(forms.Form):
    """The symptom diary's filter (levels; none ticked shows every log), the page, and a
    log to show (the page holding it is opened; an alert links to its log this way)."""

    level = forms.MultipleChoiceField(
        label=_("Levels"), choices=DIARY_LEVELS, required=False, widget=forms.CheckboxSelectMultiple
    )
    page = forms.IntegerField(min_value=1, required=False)
    log = forms.UUIDField(required=False)

    def query(self) -> dict:
        """What was asked, with anything malformed left out and said so in `ignored` (a
        bookmarked or hand-edited address still opens the diary, never a blank page): an
        unknown level is dropped and the known ones kept; a page that is not a number opens
        the first; a malformed log id is ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        asked = self.data.getlist("level") if hasattr(self.data, "getlist") else []
        known = {value for value, _ in DIARY_LEVELS}
        levels = [value for value, _ in DIARY_LEVELS if value in asked]
        ignored = []
        if any(value not in known for value in asked):
            ignored.append(_("A level that does not exist was left out of the filter."))
        if "page" in self.errors:
            ignored.append(_("That page does not exist: showing the first page."))
        return {
            "levels": levels,
            "page": data.get("page") or 1,
            "log": data.get("log"),
            "ignored": ignored,
        }
