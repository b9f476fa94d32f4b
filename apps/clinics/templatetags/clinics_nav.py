"""The portal's links for clinic admins (`{% clinic_admin_links nav %}` in the portal's
menu): shown only to an admin of some clinic, with texts from this app's catalogue."""

from django import template

from apps.accounts.models import User
from apps.clinics.models import StaffRole
from apps.clinics.selectors import memberships_of

register = template.Library()


@register.inclusion_tag("clinics/portal/nav.html", takes_context=True)
def clinic_admin_links(context: template.Context, nav: str = "") -> dict:
    user = context["request"].user
    # One query a page, for signed-in physios only (memberships_of answers none otherwise).
    administers = isinstance(user, User) and (
        memberships_of(user=user).filter(role=StaffRole.ADMIN).exists()
    )
    return {"administers": administers, "nav": nav}
