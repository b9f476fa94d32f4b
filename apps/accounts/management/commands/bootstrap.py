from django.core.management.base import BaseCommand
from django.db import transaction

from backend import hooks


class Command(BaseCommand):
    help = (
        "Load or update everything the service needs: each app loads its own data (the "
        "content of docs/domain.md from fixtures/, the editors' permissions, outcome "
        "instruments). Safe to run again; items an editor changed in the admin are kept. "
        "--demo adds local demo accounts."
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
        # One transaction: a deploy never runs with half its data loaded. Each app
        # subscribes to the hook and returns the lines it wants printed.
        with transaction.atomic():
            results = hooks.bootstrap.send(
                sender=self.__class__,
                options={"demo": demo, "overwrite_edited": overwrite_edited},
            )
        for _receiver, lines in results:
            for line in lines or ():
                self.stdout.write(line)
