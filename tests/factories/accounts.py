"""Users of each role, care-team links and invites, and the audit of physios' reads."""

import factory
from django.utils import timezone

from apps.accounts.models import (
    AccountToken,
    AuthenticatorDevice,
    CareTeamInvite,
    CareTeamLink,
    PatientAccessAudit,
    RecoveryCode,
    RecoveryCodeSet,
    Role,
    SecondFactorFailures,
    TokenPurpose,
    User,
    recovery_code_hash,
)
from apps.accounts.services import (
    INVITE_LIFETIME,
    PASSWORD_RESET_LIFETIME,
    invite_code_hash,
    user_role_access_sync,
)
from apps.accounts.single_use import token_hash
from apps.clinics.models import StaffMembership, StaffRole

from .clinics import the_test_clinic

PASSWORD = "a-Strong-passphrase-42"


class UserFactory(factory.django.DjangoModelFactory):
    """A patient by default, with PASSWORD; the same email twice is the same user."""

    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    role = Role.PATIENT
    timezone = "Europe/London"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PatientFactory(UserFactory):
    role = Role.PATIENT


class PhysioFactory(UserFactory):
    """A physio on the staff of the test clinic (tests/factories/clinics.py), or of
    `clinic=` (False: of no clinic), with `clinic__role=` (clinician by default)."""

    role = Role.PHYSIO

    @factory.post_generation
    def clinic(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        clinic = extracted or the_test_clinic()
        role = kwargs.get("role", StaffRole.CLINICIAN)
        StaffMembership.objects.get_or_create(clinic=clinic, user=obj, defaults={"role": role})


class EditorFactory(UserFactory):
    """An editor as `createuser` makes one: staff, in the editors group."""

    role = Role.EDITOR
    is_staff = True

    @factory.post_generation
    def _editors_group(obj, create, extracted, **kwargs):
        if create:
            user_role_access_sync(user=obj)


class CareTeamLinkFactory(factory.django.DjangoModelFactory):
    """An active physio ↔ patient link (`ended=True` for one the patient ended)."""

    class Meta:
        model = CareTeamLink

    physio = factory.SubFactory(PhysioFactory)
    patient = factory.SubFactory(PatientFactory)

    class Params:
        ended = factory.Trait(
            ended_at=factory.LazyFunction(timezone.now),
            ended_by=factory.SelfAttribute("patient"),
        )


class CareTeamInviteFactory(factory.django.DjangoModelFactory):
    """An unused invite. Only the hash of the code is stored; the plain code the patient
    types is on the returned object as `invite.code`."""

    class Meta:
        model = CareTeamInvite

    physio = factory.SubFactory(PhysioFactory)
    # In the service's alphabet and shape (XXXX-XXXX); digits, so every one is distinct.
    code = factory.Sequence(lambda n: f"{n:04d}-{n * 7919 % 10000:04d}")
    code_hash = factory.LazyAttribute(lambda o: invite_code_hash(o.code))
    expires_at = factory.LazyFunction(lambda: timezone.now() + INVITE_LIFETIME)

    class Params:
        expired = factory.Trait(expires_at=factory.LazyFunction(timezone.now))

    @classmethod
    def _build(cls, model_class, *args, code, **kwargs):
        invite = super()._build(model_class, *args, **kwargs)
        invite.code = code
        return invite

    @classmethod
    def _create(cls, model_class, *args, code, **kwargs):
        invite = super()._create(model_class, *args, **kwargs)
        invite.code = code
        return invite


class PatientAccessAuditFactory(factory.django.DjangoModelFactory):
    """One read of a patient's records by a physio (normally written by the service)."""

    class Meta:
        model = PatientAccessAudit

    physio = factory.SubFactory(PhysioFactory)
    patient = factory.SubFactory(PatientFactory)
    what = "symptom_logs.list"


class AccountTokenFactory(factory.django.DjangoModelFactory):
    """A reset token for a patient, valid 60 minutes; its plain value is `token` (only the
    keyed hash is stored, as the service stores it)."""

    class Meta:
        model = AccountToken
        exclude = ("token",)

    token = factory.Sequence(lambda n: f"test-token-{n}")
    user = factory.SubFactory(PatientFactory)
    purpose = TokenPurpose.PASSWORD_RESET
    email = factory.SelfAttribute("user.email")
    token_hash = factory.LazyAttribute(lambda o: token_hash(o.purpose, o.token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + PASSWORD_RESET_LIFETIME)


class AuthenticatorDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed authenticator app of a physio; its seed is new and stored only encrypted
    (the model's default), so a test that needs codes reads them with `device.seed()`."""

    class Meta:
        model = AuthenticatorDevice

    user = factory.SubFactory(PhysioFactory)
    name = "Phone"
    confirmed = True


class RecoveryCodeSetFactory(factory.django.DjangoModelFactory):
    """A physio's set of recovery codes, empty until RecoveryCodeFactory adds codes."""

    class Meta:
        model = RecoveryCodeSet

    user = factory.SubFactory(PhysioFactory)
    name = "Recovery codes"
    confirmed = True


class RecoveryCodeFactory(factory.django.DjangoModelFactory):
    """One unused recovery code; its plain value is `code` (only the keyed hash is
    stored, as the service stores it)."""

    class Meta:
        model = RecoveryCode
        exclude = ("code",)

    code = factory.Sequence(lambda n: f"code{n:04d}")
    code_set = factory.SubFactory(RecoveryCodeSetFactory)
    code_hash = factory.LazyAttribute(lambda o: recovery_code_hash(o.code))


class SecondFactorFailuresFactory(factory.django.DjangoModelFactory):
    """Wrong second-factor codes in a row for one account (normally counted by
    apps/accounts/second_factor.py)."""

    class Meta:
        model = SecondFactorFailures

    key = factory.Sequence(lambda n: f"account:{n}")
    failures = 1
    last_failure_at = factory.LazyFunction(timezone.now)
