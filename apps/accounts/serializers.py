from django.contrib.auth.signals import user_logged_in
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings

from apps.content.vocabulary import Side
from backend.rest import (
    StrictCharField,
    StrictChoiceField,
    StrictFieldsMixin,
    StrictModelSerializer,
    StrictSerializer,
)

from .errors import AccountError
from .jwt import AccountRefreshToken, check_generation
from .models import Language, User, validate_display_name, validate_timezone
from .selectors import users_without_secrets
from .services import INVITE_ERRORS


class TimezoneField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", "IANA time zone name, such as Europe/London.")
        super().__init__(validators=[validate_timezone], **kwargs)


class DisplayNameField(StrictCharField):
    def __init__(self, **kwargs):
        # No min_length: a blank name is refused as blank already, and a MinLengthValidator
        # would put minLength 1 on the answers' schema too, where "" means not set.
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault(
            "help_text", "The name the care team sees instead of the e-mail (1–80 characters)."
        )
        super().__init__(validators=[validate_display_name], **kwargs)


class LanguageField(StrictChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "The language of e-mails and texts for this person.")
        super().__init__(choices=Language.choices, **kwargs)


class PasswordField(StrictCharField):
    def __init__(self, **kwargs):
        super().__init__(write_only=True, max_length=128, trim_whitespace=False, **kwargs)


class RegisterSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = PasswordField()
    timezone = TimezoneField()
    display_name = DisplayNameField(required=False)
    language = LanguageField(
        required=False,
        help_text="Default: the best match of Accept-Language among the supported languages, "
        "else en.",
    )


class MeSerializer(StrictModelSerializer):
    timezone = TimezoneField(required=False)
    display_name = DisplayNameField(required=False)
    language = LanguageField(required=False)
    email_verified = serializers.BooleanField(
        read_only=True, help_text="The address was confirmed through the link e-mailed to it."
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "role",
            "display_name",
            "language",
            "email_verified",
            "timezone",
            "quiet_hours_start",
            "quiet_hours_end",
            "affected_side",
        ]
        read_only_fields = ["id", "email", "role", "email_verified"]


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RegisteredSerializer(MeSerializer):
    """The new patient's profile and a token pair: the app is signed in at once."""

    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)
    # Blank until the patient says: the schema must allow "" (schemathesis found it).
    affected_side = serializers.ChoiceField(choices=Side.choices, allow_blank=True, read_only=True)

    class Meta(MeSerializer.Meta):
        fields = [*MeSerializer.Meta.fields, "access", "refresh"]
        read_only_fields = MeSerializer.Meta.fields


class StrictTokenObtainPairSerializer(StrictFieldsMixin, TokenObtainPairSerializer):
    token_class = AccountRefreshToken

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
    token_class = AccountRefreshToken

    def validate(self, attrs: dict) -> dict:
        """simplejwt's refresh with rotation, plus: the token's generation must be the
        account's (apps/accounts/jwt.py). One read of the account, without its hash."""
        refresh = self.token_class(attrs["refresh"])  # signature, expiry, type, blacklist
        user_id = refresh.payload.get(api_settings.USER_ID_CLAIM)
        # The token of an erased account still verifies, but its user is gone: a 401 like
        # an inactive account's.
        user = users_without_secrets().filter(**{api_settings.USER_ID_FIELD: user_id}).first()
        if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
            raise AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        check_generation(refresh, user)  # TokenError: the view answers 401 token_not_valid

        data = {"access": str(refresh.access_token)}
        refresh.blacklist()  # ROTATE_REFRESH_TOKENS and BLACKLIST_AFTER_ROTATION are on
        refresh.set_jti()
        refresh.set_exp()
        refresh.set_iat()
        refresh.outstand()
        data["refresh"] = str(refresh)
        return data


class SignOutSerializer(StrictSerializer):
    refresh = StrictCharField(help_text="The refresh token of this device.")


class VerifyEmailSerializer(StrictSerializer):
    token = StrictCharField(
        max_length=128,
        help_text="The `token` of the link in the verification e-mail.",
        error_messages={AccountError.INVALID_TOKEN: "This link has expired or was already used."},
    )


class PasswordResetSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetAcceptedSerializer(serializers.Serializer):
    detail = serializers.CharField()


class VerifyEmailResentSerializer(serializers.Serializer):
    detail = serializers.CharField(
        help_text="Whether a new link is on its way, or the address was already confirmed."
    )


class PasswordResetConfirmSerializer(StrictSerializer):
    token = StrictCharField(
        max_length=128,
        help_text="The `token` of the link in the reset e-mail.",
        error_messages={AccountError.INVALID_TOKEN: "This link has expired or was already used."},
    )
    password = PasswordField(help_text="The new password (Django's validators apply).")


class PasswordChangeSerializer(StrictSerializer):
    current_password = PasswordField(
        error_messages={AccountError.WRONG_PASSWORD: "This is not the account's current password."}
    )
    new_password = PasswordField(help_text="Django's validators apply.")


class PersonSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    display_name = serializers.CharField(
        source="shown_name", help_text="The person's display name, or the e-mail when unset."
    )


class CareTeamLinkSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    physio = PersonSerializer()
    patient = PersonSerializer()
    created_at = serializers.DateTimeField()


class InviteCreateSerializer(StrictSerializer):
    """Optionally an address to e-mail the code to; the invite is the caller's."""

    email = serializers.EmailField(
        max_length=254,
        required=False,
        help_text="Also e-mail the code, with a link into the app, to this address.",
    )


class InviteIssuedSerializer(serializers.Serializer):
    code = serializers.CharField(help_text='One-time code to give the patient, as "ABCD-EFGH".')
    expires_at = serializers.DateTimeField()
    emailed_to = serializers.EmailField(
        allow_null=True, help_text="Where the code is being e-mailed, or null."
    )


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
