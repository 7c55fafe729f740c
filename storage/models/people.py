"""People, their chat identities, absences, consent and global roles."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped


class Person(Timestamped, Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    org_unit: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    locale: Mapped[str | None] = mapped_column(String(8))  # None: the configured default
    timezone: Mapped[str | None] = mapped_column(String(64))
    publication_consent: Mapped[bool] = mapped_column(default=False)
    consent_changed_at: Mapped[datetime | None]
    anonymized_at: Mapped[datetime | None]
    identities: Mapped[list[Identity]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Identity.transport")
    absences: Mapped[list[Absence]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Absence.start")
    roles: Mapped[list[RoleGrant]] = relationship(back_populates="person", cascade="all, delete-orphan")

    def identity(self, transport: str) -> str | None:
        return next((i.external_id for i in self.identities if i.transport == transport), None)

    def absent_on(self, day: date) -> bool:
        return any(a.start <= day <= a.end for a in self.absences)


class Identity(Base):
    """A person's account on one transport (console handle, Matrix user id, Slack user id)."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("transport", "external_id"),
                      UniqueConstraint("person_id", "transport"))
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    transport: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(255))
    dm_channel: Mapped[str | None] = mapped_column(String(255))  # known direct room/channel
    person: Mapped[Person] = relationship(back_populates="identities")


class Absence(Base):
    __tablename__ = "absences"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    start: Mapped[date]
    end: Mapped[date]
    note: Mapped[str] = mapped_column(String(200), default="")
    person: Mapped[Person] = relationship(back_populates="absences")


class RoleGrant(Base):
    """Global roles (coordinator). Body roles (chair, member) live in memberships."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("person_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32), default="command")  # config | import | command
    person: Mapped[Person] = relationship(back_populates="roles")
