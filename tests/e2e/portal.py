"""What the portal's browser tests share: axe-core on each page, signing in (a password and
a TOTP code), the app's side through the API, and the viewports the portal is checked at."""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django_otp.oath import TOTP

from tests.accounts.factories import PASSWORD

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
TABLET = {"width": 1180, "height": 820}  # a tablet held sideways
# The desktop screens a clinic has: the caseload must fit both without sideways scrolling.
DESKTOPS = ({"width": 1280, "height": 800}, {"width": 1440, "height": 900})


class Accessibility:
    """axe-core on each page: no violation of any impact. The results are kept beside the
    screenshots."""

    def __init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.results: dict[str, dict] = {}

    def check(self, page, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"portal-{name}.png"), full_page=True)
        violations = self.axe.run(page).response["violations"]
        self.results[name] = {
            "url": page.url,
            "violations": [
                {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])} for v in violations
            ],
        }
        assert not violations, json.dumps(
            [
                {
                    "id": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": [n["html"] for n in v["nodes"][:3]],
                }
                for v in violations
            ],
            indent=2,
        )

    def save(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"axe-{name}.json").write_text(json.dumps(self.results, indent=2))


def sideways_overflow(page) -> dict[str, int]:
    """Every element of the page wider than its own box (it scrolls sideways), and the
    document itself: {description: scrollWidth - clientWidth}. Empty when nothing does."""
    return page.evaluate(
        """() => {
          const found = {};
          const root = document.documentElement;
          if (root.scrollWidth > root.clientWidth) {
            found["document"] = root.scrollWidth - root.clientWidth;
          }
          for (const el of document.querySelectorAll("main *")) {
            const style = getComputedStyle(el);
            if (["auto", "scroll"].includes(style.overflowX) && el.scrollWidth > el.clientWidth) {
              found[el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "." + el.className] =
                el.scrollWidth - el.clientWidth;
            }
          }
          return found;
        }"""
    )


def totp_now(secret_shown: str) -> str:
    """The code an authenticator app shows for the key the set-up page printed."""
    key = base64.b32decode("".join(secret_shown.split()))
    return f"{TOTP(key).token():06d}"


def totp_now_of(device) -> str:
    return f"{TOTP(device.seed()).token():06d}"


# The portal's languages, and the browser's locale (its Accept-Language) for each: a test
# parametrised with `language` gets a browser in that locale and a physio who chose it.
LANGUAGES = ("en", "es")
BROWSER_LOCALES = {"en": "en-GB", "es": "es-ES"}


class Words:
    """`t("Sign in")` → the portal's text in `language`, through the same catalogues as the
    pages: `t("Unlink %(name)s", name=...)` fills the placeholders and drops markup,
    `t.n(singular, plural, count, ...)` picks the plural form, `t.p(context, text)` takes
    a text with a context. What the page must say in Spanish is asserted word for word in
    tests/clinic/test_portal_language.py; here the words find the controls and say what a
    flow expects, the same in each language.

    Outside English a text must be in a catalogue: a test that looked up a text the pages
    never translate would pass in Spanish on English words."""

    def __init__(self, language: str) -> None:
        self.language = language

    def _known(self, key: object) -> None:
        if self.language != settings.LANGUAGE_CODE:
            catalogue = translation.trans_real.translation(self.language)._catalog
            assert key in catalogue, f"not translated into {self.language!r}: {key!r}"

    def __call__(self, text: str, **params: object) -> str:
        self._known(text)
        with translation.override(self.language):
            shown = translation.gettext(text)
        return plain(shown % params if params else shown)

    def p(self, context: str, text: str, **params: object) -> str:
        """A text with its context (`{% translate "Show" context "clinic audit" %}`)."""
        self._known(f"{context}\x04{text}")
        with translation.override(self.language):
            shown = translation.pgettext(context, text)
        return plain(shown % params if params else shown)

    def n(self, singular: str, plural: str, count: int, **params: object) -> str:
        self._known((singular, 0))
        with translation.override(self.language):
            shown = translation.ngettext(singular, plural, count)
        return plain(shown % {"counter": count, "count": count, **params})


def plain(text: str) -> str:
    """A text as the browser reads it: without the markup a translation holds."""
    return re.sub(r"<[^>]+>", "", text)


def words(language: str) -> Words:
    return Words(language)


def by_language_at_one_size(sizes: tuple[dict[str, int], ...]):
    """Parametrise `viewport` and `language`: every size in English, and Spanish at the first
    size only (each size in each language would double the browser time for nothing)."""
    cases = [(size, LANGUAGES[0]) for size in sizes] + [
        (sizes[0], language) for language in LANGUAGES[1:]
    ]
    return pytest.mark.parametrize(
        ("viewport", "language"),
        cases,
        ids=[f"{v['width']}x{v['height']}-{language}" for v, language in cases],
    )


def caseload_table(page, t: Words):
    """The caseload's table of patients in care, in its default order (the most urgent
    alert first), by its caption."""
    order = t("the most urgent alert")
    return page.get_by_role("table", name=t("Patients in care, sorted by %(order)s", order=order))


def sign_in(page, email: str, password: str = PASSWORD, language: str = "en") -> None:
    t = words(language)
    page.get_by_label(t("Email")).fill(email)
    page.get_by_label(t("Password")).fill(password)
    page.get_by_role("button", name=t("Sign in")).click()


def signed_in_physio(page, physio) -> None:
    """A physio who enrolled an authenticator app earlier signs in with a code from it (in
    the language they chose)."""
    from tests.second_factor import authenticator_for

    t = words(physio.language)
    device = authenticator_for(physio)
    page.goto("/clinic/sign-in/")
    sign_in(page, physio.email, language=physio.language)
    page.wait_for_url("**/clinic/two-factor/**")
    page.get_by_label(t("Code")).fill(totp_now_of(device))
    page.get_by_role("button", name=t("Continue")).click()
    page.wait_for_url("**/clinic/")


def api_token(api, email: str) -> dict:
    response = api.post("/api/v1/auth/token/", data={"email": email, "password": PASSWORD})
    assert response.status == 200, response.text()
    return {"Authorization": f"Bearer {response.json()['access']}"}


def linked_patient_through_the_app(
    api, physio, email: str = "pat@example.org"
) -> tuple[object, dict]:
    """A patient registered through the API and linked to the physio (as an invite does)."""
    from apps.accounts.models import User
    from apps.accounts.services import care_link_create

    registered = api.post(
        "/api/v1/auth/register/",
        data={"email": email, "password": PASSWORD, "timezone": "Europe/London"},
    )
    assert registered.status == 201, registered.text()
    patient = User.objects.get(email=email)
    care_link_create(physio=physio, patient=patient)
    return patient, api_token(api, email)


def symptom_log(days_ago: float, pain: int, **signs) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "recorded_at": (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(),
        "pain_score": pain,
        "locations": ["calf"],
        **signs,
    }


def at(days_ago: int, hour: int) -> str:
    """`hour`:00 UTC (London's time in winter; an hour later in summer) `days_ago` days ago."""
    day = datetime.now(UTC).date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC).isoformat()
