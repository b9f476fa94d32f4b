"""`createuser`: an account with a role. It lives with clinics (above accounts) because a
physiotherapist is made on a clinic's staff: `--clinic SLUG`, and `--clinic-admin` to
make them its admin. Without `--clinic`, a physio joins the only clinic there is."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.accounts import services as accounts
from apps.accounts.models import Role
from apps.clinics.models import Clinic, StaffRole
from apps.clinics.services import staff_add


def _messages(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return "; ".join(f"{field}: {' '.join(errors)}" for field, errors in error.message_dict.items())


def _clinic(role: str, slug: str | None, admin: bool) -> Clinic | None:
    if role != Role.PHYSIO:
        if slug or admin:
            raise CommandError("Only a physiotherapist works in a clinic (--role physio).")
        return None
    if slug:
        clinic = Clinic.objects.filter(slug=slug).first()
        if clinic is None:
            raise CommandError(f"No clinic with the slug {slug!r} (createclinic makes one).")
        return clinic
    clinics = list(Clinic.objects.all()[:2])
    if len(clinics) != 1:
        raise CommandError(
            "A physiotherapist belongs to a clinic: name it with --clinic SLUG"
            + (" (createclinic makes one)." if not clinics else ".")
        )
    return clinics[0]


class Command(BaseCommand):
    help = "Create an account with a role (staff use: physiotherapists and editors)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--timezone", default="UTC")
        parser.add_argument("--clinic", help="The slug of the physiotherapist's clinic.")
        parser.add_argument(
            "--clinic-admin", action="store_true", help="Make the physio the clinic's admin."
        )

    @transaction.atomic
    def handle(
        self,
        *args,
        role: str,
        email: str,
        password: str,
        timezone: str,
        clinic: str | None,
        clinic_admin: bool,
        **options,
    ) -> None:
        place = _clinic(role, clinic, clinic_admin)
        try:
            user = accounts.user_create(
                email=email, password=password, role=role, timezone=timezone
            )
        except ValidationError as error:
            raise CommandError(_messages(error)) from error
        message = f"Created {user.role} {user.email}"
        if place is not None:
            staff_role = StaffRole.ADMIN if clinic_admin else StaffRole.CLINICIAN
            staff_add(clinic=place, user=user, role=staff_role)
            message += f", {staff_role} of {place.slug}"
        self.stdout.write(self.style.SUCCESS(message))
