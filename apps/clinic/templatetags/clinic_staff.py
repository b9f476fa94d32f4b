"""The portal's Staff link, shown to a clinic's admins only (their pages are 404 for
anyone else). Its text is in apps.clinics' catalogue, with the Staff pages."""

from typing import Any

from django import template

from apps.accounts.models import Role
from apps.clinics.selectors import administered_clinics_of

register = template.Library()


@register.inclusion_tag("clinics/portal/nav_link.html", takes_context=True)
def staff_nav_link(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    show = bool(
        user is not None
        and user.is_authenticated
        and user.role == Role.PHYSIO
        and administered_clinics_of(user=user).exists()
    )
    return {"show": show, "current": context.get("nav") == "staff"}
