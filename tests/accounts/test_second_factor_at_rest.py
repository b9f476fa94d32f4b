"""Second factors at rest (docs/decisions/second-factor-at-rest.md): TOTP seeds are stored
encrypted under OTP_SEED_KEYS and recovery codes as keyed hashes. The database rows make no
valid code, the portal still signs in with the real phone and a real recovery code, the
keys rotate, and production refuses to start without them."""

import base64
import binascii
import contextlib
import datetime as dt
import io
import subprocess
import sys
import time

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts import second_factor
from apps.accounts.models import (
    AuthenticatorDevice,
    SecondFactorFailures,
    User,
    recovery_code_hash,
)
from apps.accounts.second_factor import Refused
from apps.accounts.seeds import seed_decrypt
from tests.accounts.factories import PASSWORD
from tests.second_factor import authenticator_for
from tests.test_deployment import ROOT, production_env

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

# A fixed instant for comparing codes: every candidate is asked for the code of this step.
AT = dt.datetime(2026, 11, 18, 12, 30, tzinfo=dt.UTC).timestamp()


def verify(user, code: str):
    return second_factor.second_factor_verify(user=user, token=code, address="192.0.2.1")


def code_at(seed: bytes, at: float = AT) -> str:
    totp = TOTP(seed)
    totp.time = at
    return f"{totp.token():06d}"


def _decodings(text: str) -> list[bytes]:
    """Every reading of a stored value an attacker would try as a seed: the text itself,
    hex, base32 and base64 (both alphabets)."""
    found = [text.encode()]
    for decode in (
        bytes.fromhex,
        lambda value: base64.b32decode(value.upper() + "=" * (-len(value) % 8)),
        lambda value: base64.b64decode(value + "=" * (-len(value) % 4), validate=True),
        lambda value: base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)),
    ):
        with contextlib.suppress(ValueError, binascii.Error):
            found.append(decode(text))
    return found


def seed_candidates(row: dict) -> list[bytes]:
    """What a copy of the row offers as a seed: each value in every reading, and every
    20-byte window of each reading (a seed hidden inside a longer value)."""
    candidates: list[bytes] = []
    for value in row.values():
        if value is None:
            continue
        for reading in _decodings(str(value)):
            candidates.append(reading)
            candidates.extend(reading[i : i + 20] for i in range(max(len(reading) - 19, 0)))
    return candidates


def raw_rows(table: str, user_id) -> list[dict]:
    with connection.cursor() as cursor:
        user_key = User._meta.pk.get_db_prep_value(user_id, connection)
        cursor.execute(f"SELECT * FROM {table} WHERE user_id = %s", [user_key])  # noqa: S608
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def enrol_through_the_portal(client: Client, physio, codes: list | None = None) -> bytes:
    """Sign in, read the key the set-up page shows (as typed into a phone), confirm it with
    a code from it. Returns the seed the phone holds; the recovery codes shown once go into
    `codes`."""
    client.post("/clinic/sign-in/", {"email": physio.email, "password": PASSWORD})
    shown = client.get("/clinic/two-factor/setup/").context["secret"]
    seed = base64.b32decode("".join(shown.split()))
    confirmed = client.post("/clinic/two-factor/setup/", {"code": f"{TOTP(seed).token():06d}"})
    assert confirmed.status_code == 200
    assert confirmed.context["codes"]
    if codes is not None:
        codes.extend(confirmed.context["codes"])
    return seed


def test_no_value_in_the_stored_row_makes_a_valid_code(physio):
    seed = enrol_through_the_portal(Client(), physio)
    rows = raw_rows("accounts_authenticatordevice", physio.pk)
    assert len(rows) == 1
    real = code_at(seed)
    candidates = seed_candidates(rows[0])
    assert len(candidates) > 50  # the encrypted seed was read in every way
    assert seed not in candidates
    assert all(code_at(candidate) != real for candidate in candidates)


def test_the_same_search_finds_a_seed_stored_in_the_clear(physio):
    """The control: django-otp's own TOTPDevice row gives its seed away to that search."""
    clear = TOTPDevice.objects.create(user=physio, name="clear")
    candidates = seed_candidates(raw_rows("otp_totp_totpdevice", physio.pk)[0])
    assert code_at(clear.bin_key) in {code_at(candidate) for candidate in candidates}


def test_the_portal_signs_in_again_with_the_real_phone(physio, time_machine):
    seed = enrol_through_the_portal(Client(), physio)
    time_machine.shift(dt.timedelta(seconds=30))  # a code works once: the phone's next one
    client = Client()
    client.post("/clinic/sign-in/", {"email": physio.email, "password": PASSWORD})
    assert client.get("/clinic/").status_code == 302
    answer = client.post("/clinic/two-factor/", {"code": f"{TOTP(seed).token():06d}"})
    assert answer.status_code == 302
    assert client.get("/clinic/").status_code == 200


