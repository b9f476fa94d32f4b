import pytest
from django.core.management import CommandError, call_command

from apps.accounts.models import User
from apps.accounts.services import EDITORS_GROUP
from tests.factories import ClinicFactory


@pytest.fixture(autouse=True)
def _one_clinic(db):
    """The only clinic: a physio made here joins it (tests/clinics covers --clinic)."""
    ClinicFactory()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "staff"), [("physio", False), ("editor", True), ("patient", False)]
)
def test_it_creates_an_account_with_a_role(role, staff):
    call_command(
        "createuser",
        "--role",
        role,
        "--email",
        "Someone@Example.org",
        "--password",
        "Calf-stretch-daily-9",
    )

    user = User.objects.get(email="someone@example.org")
    assert user.role == role
    assert user.is_staff is staff
    assert user.check_password("Calf-stretch-daily-9")
    assert user.groups.filter(name=EDITORS_GROUP).exists() is (role == "editor")


@pytest.mark.django_db
def test_it_refuses_a_duplicate(patient):
    with pytest.raises(CommandError, match="email"):
        call_command(
            "createuser",
            "--role",
            "physio",
            "--email",
            patient.email,
            "--password",
            "Calf-stretch-daily-9",
        )
    assert User.objects.get(email=patient.email).role == "patient"


@pytest.mark.django_db
def test_it_refuses_a_weak_password():
    with pytest.raises(CommandError, match="password"):
        call_command(
            "createuser", "--role", "physio", "--email", "p@example.org", "--password", "123"
        )
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_refuses_an_unknown_role():
    with pytest.raises(CommandError):
        call_command(
            "createuser",
            "--role",
            "admin",
            "--email",
            "p@example.org",
            "--password",
            "Calf-stretch-daily-9",
        )
    assert not User.objects.exists()


@pytest.mark.django_db
def test_bootstrap_is_safe_to_run_twice(capsys):
    call_command("bootstrap", "--demo")
    call_command("bootstrap", "--demo")

    assert User.objects.filter(email__endswith="@example.com").count() == 3
    assert "patient@example.com" in capsys.readouterr().out
