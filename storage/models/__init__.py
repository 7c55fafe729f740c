"""All tables of the domain (docs/domain.md), importable from one place."""
from .asked import AskedQuestion
from .base import Base, BodyKind, MemberRole, Status, utcnow
from .bodies import (ActionItem, AgendaItem, Body, BodyRoom, DatePoll, Meeting, Membership, PollOption,
                     PollVote, ReportingLine, Rsvp)
from .catalog import (Concept, Field, Indicator, IndicatorValue, Measure, MetricValue,
                      Recommendation, TargetMetric, recommendation_indicators)
from .ops import (AuditEntry, ConversationState, InboxEvent, KeyValue, OutboxMessage, ProcessedEvent,
                  ScheduledSend)
from .people import Absence, Identity, Person, RoleGrant
from .questions import PublicQuestion
from .reports import ReportFile
from .rounds import Change, Digest, Release, Round, StatusUpdate, Subscription

__all__ = [
    "AskedQuestion", "Base", "BodyKind", "MemberRole", "Status", "utcnow",
    "ActionItem", "AgendaItem", "Body", "BodyRoom", "DatePoll", "Meeting", "Membership", "PollOption", "PollVote",
    "ReportingLine", "Rsvp", "Concept", "Field", "Indicator", "IndicatorValue", "Measure",
    "MetricValue", "Recommendation", "TargetMetric", "recommendation_indicators", "AuditEntry",
    "ConversationState", "InboxEvent", "KeyValue", "OutboxMessage", "ProcessedEvent", "ScheduledSend", "Absence",
    "Identity", "Person", "RoleGrant", "Change", "Digest", "Release", "Round", "StatusUpdate",
    "Subscription", "PublicQuestion", "ReportFile",
]
