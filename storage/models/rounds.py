"""Status rounds, status updates, releases to the public and subscriptions."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Status, Timestamped, str_enum

if TYPE_CHECKING:
    from .bodies import ReportingLine
    from .catalog import Recommendation
    from .people import Person


class Round(Timestamped, Base):
    """A Sachstandsabfrage: one reporting line, one period."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("reporting_line_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    reporting_line_id: Mapped[int] = mapped_column(ForeignKey("reporting_lines.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(20))  # e.g. "2027-Q1"
    opens_at: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open|closed
    closed_at: Mapped[datetime | None]
    result: Mapped[dict] = mapped_column(default=dict)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    reporting_line: Mapped[ReportingLine] = relationship()
    updates: Mapped[list[StatusUpdate]] = relationship(back_populates="round")


class StatusUpdate(Timestamped, Base):
    """One owner's answer about one recommendation (in a round or on their own initiative)."""

    __tablename__ = "status_updates"
    __table_args__ = (UniqueConstraint("round_id", "recommendation_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    delegated_to_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # who is asked in this round: the owner when the round opened, or whom they handed it to
    asked_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|submitted|no_report
    status: Mapped[Status | None] = mapped_column(str_enum(Status))
    progress: Mapped[int | None]
    happened: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    blockers: Mapped[str] = mapped_column(Text, default="")
    public_summary: Mapped[str] = mapped_column(Text, default="")
    publish_ok: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime | None]
    snoozed_until: Mapped[datetime | None]
    prompted_at: Mapped[datetime | None]  # when the prompt was queued (the fan-out's ledger)
    metric_values: Mapped[dict] = mapped_column(default=dict)  # metric id → reported value (text)
    round: Mapped[Round | None] = relationship(back_populates="updates")
    recommendation: Mapped[Recommendation] = relationship()
    author: Mapped[Person | None] = relationship(foreign_keys=[author_id])
    asked: Mapped[Person | None] = relationship(foreign_keys=[asked_id])


class Release(Timestamped, Base):
    """A coordinator's decision about what becomes public (nothing is public without one)."""

    __tablename__ = "releases"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # update|status|edit:<attribute> (a chair's catalog edit)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    status_update_id: Mapped[int | None] = mapped_column(
        ForeignKey("status_updates.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[Status | None] = mapped_column(str_enum(Status))
    progress: Mapped[int | None]
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|released|withheld
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class Subscription(Timestamped, Base):
    """A room or DM following a scope: all, a field, a body or a recommendation."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("transport", "channel_id", "scope_kind", "scope_ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transport: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str] = mapped_column(String(255))
    scope_kind: Mapped[str] = mapped_column(String(16))  # all|field|body|recommendation
    scope_ref: Mapped[str] = mapped_column(String(32), default="")
    digests: Mapped[bool] = mapped_column(default=True)
    meetings: Mapped[bool] = mapped_column(default=True)
    changes: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(8), default="de")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    last_digest_at: Mapped[datetime | None]


class Digest(Base):
    """Digests sent, so 'what changed since the last digest' has a reference point."""

    __tablename__ = "digests"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # round|scheduled|on_demand
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    period_start: Mapped[date | None]
    content: Mapped[dict] = mapped_column(default=dict)


class Change(Base):
    """History of every change to a recommendation: who, when, what (shown by `verlauf`)."""

    __tablename__ = "changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    field_name: Mapped[str] = mapped_column(String(64))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32), default="command")  # import|command|round
