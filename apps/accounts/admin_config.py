"""The admin's app config: Django's own, with the site that asks every staff user for the
second factor (admin_site.py). INSTALLED_APPS names it in place of "django.contrib.admin";
this module imports no models, since it is loaded before they are."""

from django.contrib.admin.apps import AdminConfig


class SecondFactorAdminConfig(AdminConfig):
    default_site = "apps.accounts.admin_site.SecondFactorAdminSite"
