from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts import services


class Command(BaseCommand):
    help = (
        "Load or update everything the service needs (content of DOMAIN.md, the editors' "
        "permissions). Safe to run again. --demo adds local demo accounts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--demo", action="store_true", help="Also create demo accounts (local runs only)."
        )

    def handle(self, *args, demo: bool, **options) -> None:
        with transaction.atomic():
            services.editors_group_sync()
            self.stdout.write("Editors' permissions synchronised.")
            if demo:
                accounts = services.demo_accounts_ensure()
        if demo:
            self.stdout.write(self.style.SUCCESS("Demo accounts (local use only):"))
            for account in accounts:
                self.stdout.write(
                    f"  {account.role:<8} {account.email:<24} password: {account.password}"
                )
