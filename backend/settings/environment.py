"""Where the project lives and how settings read the environment (django-environ).

Every other settings module takes `env`, `BASE_DIR` and `VAR_DIR` from here, so a `.env`
file beside manage.py is read once, before any of them.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"  # local state: SQLite file, embedded broker, beat schedule

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))
