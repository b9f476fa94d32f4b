"""Published content: conditions, protocols and their steps, exercises, and the links
between them. `regions=[...]` tags an item with body regions."""

import factory

from apps.content.models import (
    Condition,
    ConditionExercise,
    ConditionProtocol,
    Exercise,
    ExerciseMedia,
    MediaKind,
    MediaRendition,
    Protocol,
    ProtocolStep,
    RedFlagTranslation,
    RegionTag,
    Status,
    StepKind,
)
from apps.content.services import region_tags_ensure
from apps.content.vocabulary import RedFlagCode, Region, Source


class RegionTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionTag
        django_get_or_create = ("code",)

    code = factory.Iterator(Region.values)


class ContentFactory(factory.django.DjangoModelFactory):
    status = Status.PUBLISHED
    source = Source.BACK_OF_KNEE_WALKING

    @factory.post_generation
    def regions(obj, create, extracted, **kwargs):
        if create and extracted:
            region_tags_ensure()
            obj.regions.set(RegionTag.objects.filter(code__in=extracted))


class ProtocolFactory(ContentFactory):
    class Meta:
        model = Protocol
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"protocol-{n}")
    title = factory.Sequence(lambda n: f"Home care {n}")
    summary = "What to do at home."


class ProtocolStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProtocolStep

    protocol = factory.SubFactory(ProtocolFactory)
    position = factory.Sequence(lambda n: n)
    kind = StepKind.REST
    title = "Rest"
    instructions = "Avoid running and deep squats for a while."


class IceStepFactory(ProtocolStepFactory):
    kind = StepKind.ICE
    title = "Ice"
    instructions = "Wrap a cold pack in a cloth and apply it for 15 to 20 minutes."
    min_minutes = 15
    max_minutes = 20
    times_per_day = 3


class ExerciseFactory(ContentFactory):
    class Meta:
        model = Exercise
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"exercise-{n}")
    name = factory.Sequence(lambda n: f"Exercise {n}")
    instructions = "Stand facing a wall.\nStep one foot back.\nHold."
    target_area = "calf"
    default_sets = 3
    default_reps = 10


class ConditionFactory(ContentFactory):
    class Meta:
        model = Condition
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"condition-{n}")
    name = factory.Sequence(lambda n: f"Condition {n}")
    summary = "A condition that can cause knee pain."


class ConditionProtocolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConditionProtocol

    condition = factory.SubFactory(ConditionFactory)
    protocol = factory.SubFactory(ProtocolFactory)
    position = factory.Sequence(lambda n: n)


class ConditionExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConditionExercise

    condition = factory.SubFactory(ConditionFactory)
    exercise = factory.SubFactory(ExerciseFactory)
    position = factory.Sequence(lambda n: n)


def link(condition: Condition, *, protocols=(), exercises=()) -> None:
    """Attach protocols and exercises to a condition, in the order given."""
    for position, protocol in enumerate(protocols):
        ConditionProtocol.objects.create(condition=condition, protocol=protocol, position=position)
    for position, exercise in enumerate(exercises):
        ConditionExercise.objects.create(condition=condition, exercise=exercise, position=position)


class ExerciseMediaFactory(factory.django.DjangoModelFactory):
    """A picture row pointing at a name in the store (no file is written: use the upload
    service, exercise_media_add, for a real one)."""

    class Meta:
        model = ExerciseMedia

    exercise = factory.SubFactory(ExerciseFactory)
    kind = MediaKind.IMAGE
    file = factory.Sequence(lambda n: f"exercises/factory-{n}.jpg")
    content_type = "image/jpeg"
    size_bytes = 2048
    width = 800
    height = 600
    alt_text = "A person doing the exercise."


class MediaRenditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaRendition

    media = factory.SubFactory(ExerciseMediaFactory)
    width = factory.Sequence(lambda n: 320 + n)
    height = 240
    file = factory.Sequence(lambda n: f"exercises/factory-{n}-320.webp")
    content_type = "image/webp"
    size_bytes = 512


class RedFlagTranslationFactory(factory.django.DjangoModelFactory):
    """An unreviewed translation (served only once reviewed; pass reviewed_by and
    reviewed_at together to make it served)."""

    class Meta:
        model = RedFlagTranslation

    code = factory.Iterator(RedFlagCode.values)
    language = "es"
    title = "Título de prueba"
    advice = "Consejo de prueba."
