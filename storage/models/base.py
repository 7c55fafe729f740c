"""Declarative base, naming convention and shared column types."""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator
from sqlalchemy import Enum as SQLEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict: JSON(), list: JSON()}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Status(str, enum.Enum):
    """Implementation status of a recommendation or measure (docs/domain.md)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DELAYED = "delayed"
    BLOCKED = "blocked"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def closed(self) -> bool:
        return self in (Status.DONE, Status.DROPPED)


class BodyKind(str, enum.Enum):
    OFFICE = "office"
    EXPERT_GROUP = "expert_group"
    STEERING_GROUP = "steering_group"
    ADVISORY_BOARD = "advisory_board"
    COUNCIL = "council"
    WORKING_GROUP = "working_group"
    CONFERENCE = "conference"
    SUBGROUP = "subgroup"


class MemberRole(str, enum.Enum):
    CHAIR = "chair"
    MEMBER = "member"


def str_enum(enum_cls: type[enum.Enum]) -> SQLEnum:
    """Enums stored as their values in a VARCHAR: portable, readable, no PG ENUM types."""
    return SQLEnum(enum_cls, native_enum=False, values_callable=lambda e: [m.value for m in e],
                length=32, validate_strings=True)


__all__ = ["Base", "Timestamped", "Status", "BodyKind", "MemberRole", "UTCDateTime", "utcnow",
           "str_enum", "JSON"]
