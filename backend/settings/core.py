"""Django itself: the apps in their layer order, middleware, templates, static files.

The clinic portal adds its own apps and middleware in `portal.py`.
"""

from .environment import BASE_DIR, env

# --- General -------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
# SECRET_KEY: set by local.py, test.py (defaults) and production.py (required).
# Earlier keys, newest first, still accepted after a rotation: Django's signatures and
# sessions, and our keyed hashes (recovery codes, invite codes, e-mailed links) made with
# them (docs/decisions/secret-key-rotation.md).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_CODE = "en"
USE_I18N = True
# Languages people may choose (`me.language`); texts go through gettext, and e-mails are
# rendered in the recipient's language. Catalogues live in each app's locale/ folder.
LANGUAGES = [("en", "English"), ("es", "Español")]
# backend/ is no app, so its own catalogue (the API's shared texts) is named here. Django
# looks here before the apps' and the libraries' catalogues (docs/decisions/gettext-catalogues.md).
LOCALE_PATHS = [BASE_DIR / "backend" / "locale"]
ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Apps ----------------------------------------------------------------------------
DJANGO_APPS = [
    # Django's admin, on a site that requires the second factor (apps/accounts/admin_site.py).
    "apps.accounts.admin_config.SecondFactorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served locally, not from a CDN
    "drf_standardized_errors",
    "axes",
    "adminsortable2",
    "simple_history",
]
# In the order of the layers, bottom first (docs/architecture.md; import-linter checks it).
LOCAL_APPS = [
    "apps.content",
    "apps.accounts",
    "apps.notifications",
    "apps.clinics",
    "apps.episodes",
    "apps.symptoms",
    "apps.care",
    "apps.outcomes",
    "apps.messaging",
    "apps.plans",
    "apps.alerts",
    "apps.episode_lifecycle",
    "apps.guidance",
    "apps.interop",
    "apps.clinic",
    "apps.sync",
]
# modeltranslation first: before the admin, whose forms it patches, and so that its ready()
# registers the content's translated columns before content's history models are built
# (apps/content/translation.py; docs/decisions/content-translations.md).
INSTALLED_APPS = ["modeltranslation", *DJANGO_APPS, *THIRD_PARTY_APPS, *LOCAL_APPS]
# Content texts in Spanish fall back to English per field, never to an empty string.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that answers: a signed-in caller's answer is never cached.
    "backend.private_answers.PrivateAnswersMiddleware",
    # Before anything reads the body: a chunked body is read or refused (413) here.
    "backend.chunked_bodies.ChunkedBodyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads a parameter: NUL bytes are a 400 (backend/rest.py).
    "backend.rest.UnstorableInputMiddleware",
    # Then query parameters the operation's schema does not declare are a 400.
    "backend.query_parameters.KnownParametersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The answer's language: the user's own, else Accept-Language, else en (backend/language.py).
    "backend.language.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # who made each content change
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the lockout flag set during authentication (admin login).
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Static files --------------------------------------------------------------------
# Local runs (runserver with DEBUG off included) serve static files straight from the
# apps' folders through WhiteNoise: no collectstatic needed. Production serves the
# collected, hashed and compressed copies (production.py).
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
