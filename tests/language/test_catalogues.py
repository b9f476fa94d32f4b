"""The gettext catalogues (apps/<app>/locale/es/LC_MESSAGES/django.po, and backend/'s in
backend/locale/; compiled .mo committed): nothing missing, nothing empty, the .mo as the .po
says, and a text without a translation falls back to English, never to an empty string."""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from apps.accounts.mail import email_render
from apps.content.vocabulary import DISCLAIMER

ROOT = Path(settings.BASE_DIR)
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# Each app's, and backend's (the API's shared texts; settings.LOCALE_PATHS).
PACKAGES = [*sorted(path for path in (ROOT / "apps").iterdir() if path.is_dir()), ROOT / "backend"]
CATALOGUES = sorted(
    po for package in PACKAGES for po in package.glob("locale/*/LC_MESSAGES/django.po")
)
MARKED = re.compile(r"gettext|\{% *(trans|translate|blocktrans|blocktranslate)\b")
# printf-style (%(name)s, %d) and str.format-style ({name}, as DRF's error messages).
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def entries(po: Path) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(po)) if not entry.obsolete]


def texts(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def sources(entry: polib.POEntry) -> list[str]:
    """The English each of `texts(entry)` translates: a plural's first form is for 1 (as in
    every catalogue here, `plural=(n != 1)`), so it may leave out the number ("every
    day"), and the other forms translate the plural."""
    if not entry.msgid_plural:
        return [entry.msgid]
    return [entry.msgid if form == 0 else entry.msgid_plural for form in entry.msgstr_plural]


def test_every_app_that_marks_texts_has_a_catalogue_for_every_language():
    assert ROOT / "backend" / "locale" in [Path(path) for path in settings.LOCALE_PATHS]
    for app in PACKAGES:
        sources = [
            path
            for path in app.rglob("*")
            if path.suffix in {".py", ".html", ".txt"} and "migrations" not in path.parts
        ]
        if not any(MARKED.search(path.read_text(encoding="utf-8")) for path in sources):
            continue
        for language in LANGUAGES:
            catalogue = app / "locale" / language / "LC_MESSAGES" / "django.po"
            assert catalogue.exists(), (
                f"{app.name} marks texts for translation but has no {language} catalogue: "
                f"mkdir {app.relative_to(ROOT)}/locale and run scripts/messages.py"
            )


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_entry_is_missing_empty_or_fuzzy(po):
    for entry in entries(po):
        assert "fuzzy" not in entry.flags, entry.msgid
        for text, source in zip(texts(entry), sources(entry), strict=True):
            assert text.strip(), f"{po}: no translation for {entry.msgid!r}"
            # The same placeholders, or formatting fails or loses a value.
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (
                entry.msgid
            )


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_committed_mo_is_the_po_compiled(po):
    compiled = {
        (entry.msgid, entry.msgid_plural): texts(entry)
        for entry in polib.mofile(str(po.with_suffix(".mo")))
        if entry.msgid
    }
    written = {(entry.msgid, entry.msgid_plural): texts(entry) for entry in entries(po)}
    assert compiled == written, "run: .venv/bin/python scripts/messages.py --compile"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="extracting needs GNU xgettext")
def test_every_marked_text_is_in_the_catalogues(tmp_path, monkeypatch, settings):
    """Extract again into a copy: the catalogues hold exactly what the code marks."""
    for package in ("apps", "backend"):
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.mo"),
        )
    settings.LOCALE_PATHS = [
        str(tmp_path / path.relative_to(ROOT) / "locale")
        for path in PACKAGES
        if (path / "locale").is_dir()
    ]
    monkeypatch.chdir(tmp_path)

    call_command("makemessages", locale=LANGUAGES, no_location=True, no_obsolete=True, verbosity=0)

    for po in CATALOGUES:
        fresh = tmp_path / po.relative_to(ROOT)
        assert {e.msgid for e in entries(fresh)} == {e.msgid for e in entries(po)}, (
            f"{po.relative_to(ROOT)} is out of date: run scripts/messages.py and translate"
        )


def test_a_text_without_a_translation_falls_back_to_english():
    with translation.override("es"):
        assert translation.gettext("A text no catalogue holds.") == "A text no catalogue holds."
        assert translation.gettext(DISCLAIMER) != DISCLAIMER
        assert translation.gettext(DISCLAIMER).strip()


@pytest.mark.parametrize(
    ("template", "context", "spanish"),
    [
        ("verify_email", {"name": "Ana", "link": "https://x.test/v", "hours": 48}, "Confirme"),
        (
            "password_reset",
            {"name": "Ana", "link": "https://x.test/r", "minutes": 60},
            "contraseña",
        ),
        (
            "care_invite",
            {
                "physio_name": "Dra. Ruiz",
                "code": "AB12-CD34",
                "link": "https://x.test/j",
                "hours": 72,
            },
            "equipo de atención",
        ),
    ],
)
def test_an_email_is_in_the_recipients_language(template, context, spanish):
    english = email_render(template, to="a@example.org", language="en", context=context)
    email = email_render(template, to="a@example.org", language="es", context=context)

    assert email.language == "es"
    assert spanish in email.subject + email.text
    assert spanish in email.html
    assert english.language == "en"
    assert spanish not in english.subject + english.text
