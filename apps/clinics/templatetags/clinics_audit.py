"""`{{ row.what|audit_what }}` on the clinic's Audit page: a read's code as words in the
reader's language (apps.clinics.audit_words)."""

from django import template

from apps.clinics.audit_words import audit_what as words_for

register = template.Library()


@register.filter
def audit_what(code: str) -> str:
    return words_for(code)
