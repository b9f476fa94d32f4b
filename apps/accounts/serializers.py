from django.contrib.auth.signals import user_logged_in
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer

from backend.rest import (
    StrictCharField,
    StrictFieldsMixin,
    StrictModelSerializer,
    StrictSerializer,
)

from .models import User, validate_timezone
from .services import INVITE_ERRORS


class TimezoneField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", "IANA time zone name, such as Europe/London.")
        super().__init__(validators=[validate_timezone], **kwargs)


class RegisterSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = StrictCharField(write_only=True, max_length=128, trim_whitespace=False)
    timezone = TimezoneField()


class MeSerializer(StrictModelSerializer):
    timezone = TimezoneField(required=False)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "role",
            "timezone",
            "quiet_hours_start",
            "quiet_hours_end",
            "affected_side",
        ]
        read_only_fields = ["id", "email", "role"]


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class StrictTokenObtainPairSerializer(StrictFieldsMixin, TokenObtainPairSerializer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # simplejwt's fields have no length limit: a 100,000-character e-mail reached the
        # account lookup (SQLite refuses a LIKE that long). The limits of registration.
        self.fields[self.username_field] = StrictCharField(write_only=True, max_length=254)
        self.fields["password"] = StrictCharField(
            write_only=True, max_length=128, trim_whitespace=False
        )

    def validate(self, attrs: dict) -> dict:
        data = super().validate(attrs)
        # A token login is a login: the signal sets last_login and clears the failed
        # attempts django-axes counted for this account and address.
        user_logged_in.send(sender=type(self.user), request=self.context["request"], user=self.user)
        return data


class StrictTokenRefreshSerializer(StrictFieldsMixin, TokenRefreshSerializer):
    def validate(self, attrs: dict) -> dict:
        # The token of an erased account still verifies, but its user is gone: simplejwt
        # lets User.DoesNotExist escape (a 500); it is a 401 like an inactive account's.
        try:
            return super().validate(attrs)
        except User.DoesNotExist:
            raise AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            ) from None


class PersonSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()


class CareTeamLinkSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    physio = PersonSerializer()
    patient = PersonSerializer()
    created_at = serializers.DateTimeField()


class InviteCreateSerializer(StrictSerializer):
    """No input: the invite is the caller's. Any field sent is refused by name."""


class InviteIssuedSerializer(serializers.Serializer):
    code = serializers.CharField(help_text='One-time code to give the patient, as "ABCD-EFGH".')
    expires_at = serializers.DateTimeField()


class StringField(serializers.CharField):
    """A JSON string only: DRF's CharField would take the number 12345 as "12345"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class JoinSerializer(StrictSerializer):
    code = StringField(
        max_length=32,
        help_text='The code the physiotherapist gave, such as "ABCD-EFGH" (case, dashes '
        "and spaces do not matter).",
        # Raised by the join service, not here; listed so the schema documents them.
        error_messages={key: INVITE_ERRORS[key] for key in ("expired", "used")},
    )
