"""Staff make and change accounts in the admin (docs/api.md: physio and editor accounts are
made by staff, in the admin or with a command); an editor made there can edit content."""

import base64

import pytest
from django.test import Client
from django_otp.oath import TOTP

from apps.accounts.models import User
from apps.accounts.services import EDITORS_GROUP

ADD = "/admin/accounts/user/add/"
PASSWORD = "Content-edit-2026"


def code_now(seed: bytes) -> str:
    return f"{TOTP(seed).token():06d}"


def add_account(staff_browser, email: str, role: str) -> User:
    response = staff_browser.post(
        ADD, {"email": email, "role": role, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302, response.content
    return User.objects.get(email=email)


def change_form(user: User, **changes) -> dict:
    data = {
        "email": user.email,
        "role": user.role,
        "timezone": user.timezone,
        "affected_side": "",
        "is_active": "on",
        "date_joined_0": "2026-11-21",
        "date_joined_1": "09:00:00",
    }
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(changes)
    return data


@pytest.mark.django_db
def test_an_editor_made_in_the_admin_can_open_the_content_admin(staff_browser):
    editor = add_account(staff_browser, "new-editor@example.org", "editor")

    assert editor.is_staff
    assert list(editor.groups.values_list("name", flat=True)) == [EDITORS_GROUP]
    client = Client()
    signed_in = client.post("/admin/login/", {"username": editor.email, "password": PASSWORD})
    assert signed_in.status_code == 302  # the admin's own sign-in page let them in
    assert client.get("/admin/content/condition/").status_code == 302  # not without a code
    setup = client.get("/admin/second-factor/setup/")  # the first sign-in enrols a phone
    seed = base64.b32decode("".join(setup.context["secret"].split()))
    assert client.post("/admin/second-factor/setup/", {"code": code_now(seed)}).status_code == 200
    assert client.get("/admin/content/condition/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403


@pytest.mark.django_db
def test_a_physio_made_in_the_admin_is_not_staff(staff_browser):
    physio = add_account(staff_browser, "new-physio@example.org", "physio")

    assert not physio.is_staff
    assert not physio.groups.exists()


@pytest.mark.django_db
def test_changing_a_role_in_the_admin_grants_or_withdraws_the_editors_group(staff_browser):
    user = add_account(staff_browser, "someone@example.org", "physio")

    response = staff_browser.post(
        f"/admin/accounts/user/{user.pk}/change/", change_form(user, role="editor")
    )
    assert response.status_code == 302, response.content
    user.refresh_from_db()
    assert (user.is_staff, user.groups.filter(name=EDITORS_GROUP).exists()) == (True, True)

    staff_browser.post(f"/admin/accounts/user/{user.pk}/change/", change_form(user, role="physio"))
    user.refresh_from_db()
    assert not user.groups.filter(name=EDITORS_GROUP).exists()
