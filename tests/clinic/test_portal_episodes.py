"""The "Episode and goals" tab: episodes through the episodes and episode_lifecycle services, goals
with their computed status, discharge with its confirmation, and the report as a PDF."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from apps.accounts.models import PatientAccessAudit
from apps.accounts.services import care_link_create
from apps.episodes.models import Episode, Goal
from apps.notifications.models import Reminder
from apps.outcomes.services import instruments_load
from tests.accounts.factories import PatientFactory, PhysioFactory
from tests.episode_lifecycle.conftest import lefs_response
from tests.factories.clinics import the_test_clinic
from tests.factories.content import ConditionFactory

from .conftest import portal_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def instruments(db):
    return instruments_load()


def url(patient, tail: str = "episode/") -> str:
    return f"/clinic/patients/{patient.pk}/{tail}"


def open_form(**overrides) -> dict:
    data = {"title": "Right knee pain", "condition": "", "started_on": str(timezone.localdate())}
    data.update(overrides)
    return data


def goal_form(**overrides) -> dict:
    data = {
        "description": "Climb a flight of stairs without the rail",
        "instrument": "lefs",
        "target": "60",
        "due_on": str(timezone.localdate() + dt.timedelta(days=42)),
    }
    data.update(overrides)
    return data


def opened(portal, patient, **overrides) -> Episode:
    response = portal.post(url(patient, "episode/open/"), open_form(**overrides))
    assert response.status_code == 302, response.content
    return Episode.objects.get(patient=patient, status="active")


def test_without_an_episode_the_tab_offers_to_open_one(portal, physio, patient, linked):
    ConditionFactory(slug="patellofemoral-pain", name="Patellofemoral pain")
    page = portal.get(url(patient))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'aria-current="page">Episode and goals</a>' in body
    assert "Open an episode of care" in body
    assert '<option value="patellofemoral-pain">Patellofemoral pain</option>' in body

    response = portal.post(
        url(patient, "episode/open/"), open_form(condition="patellofemoral-pain")
    )
    assert response.status_code == 302
    assert response["Location"] == url(patient) + "?saved=opened"
    episode = Episode.objects.get()
    assert (episode.physio, episode.title, episode.condition.slug) == (
        physio,
        "Right knee pain",
        "patellofemoral-pain",
    )
    page = portal.get(response["Location"]).content.decode()
    assert "The episode is open." in page
    assert "Right knee pain" in page
    assert "Patellofemoral pain" in page
    assert "Open an episode of care" not in page
    assert "Progress report (PDF)" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "x" * 161}, "title", "at most 160 characters"),
        ({"started_on": "yesterday"}, "started_on", "Enter a valid date."),
        ({"condition": "no-such-condition"}, "condition", "Select a valid choice."),
        # The service's rules come back on the form's fields.
        (
            {"started_on": str(timezone.localdate() + dt.timedelta(days=5))},
            "started_on",
            "Must not be after the patient's today.",
        ),
        (
            {"started_on": str(timezone.localdate() - dt.timedelta(days=800))},
            "started_on",
            "Must be within the last two years.",
        ),
    ],
)
def test_a_bad_episode_is_shown_on_its_field_and_nothing_is_stored(
    portal, patient, linked, change, field, message
):
    response = portal.post(url(patient, "episode/open/"), open_form(**change))
    assert response.status_code == 400
    errors = response.context["open_form"].errors[field]
    assert any(message in error for error in errors), errors
    assert not Episode.objects.exists()


def test_a_second_active_episode_is_a_message_on_the_form(portal, patient, linked):
    first = opened(portal, patient)
    # The page no longer offers the form, but a second tab could still send it.
    response = portal.post(url(patient, "episode/open/"), open_form(title="Again"))
    assert response.status_code == 409
    assert "You already have an active episode with this patient" in response.content.decode()
    assert list(Episode.objects.all()) == [first]


def test_goals_are_added_through_the_lifecycle_service_and_show_their_status(
    portal, physio, patient, linked, instruments
):
    episode = opened(portal, patient)
    page = portal.get(url(patient)).content.decode()
    assert '<option value="lefs">' in page  # the enabled instruments
    response = portal.post(url(patient, f"episodes/{episode.pk}/goals/"), goal_form())
    assert response.status_code == 302
    assert response["Location"] == url(patient) + "?saved=goal"
    portal.post(
        url(patient, f"episodes/{episode.pk}/goals/"),
        goal_form(description="Walk to the shops", target="20"),
    )
    goal = Goal.objects.get(description__startswith="Climb")
    assert (goal.instrument, goal.target, goal.created_by) == ("lefs", Decimal(60), physio)

    lefs_response(patient, 2)  # LEFS 40: reaches 20, not yet 60
    page = portal.get(url(patient))
    rows = {row["row"].goal.description: row for row in page.context["goals"]}
    assert rows["Walk to the shops"]["row"].status == "met"
    assert rows["Walk to the shops"]["status_word"] == "Met"
    assert rows["Climb a flight of stairs without the rail"]["row"].status == "progressing"
    assert rows["Climb a flight of stairs without the rail"]["row"].latest == Decimal(40)
    body = page.content.decode()
    assert '<span class="goal-status goal-progressing">Progressing</span>' in body
    assert '<td class="num">40</td>' in body


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"description": ""}, "description", "This field is required."),
        ({"instrument": "nope"}, "instrument", "Select a valid choice."),
        ({"target": "lots"}, "target", "Enter a number."),
        ({"due_on": ""}, "due_on", "This field is required."),
        # The services' rules, on the fields they name.
        ({"target": "81"}, "target", "Must be within the instrument's scores"),
        (
            {"due_on": str(timezone.localdate() - dt.timedelta(days=3))},
            "due_on",
            "Must not be before the episode started.",
        ),
        (
            {"due_on": str(timezone.localdate() + dt.timedelta(days=800))},
            "due_on",
            "Must be within two years of the episode's start.",
        ),
    ],
)
def test_a_bad_goal_is_shown_on_its_field_and_nothing_is_stored(
    portal, patient, linked, instruments, change, field, message
):
    episode = opened(portal, patient)
    response = portal.post(url(patient, f"episodes/{episode.pk}/goals/"), goal_form(**change))
    assert response.status_code == 400
    errors = response.context["goal_form"].errors[field]
    assert any(message in error for error in errors), errors
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not Goal.objects.exists()


def test_discharge_asks_for_a_confirmation_then_closes_everything(
    portal, physio, patient, linked, instruments, make_plan
):
    episode = opened(portal, patient)
    plan = make_plan()  # joins the active episode, with its reminders
    assert plan.episode == episode
    assert Reminder.objects.filter(status="scheduled").exists()
    discharge = url(patient, f"episodes/{episode.pk}/discharge/")
    page = portal.get(url(patient)).content.decode()
    assert "It archives the episode&#x27;s" in page or "It archives the episode's" in page

    unconfirmed = portal.post(discharge, {"note": "Back to running."})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm the discharge." in unconfirmed.content.decode()
    episode.refresh_from_db()
    assert episode.status == "active"

    done = portal.post(discharge, {"note": "Back to running.", "confirm": "on"})
    assert done.status_code == 302
    assert done["Location"] == url(patient) + "?saved=discharged"
    episode.refresh_from_db()
    plan.refresh_from_db()
    assert (episode.status, episode.note, episode.discharged_by) == (
        "discharged",
        "Back to running.",
        physio,
    )
    assert episode.report["final"] is True
    assert plan.status == "archived"
    assert not Reminder.objects.filter(status="scheduled").exists()

    page = portal.get(done["Location"]).content.decode()
    assert "The patient is discharged" in page
    assert "Download report (PDF)" in page
    assert "Open an episode of care" in page  # none active any more

    again = portal.post(discharge, {"note": "", "confirm": "on"})
    assert again.status_code == 409
    assert "This episode has already been discharged." in again.content.decode()
    late_goal = portal.post(url(patient, f"episodes/{episode.pk}/goals/"), goal_form())
    assert late_goal.status_code == 409
    assert "This episode has been discharged" in late_goal.content.decode()
    assert not Goal.objects.exists()


def test_a_discharge_note_too_long_is_refused_and_nothing_changes(portal, patient, linked):
    episode = opened(portal, patient)
    response = portal.post(
        url(patient, f"episodes/{episode.pk}/discharge/"), {"note": "x" * 4001, "confirm": "on"}
    )
    assert response.status_code == 400
    assert "at most 4000 characters" in response.content.decode()
    episode.refresh_from_db()
    assert (episode.status, episode.note) == ("active", "")


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize("discharged", [False, True])
def test_the_report_downloads_as_a_pdf_and_is_audited(
    portal, physio, patient, linked, instruments, discharged
):
    episode = opened(portal, patient, title="Left calf strain")
    if discharged:
        portal.post(
            url(patient, f"episodes/{episode.pk}/discharge/"), {"note": "Done.", "confirm": "on"}
        )
    response = portal.get(url(patient, f"episodes/{episode.pk}/report.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="episode-{episode.pk}-report.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    assert "Left calf strain" in pdf_text(response.content)
    assert PatientAccessAudit.objects.filter(
        physio=physio, patient=patient, what="portal.episode-report"
    ).exists()


def test_another_patients_episode_is_a_404_even_under_a_linked_patient(
    portal, physio, patient, linked
):
    stranger = PatientFactory(email="stranger@example.org")
    theirs = Episode.objects.create(
        clinic=the_test_clinic(),
        patient=stranger,
        physio=PhysioFactory(),
        title="Not yours",
        started_on=timezone.localdate(),
    )
    # Also another patient of this physio's: the URL's patient must own the episode.
    other = PatientFactory(email="other@example.org")
    care_link_create(physio=physio, patient=other)
    mine_other = Episode.objects.create(
        clinic=the_test_clinic(),
        patient=other,
        physio=physio,
        title="Other's",
        started_on=timezone.localdate(),
    )
    for episode in (theirs, mine_other):
        base = url(patient, f"episodes/{episode.pk}/")
        assert portal.get(f"{base}report.pdf").status_code == 404
        assert portal.post(f"{base}goals/", goal_form()).status_code == 404
        assert portal.post(f"{base}discharge/", {"confirm": "on"}).status_code == 404
    assert not Goal.objects.exists()
    assert Episode.objects.filter(status="active").count() == 2


def test_another_physios_patient_is_a_404_and_not_audited(physio, patient, linked):
    other_physio = PhysioFactory(email="other-physio@example.org")
    episode = Episode.objects.create(
        clinic=the_test_clinic(),
        patient=patient,
        physio=physio,
        title="Mine",
        started_on=timezone.localdate(),
    )
    client = portal_client_for(other_physio)
    assert client.get(url(patient)).status_code == 404
    assert client.post(url(patient, "episode/open/"), open_form()).status_code == 404
    assert client.get(url(patient, f"episodes/{episode.pk}/report.pdf")).status_code == 404
    assert (
        client.post(
            url(patient, f"episodes/{episode.pk}/discharge/"), {"confirm": "on"}
        ).status_code
        == 404
    )
    assert not PatientAccessAudit.objects.filter(physio=other_physio).exists()
    episode.refresh_from_db()
    assert episode.status == "active"


def test_the_tab_lists_only_this_physios_episodes_active_first(portal, physio, patient, linked):
    colleague = PhysioFactory(email="colleague@example.org")
    care_link_create(physio=colleague, patient=patient)
    today = timezone.localdate()
    Episode.objects.create(
        clinic=the_test_clinic(),
        patient=patient,
        physio=colleague,
        title="The colleague's",
        started_on=today,
    )
    Episode.objects.create(
        clinic=the_test_clinic(),
        patient=patient,
        physio=physio,
        title="Last year's",
        started_on=today - dt.timedelta(days=300),
        status="discharged",
        discharged_at=timezone.now() - dt.timedelta(days=200),
    )
    Episode.objects.create(
        clinic=the_test_clinic(),
        patient=patient,
        physio=physio,
        title="This one",
        started_on=today - dt.timedelta(days=3),
    )
    page = portal.get(url(patient))
    assert page.context["active"].title == "This one"
    assert [e.title for e in page.context["discharged"]] == ["Last year's"]
    assert "The colleague&#x27;s" not in page.content.decode()
    assert PatientAccessAudit.objects.filter(
        physio=physio, patient=patient, what="portal.episode"
    ).exists()


def test_the_tabs_queries_do_not_grow_with_goals_or_past_episodes(
    portal, physio, patient, linked, instruments
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories.episodes import GoalFactory

    today = timezone.localdate()

    def add(n: int, active: Episode) -> None:
        for k in range(n):
            GoalFactory(episode=active, description=f"Goal {k}-{Goal.objects.count()}")
            Episode.objects.create(
                clinic=the_test_clinic(),
                patient=patient,
                physio=physio,
                title=f"Past {Episode.objects.count()}",
                started_on=today - dt.timedelta(days=400),
                status="discharged",
                discharged_at=timezone.now() - dt.timedelta(days=300),
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert portal.get(url(patient)).status_code == 200
        return len(captured)

    active = opened(portal, patient)
    lefs_response(patient, 2)
    add(1, active)
    few = queries()
    add(4, active)
    assert queries() == few
