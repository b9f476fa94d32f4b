from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.accounts import services
from apps.accounts.models import Role


class Command(BaseCommand):
    help = "Create an account with a role (staff use: physiotherapists and editors)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--timezone", default="UTC")

    def handle(self, *args, role: str, email: str, password: str, timezone: str, **options) -> None:
        try:
            user = services.user_create(
                email=email, password=password, role=role, timezone=timezone
            )
        except ValidationError as error:
            messages = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in error.message_dict.items()
            )
            raise CommandError(messages) from error
        self.stdout.write(self.style.SUCCESS(f"Created {user.role} {user.email}"))
