"""Extract the texts to translate into each app's own catalogue, and compile them.

    .venv/bin/python scripts/messages.py           # update every catalogue (apps' and backend's)
    .venv/bin/python scripts/messages.py --compile # only compile the .po into .mo

Each app that has a `locale/` folder keeps its own catalogue (`apps/<app>/locale/es/
LC_MESSAGES/django.po`), so teams editing different apps never touch the same file; the
API's shared texts (backend/) have theirs in `backend/locale/` (settings.LOCALE_PATHS). The
compiled `.mo` files are committed: running the service needs no gettext tools.
Extracting needs GNU gettext's xgettext (Debian: gettext); compiling uses polib (pure
Python, a dev requirement), so it runs without gettext tools.

A new text is never given the translation of a similar old one (msgmerge's "fuzzy"
matching is off): a guessed translation is not a reviewed one, and the catalogue tests
refuse fuzzy entries. Edit the `.po` files by hand or through this script only: a file
saved by polib wraps its long lines differently, and the next extraction rewraps them all.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.local")


def locale_dirs() -> list[Path]:
    """Each app's locale folder, then backend's."""
    apps = sorted(path for path in (ROOT / "apps").glob("*/locale") if path.is_dir())
    return [*apps, ROOT / "backend" / "locale"]


def catalogues() -> list[Path]:
    return [po for path in locale_dirs() for po in sorted(path.glob("*/LC_MESSAGES/django.po"))]


def compile_catalogues() -> None:
    import polib

    for po in catalogues():
        polib.pofile(str(po)).save_as_mofile(str(po.with_suffix(".mo")))
        print(f"compiled {po.relative_to(ROOT)}")


def extract() -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    from django.core.management.commands import makemessages

    class Makemessages(makemessages.Command):
        msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

    # makemessages writes each file's texts to the locale folder of the app (or backend/) it
    # is in.
    settings.LOCALE_PATHS = [str(path) for path in locale_dirs()]
    os.chdir(ROOT)
    call_command(
        Makemessages(),
        locale=[code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE],
        no_location=True,
        no_obsolete=True,
        ignore_patterns=[".venv/*", "clients/*", "tests/*", "var/*", "staticfiles/*"],
        verbosity=0,
    )


if __name__ == "__main__":
    if "--compile" not in sys.argv:
        extract()
    compile_catalogues()
