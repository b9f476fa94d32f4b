# The second factor's seeds encrypted at rest (docs/decisions/second-factor-at-rest.md):
# AuthenticatorDevice replaces django-otp's TOTPDevice, whose rows (seeds in the clear) are
# converted here and deleted.

import apps.accounts.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def seeds_encrypt(apps, schema_editor):
    """Each clear TOTPDevice becomes an AuthenticatorDevice with the same seed, encrypted
    under OTP_SEED_KEYS; the clear rows go. Phones keep working; sessions verified with an
    old device ask for a code again."""
    from apps.accounts.seeds import seed_encrypt

    Clear = apps.get_model("otp_totp", "TOTPDevice")
    Encrypted = apps.get_model("accounts", "AuthenticatorDevice")
    for old in Clear.objects.order_by("pk").iterator():
        new = Encrypted.objects.create(
            user_id=old.user_id,
            name=old.name,
            confirmed=old.confirmed,
            encrypted_seed=seed_encrypt(bytes.fromhex(old.key)),
            drift=old.drift,
            last_t=old.last_t,
            throttling_failure_timestamp=old.throttling_failure_timestamp,
            throttling_failure_count=old.throttling_failure_count,
            last_used_at=old.last_used_at,
        )
        if old.created_at is not None:
            Encrypted.objects.filter(pk=new.pk).update(created_at=old.created_at)
    Clear.objects.all().delete()


def seeds_decrypt(apps, schema_editor):
    """Back to django-otp's TOTPDevice (seeds in the clear again), for a rollback."""
    from apps.accounts.seeds import seed_decrypt

    Clear = apps.get_model("otp_totp", "TOTPDevice")
    Encrypted = apps.get_model("accounts", "AuthenticatorDevice")
    for new in Encrypted.objects.order_by("pk").iterator():
        Clear.objects.create(
            user_id=new.user_id,
            name=new.name,
            confirmed=new.confirmed,
            key=seed_decrypt(new.encrypted_seed).hex(),
            drift=new.drift,
            last_t=new.last_t,
        )
    Encrypted.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_email_tokens_display_name"),
        ("otp_totp", "0003_add_timestamps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuthenticatorDevice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(help_text="The human-readable name of this device.", max_length=64)),
                ("confirmed", models.BooleanField(default=True, help_text="Is this device ready for use?")),
                ("throttling_failure_timestamp", models.DateTimeField(blank=True, default=None, help_text="A timestamp of the last failed verification attempt. Null if last attempt succeeded.", null=True)),
                ("throttling_failure_count", models.PositiveIntegerField(default=0, help_text="Number of successive failed attempts.")),
                ("created_at", models.DateTimeField(auto_now_add=True, help_text="The date and time when this device was initially created in the system.", null=True)),
                ("last_used_at", models.DateTimeField(blank=True, help_text="The most recent date and time this device was used.", null=True)),
                ("encrypted_seed", models.TextField(default=apps.accounts.models._new_encrypted_seed, editable=False)),
                ("drift", models.SmallIntegerField(default=0, help_text="Time steps the phone's clock is known to be off by.")),
                ("last_t", models.BigIntegerField(default=-1, help_text="The time step of the last code accepted: a code works once.")),
                ("user", models.ForeignKey(help_text="The user that this device belongs to.", on_delete=django.db.models.deletion.CASCADE, related_name="authenticator_devices", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "authenticator app",
                "abstract": False,
            },
        ),
        migrations.RunPython(seeds_encrypt, seeds_decrypt),
    ]
