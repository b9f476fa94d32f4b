import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.local")

application = get_wsgi_application()

# Import every view now rather than during the first request, which is often the
# orchestrator's readiness probe with a two-second budget.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018

# The query parameters each operation declares (its schema), generated once before the
# workers fork rather than in each worker's first request.
from backend.query_parameters import declared_parameters  # noqa: E402

declared_parameters()
