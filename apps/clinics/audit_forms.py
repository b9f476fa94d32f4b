"""The portal's filter of a clinic's audit (apps/clinic/portal/audit.py): here, beside the
audit's selectors, so its texts are in this app's catalogue with the page's template."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.models import User


def person_label(user: User, *, unnamed: str) -> str:
    # Patients are named by display name only (no e-mail: docs/decisions/clinic-audit.md);
    # an unnamed one by the start of their id, which the API's `patient` filter takes whole.
    return user.display_name or f"{unnamed} ({str(user.pk)[:8]})"


class AuditQueryForm(forms.Form):
    staff = forms.ChoiceField(label=pgettext_lazy("clinic audit", "Staff member"), required=False)
    patient = forms.ChoiceField(label=pgettext_lazy("clinic audit", "Patient"), required=False)
    since = forms.DateField(
        label=pgettext_lazy("clinic audit", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=pgettext_lazy("clinic audit", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(self, data, *, staff: list[User], patients: list[User]) -> None:
        super().__init__(data)
        staff_field = self.fields["staff"]
        patient_field = self.fields["patient"]
        assert isinstance(staff_field, forms.ChoiceField)
        assert isinstance(patient_field, forms.ChoiceField)
        staff_field.choices = [("", _("Everyone on the staff"))] + [
            (str(user.pk), user.shown_name) for user in staff
        ]
        patient_field.choices = [("", _("Every patient"))] + [
            (str(user.pk), person_label(user, unnamed=str(_("Unnamed patient"))))
            for user in patients
        ]

    def clean(self):
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The last day must not be before the first."))
        return cleaned
