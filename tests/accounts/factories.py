import factory

from apps.accounts.models import Role, User

PASSWORD = "a-Strong-passphrase-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    role = Role.PATIENT
    timezone = "Europe/London"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PatientFactory(UserFactory):
    role = Role.PATIENT


class PhysioFactory(UserFactory):
    role = Role.PHYSIO


class EditorFactory(UserFactory):
    role = Role.EDITOR
    is_staff = True
