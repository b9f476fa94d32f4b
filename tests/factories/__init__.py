"""factory_boy factories for every model of the project, one module per app.

    from tests.factories import PatientFactory, SymptomLogFactory
    log = SymptomLogFactory(patient=patient, fever=True)  # triage: urgent, possible_infection

Every factory builds a row the database and `full_clean()` accept (tests/test_factories.py
checks each one). Factories write rows directly: no service runs, so no alert, reminder or
push is made on the side. Where a test needs what a service does, call the service.
"""

from .accounts import (
    PASSWORD,
    AccountTokenFactory,
    AuthenticatorDeviceFactory,
    CareTeamInviteFactory,
    CareTeamLinkFactory,
    EditorFactory,
    PatientAccessAuditFactory,
    PatientFactory,
    PhysioFactory,
    RecoveryCodeFactory,
    RecoveryCodeSetFactory,
    SecondFactorFailuresFactory,
    UserFactory,
)
from .alerts import AlertEventFactory, AlertFactory
from .care import CareSessionFactory
from .clinics import ClinicFactory, StaffInviteFactory, StaffMembershipFactory, the_test_clinic
from .content import (
    ConditionExerciseFactory,
    ConditionFactory,
    ConditionProtocolFactory,
    ExerciseFactory,
    ExerciseMediaFactory,
    IceStepFactory,
    MediaRenditionFactory,
    ProtocolFactory,
    ProtocolStepFactory,
    RedFlagTranslationFactory,
    RegionTagFactory,
    link,
)
from .episodes import EpisodeFactory, GoalFactory, episode_of
from .messaging import MessageFactory
from .notifications import (
    DeliveryAttemptFactory,
    DeviceFactory,
    NotificationFactory,
    PushDeliveryFactory,
    ReminderFactory,
    ReminderSettingsFactory,
)
from .outcomes import (
    InstrumentFactory,
    InstrumentVersionFactory,
    OutcomeResponseFactory,
    OutcomeScheduleFactory,
)
from .plans import (
    ALL_DAYS,
    ExerciseLogFactory,
    ExercisePlanFactory,
    PlanEventFactory,
    PlanItemFactory,
    PlanTemplateFactory,
    PlanTemplateItemFactory,
)
from .symptoms import SymptomLogFactory, triage_of
from .sync import ChangeFactory, PruneMarkFactory

__all__ = [
    "ALL_DAYS",
    "PASSWORD",
    "AccountTokenFactory",
    "AlertEventFactory",
    "AlertFactory",
    "AuthenticatorDeviceFactory",
    "CareSessionFactory",
    "CareTeamInviteFactory",
    "CareTeamLinkFactory",
    "ChangeFactory",
    "ClinicFactory",
    "ConditionExerciseFactory",
    "ConditionFactory",
    "ConditionProtocolFactory",
    "DeliveryAttemptFactory",
    "DeviceFactory",
    "EditorFactory",
    "EpisodeFactory",
    "ExerciseFactory",
    "ExerciseLogFactory",
    "ExerciseMediaFactory",
    "ExercisePlanFactory",
    "GoalFactory",
    "IceStepFactory",
    "InstrumentFactory",
    "InstrumentVersionFactory",
    "MediaRenditionFactory",
    "MessageFactory",
    "NotificationFactory",
    "OutcomeResponseFactory",
    "OutcomeScheduleFactory",
    "PatientAccessAuditFactory",
    "PatientFactory",
    "PhysioFactory",
    "PlanEventFactory",
    "PlanItemFactory",
    "PlanTemplateFactory",
    "PlanTemplateItemFactory",
    "ProtocolFactory",
    "ProtocolStepFactory",
    "PruneMarkFactory",
    "PushDeliveryFactory",
    "RecoveryCodeFactory",
    "RecoveryCodeSetFactory",
    "RedFlagTranslationFactory",
    "RegionTagFactory",
    "ReminderFactory",
    "ReminderSettingsFactory",
    "SecondFactorFailuresFactory",
    "StaffInviteFactory",
    "StaffMembershipFactory",
    "SymptomLogFactory",
    "UserFactory",
    "episode_of",
    "link",
    "the_test_clinic",
    "triage_of",
]
