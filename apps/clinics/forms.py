"""The portal's forms for a clinic's staff (apps/clinic/portal/staff.py shows them): they
check the shape of what was typed; the rules stay in the services. Their texts, and the
notices the pages show after an action, live here so that they are in this app's catalogue
with the pages' templates."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User, validate_display_name

from .models import StaffRole

ROLE_CHOICES = [
    (StaffRole.CLINICIAN.value, _("Clinician")),
    (StaffRole.ADMIN.value, _("Clinic admin (manages the staff; also a clinician)")),
]


class StaffInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=ROLE_CHOICES, initial=StaffRole.CLINICIAN.value
    )


class ColleagueField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.shown_name} ({obj.email})"


class StaffDeactivateForm(forms.Form):
    transfer_to = ColleagueField(
        label=_("Hand their patients over to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Choose a colleague"),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this account can no longer sign in."),
        required=True,
    )

    def __init__(self, *args: Any, colleagues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["transfer_to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = colleagues


class StaffInviteAcceptForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name, as patients and colleagues see it"),
        max_length=80,
        validators=[validate_display_name],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password, again"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password"), data.get("password_again")
        if first and second and first != second:
            self.add_error("password_again", _("The two passwords differ."))
        return data


NOTICES = {
    "invited": _("The invitation is on its way to %(email)s. Its link works for 7 days."),
    "revoked": _("The invitation of %(email)s was withdrawn: its link no longer works."),
    "revoked_accepted": _("%(email)s accepted the invitation already."),
    "deactivated": _("%(name)s was deactivated. Patients handed over: %(count)s."),
    "throttled": _("You have sent many invitations in the last hour: try again later."),
    "accepted": _("Your account is ready. Sign in, then set up your authenticator app."),
}
