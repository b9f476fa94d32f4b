"""Settings shared by every environment, read from the environment (django-environ).

One module per concern, gathered here in this order (a later module may build on an
earlier one's values, as the portal does on core's apps and middleware):

| module | holds |
|---|---|
| `environment.py` | `BASE_DIR`, `VAR_DIR`, `env` (and the `.env` file) |
| `core.py` | general Django settings, apps in layer order, middleware, templates, static files |
| `database.py` | `DATABASES`: SQLite by default, PostgreSQL from `DATABASE_URL`, timeouts |
| `cache.py` | `REDIS_URL` and the cache on it |
| `auth.py` | authentication backends, passwords, lockouts (axes), JWTs, proxies |
| `api.py` | REST framework, the error envelope, request size, the OpenAPI schema |
| `background.py` | Celery: broker, queues, limits, the beat schedule |
| `push.py` | push backends and providers |
| `security.py` | security headers and cookies |
| `logs.py` | logging |
| `portal.py` | the clinic portal: its apps and middleware, sessions, second factor, CSP |
| `media.py` | exercise pictures and videos: the filesystem or an S3-compatible store |

`local.py` (the default), `test.py` and `production.py` build on this module. Only
`local.py` and `test.py` supply defaults for secrets; production fails at start
without them.
"""

# In this order, not sorted: portal.py replaces core.py's INSTALLED_APPS and MIDDLEWARE.
# ruff: noqa: I001
from .environment import *  # noqa: F403
from .core import *  # noqa: F403
from .database import *  # noqa: F403
from .cache import *  # noqa: F403
from .auth import *  # noqa: F403
from .api import *  # noqa: F403
from .background import *  # noqa: F403
from .push import *  # noqa: F403
from .security import *  # noqa: F403
from .logs import *  # noqa: F403
from .portal import *  # noqa: F403
from .media import *  # noqa: F403
