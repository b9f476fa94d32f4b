from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts import services as accounts
from apps.content import services as content


class Command(BaseCommand):
    help = (
        "Load or update everything the service needs: the content of DOMAIN.md from "
        "fixtures/content and the editors' permissions. Safe to run again; items an editor "
        "changed in the admin are kept. --demo adds local demo accounts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--demo", action="store_true", help="Also create demo accounts (local runs only)."
        )
        parser.add_argument(
            "--overwrite-edited",
            action="store_true",
            help="Replace content edited in the admin with the fixtures' version.",
        )

    def handle(self, *args, demo: bool, overwrite_edited: bool, **options) -> None:
        with transaction.atomic():
            report = content.content_load_fixtures(overwrite_edited=overwrite_edited)
            accounts.editors_group_sync()
            if demo:
                demo_accounts = accounts.demo_accounts_ensure()
        self.stdout.write(f"Content: {report.summary()}.")
        for label in report.kept_edited:
            self.stdout.write(f"  kept the admin's version of {label}")
        self.stdout.write("Editors' permissions synchronised.")
        if demo:
            self.stdout.write(self.style.SUCCESS("Demo accounts (local use only):"))
            for account in demo_accounts:
                self.stdout.write(
                    f"  {account.role:<8} {account.email:<24} password: {account.password}"
                )
