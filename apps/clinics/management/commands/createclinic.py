from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.clinics.services import clinic_create


class Command(BaseCommand):
    help = "Create a clinic (a practice whose physiotherapists are its staff)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--timezone", default="UTC", help="An IANA zone name.")

    def handle(self, *args, name: str, slug: str, timezone: str, **options) -> None:
        try:
            clinic = clinic_create(name=name, slug=slug, timezone=timezone)
        except ValidationError as error:
            messages = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in error.message_dict.items()
            )
            raise CommandError(messages) from error
        self.stdout.write(self.style.SUCCESS(f"Created clinic {clinic.name} ({clinic.slug})"))
