"""The admin as editors use it, through Django's test client (the browser version is in
tests/e2e)."""

import warnings

import pytest
from django.contrib import admin
from django.test import Client
from django.utils.deprecation import RemovedInDjango60Warning

from apps.accounts import services as accounts
from apps.content.models import Condition, Exercise, ProtocolStep, Status
from apps.content.services import content_unpublish
from tests.factories import ConditionFactory, IceStepFactory, ProtocolFactory
from tests.factories.accounts import EditorFactory
from tests.second_factor import admin_sign_in


@pytest.fixture
def editor_browser(db) -> Client:
    editor = accounts.user_create(
        email="ed@example.org", password="Edit-content-2026", role="editor"
    )
    client = Client()
    admin_sign_in(client, editor)
    return client


def step_formset(protocol, step, **changes) -> dict:
    data = {
        "title_en": protocol.title,
        "title_es": "",
        "slug": protocol.slug,
        "status": protocol.status,
        "source": protocol.source,
        "summary_en": protocol.summary,
        "summary_es": "",
        "regions": ["calf"],
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "1",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-id": str(step.pk),
        "steps-0-protocol": str(protocol.pk),
        "steps-0-position": str(step.position),
        "steps-0-kind": step.kind,
        "steps-0-title_en": step.title,
        "steps-0-title_es": "",
        "steps-0-instructions_en": step.instructions,
        "steps-0-instructions_es": "",
        "steps-0-min_minutes": str(step.min_minutes),
        "steps-0-max_minutes": str(step.max_minutes),
        "steps-0-times_per_day": str(step.times_per_day),
        "steps-0-cautions": "",
    }
    data.update({f"steps-0-{key}": value for key, value in changes.items()})
    return data


@pytest.mark.django_db
def test_an_ice_step_of_25_minutes_is_refused_with_a_message(editor_browser):
    step = IceStepFactory(protocol=ProtocolFactory(regions=["calf"]))
    url = f"/admin/content/protocol/{step.protocol.pk}/change/"

    response = editor_browser.post(url, step_formset(step.protocol, step, max_minutes="25"))

    assert response.status_code == 200  # the form again, with errors
    assert "An ice step lasts 15 to 20 minutes." in response.content.decode()
    step.refresh_from_db()
    assert step.max_minutes == 20


@pytest.mark.django_db
def test_an_editor_can_change_an_ice_step_within_limits(editor_browser):
    step = IceStepFactory(protocol=ProtocolFactory(regions=["calf"]))
    url = f"/admin/content/protocol/{step.protocol.pk}/change/"

    response = editor_browser.post(url, step_formset(step.protocol, step, max_minutes="18"))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert ProtocolStep.objects.get(pk=step.pk).max_minutes == 18
    step.protocol.refresh_from_db()
    assert step.protocol.edited_in_admin


@pytest.mark.django_db
def test_publish_and_unpublish_actions(editor_browser):
    draft = ConditionFactory(status=Status.DRAFT)

    editor_browser.post(
        "/admin/content/condition/", {"action": "publish", "_selected_action": [draft.pk]}
    )
    assert Condition.objects.get(pk=draft.pk).status == Status.PUBLISHED

    editor_browser.post(
        "/admin/content/condition/", {"action": "unpublish", "_selected_action": [draft.pk]}
    )
    assert Condition.objects.get(pk=draft.pk).status == Status.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/content/condition/",
        "/admin/content/protocol/",
        "/admin/content/exercise/",
        "/admin/content/condition/?status__exact=draft&regions__code__exact=calf",
        "/admin/content/condition/?q=popliteal",
    ],
)
def test_editors_reach_the_content_lists_with_filters_and_search(editor_browser, url):
    ConditionFactory(regions=["calf"])
    assert editor_browser.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/admin/accounts/user/", "/admin/auth/group/", "/admin/axes/accessattempt/"]
)
def test_editors_cannot_reach_users_or_anything_but_content(editor_browser, url):
    assert editor_browser.get(url).status_code == 403


@pytest.mark.django_db
def test_the_preview_and_history_pages_render(editor_browser):
    condition = ConditionFactory(summary="Fluid behind the knee.", status=Status.DRAFT)

    preview = editor_browser.get(f"/admin/content/condition/{condition.pk}/preview/")
    history = editor_browser.get(f"/admin/content/condition/{condition.pk}/history/")

    assert preview.status_code == 200
    assert "Fluid behind the knee." in preview.content.decode()
    assert "Draft: not visible in the app yet." in preview.content.decode()
    assert history.status_code == 200


@pytest.mark.django_db
def test_the_editors_group_holds_only_content_permissions(db):
    group = accounts.editors_group_sync()
    labels = set(group.permissions.values_list("content_type__app_label", flat=True))
    assert labels == {"content"}


@pytest.mark.django_db
def test_content_published_once_is_withdrawn_not_deleted(editor_browser):
    """Phones may hold it: deleting would leave it there; unpublishing tells them to drop it."""
    published = ConditionFactory(slug="on-phones")
    once = ConditionFactory(slug="was-on-phones")
    content_unpublish(items=[once])
    draft = ConditionFactory(slug="never-shown", status=Status.DRAFT)

    for item in (published, once):
        assert editor_browser.get(f"/admin/content/condition/{item.pk}/delete/").status_code == 403
    editor_browser.post(
        "/admin/content/condition/",
        {"action": "delete_selected", "_selected_action": [published.pk, once.pk], "post": "yes"},
    )
    assert Condition.objects.filter(pk__in=[published.pk, once.pk]).count() == 2

    response = editor_browser.post(f"/admin/content/condition/{draft.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Condition.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db
def test_the_admin_search_and_region_filter_find_the_right_conditions(editor_browser):
    ConditionFactory(slug="bakers-cyst", name="Baker's cyst", other_names="Popliteal cyst")
    ConditionFactory(slug="calf-strain", name="Calf strain", regions=["calf"])
    ConditionFactory(slug="spinal-stenosis", name="Spinal stenosis", regions=["lower_back"])

    def listed(params) -> set[str]:
        response = editor_browser.get("/admin/content/condition/", params)
        return {condition.slug for condition in response.context["cl"].result_list}

    assert listed({"q": "popliteal"}) == {"bakers-cyst"}
    assert listed({"regions__code__exact": "calf"}) == {"calf-strain"}


def test_a_media_link_typed_without_a_scheme_is_taken_as_https(db, rf):
    """The exercise form assumes https for a bare link (Django 6's default), and building
    it raises no deprecation warning about the http default of 5.2."""
    request = rf.get("/admin/content/exercise/add/")
    request.user = EditorFactory()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RemovedInDjango60Warning)
        form = admin.site._registry[Exercise].get_form(request)()

    assert form.fields["media_url"].clean("example.org/clips/squat.mp4") == (
        "https://example.org/clips/squat.mp4"
    )
