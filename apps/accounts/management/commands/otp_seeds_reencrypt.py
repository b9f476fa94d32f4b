"""Re-encrypt every stored TOTP seed under the first key of OTP_SEED_KEYS: the middle step
of a key rotation (docs/decisions/second-factor-at-rest.md). Safe to run again."""

from django.core.management.base import BaseCommand

from apps.accounts.second_factor import authenticator_seeds_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every TOTP seed with the first key of OTP_SEED_KEYS (key rotation)."

    def handle(self, *args, **options) -> None:
        count = authenticator_seeds_reencrypt()
        self.stdout.write(f"Re-encrypted {count} TOTP seed(s) with the first OTP_SEED_KEYS key.")