def test_a_rotation_keeps_every_phone_working(physio, settings, time_machine):
    device = authenticator_for(physio)
    seed = device.seed()
    old_key = settings.OTP_SEED_KEYS[0]
    new_key = Fernet.generate_key().decode()

    settings.OTP_SEED_KEYS = [new_key, old_key]  # 1. the new key in front
    assert verify(physio, code_at(seed, time.time())) != Refused()
    call_command("otp_seeds_reencrypt", stdout=io.StringIO())  # 2. re-encrypt

    settings.OTP_SEED_KEYS = [new_key]  # 3. the old key dropped
    stored = AuthenticatorDevice.objects.get(pk=device.pk).encrypted_seed
    assert Fernet(new_key).decrypt(stored.encode()) == seed
    time_machine.shift(dt.timedelta(seconds=30))
    assert verify(physio, code_at(seed, time.time())) != Refused()


def test_a_key_dropped_too_early_is_a_configuration_error_not_a_wrong_code(physio, settings):
    device = authenticator_for(physio)
    settings.OTP_SEED_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="OTP_SEED_KEYS"):
        seed_decrypt(device.encrypted_seed)


def _manage_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_seed_keys():
    env = production_env()
    del env["OTP_SEED_KEYS"]
    result = _manage_check(env)
    assert result.returncode != 0
    assert "Set OTP_SEED_KEYS" in result.stderr


def test_production_refuses_a_malformed_seed_key_and_does_not_print_it():
    result = _manage_check(production_env(OTP_SEED_KEYS=f"{Fernet.generate_key().decode()},short"))
    assert result.returncode != 0
    assert "OTP_SEED_KEYS: key 2 is not a Fernet key" in result.stderr
    assert "short" not in result.stderr


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_the_seeds_stored_in_the_clear(latest_schema_after):
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    old = migrate(
        [("accounts", "0004_email_tokens_display_name"), ("otp_totp", "0003_add_timestamps")]
    )
    user = old.get_model("accounts", "User").objects.create(
        email="p@example.org", role="physio", password="!"
    )
    seed = bytes(range(20))
    old.get_model("otp_totp", "TOTPDevice").objects.create(
        user=user, name="Authenticator app", key=seed.hex(), confirmed=True, last_t=7
    )
    new = migrate([("accounts", "0005_authenticator_device")])
    assert not new.get_model("otp_totp", "TOTPDevice").objects.exists()
    row = raw_rows("accounts_authenticatordevice", user.pk)[0]
    assert seed.hex() not in str(row)
    assert seed_decrypt(row["encrypted_seed"]) == seed
    assert (row["confirmed"], row["last_t"]) == (True, 7)


@pytest.fixture
def latest_schema_after():
    yield
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def raw_code_rows(user_id) -> list[dict]:
    with connection.cursor() as cursor:
        user_key = User._meta.pk.get_db_prep_value(user_id, connection)
        cursor.execute(
            "SELECT code.* FROM accounts_recoverycode code"
            " JOIN accounts_recoverycodeset code_set ON code.code_set_id = code_set.id"
            " WHERE code_set.user_id = %s",
            [user_key],
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def forget_failures(user) -> None:
    """Each try as if it were the first (no wait after the wrong ones before it)."""
    SecondFactorFailures.objects.all().delete()


def test_no_stored_recovery_code_row_passes_as_a_code(physio):
    codes: list[str] = []
    enrol_through_the_portal(Client(), physio, codes)
    rows = raw_code_rows(physio.pk)
    assert len(rows) == len(codes) == 10
    stored = " ".join(str(value) for row in rows for value in row.values())
    assert not any(code in stored.lower() for code in codes)

    tries = set()
    for row in rows:
        for value in map(str, row.values()):
            tries.add(value)
            tries.update(value[i : i + 8] for i in range(len(value) - 7))
    assert len(tries) > 500
    for candidate in tries:
        forget_failures(physio)  # each try as if it were the first
        assert verify(physio, candidate) == Refused()
    # The control: a code the physio was shown passes the same way, once.
    forget_failures(physio)
    assert verify(physio, codes[3]) != Refused()
    forget_failures(physio)
    assert verify(physio, codes[3]) == Refused()
    assert len(raw_code_rows(physio.pk)) == 9


def test_a_recovery_code_signs_in_to_the_portal(physio):
    codes: list[str] = []
    enrol_through_the_portal(Client(), physio, codes)
    client = Client()
    client.post("/clinic/sign-in/", {"email": physio.email, "password": PASSWORD})
    typed = f"{codes[0][:4].upper()} {codes[0][4:].upper()}"  # as read out from paper
    assert client.post("/clinic/two-factor/", {"code": typed}).status_code == 302
    assert client.get("/clinic/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_the_recovery_codes_stored_in_the_clear(latest_schema_after):
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    old = migrate(
        [("accounts", "0005_authenticator_device"), ("otp_static", "0003_add_timestamps")]
    )
    user = old.get_model("accounts", "User").objects.create(
        email="p@example.org", role="physio", password="!"
    )
    device = old.get_model("otp_static", "StaticDevice").objects.create(
        user=user, name="Recovery codes"
    )
    for token in ("abcd2345", "wxyz6789"):
        old.get_model("otp_static", "StaticToken").objects.create(device=device, token=token)
    migrate([("accounts", "0006_recovery_codes_hashed")])
    rows = raw_code_rows(user.pk)
    assert len(rows) == 2
    assert "abcd2345" not in str(rows)
    assert {row["code_hash"] for row in rows} == {
        recovery_code_hash("abcd2345"),
        recovery_code_hash("wxyz6789"),
    }
