"""Bodies (Gremien), memberships, reporting lines, meetings, agendas, RSVPs, date polls."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, BodyKind, MemberRole, Timestamped, str_enum

if TYPE_CHECKING:
    from .people import Person
    from .rounds import Round


class Body(Timestamped, Base):
    __tablename__ = "bodies"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[BodyKind] = mapped_column(str_enum(BodyKind))
    description: Mapped[str] = mapped_column(Text, default="")
    coordinating: Mapped[bool] = mapped_column(default=False)  # the office (Geschäftsführung)
    cadence_per_year: Mapped[int] = mapped_column(default=0)  # 0: meets as needed
    cadence_minimum: Mapped[bool] = mapped_column(default=False)  # "at least n per year"
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="body", cascade="all, delete-orphan", order_by="Membership.id")
    rooms: Mapped[list[BodyRoom]] = relationship(back_populates="body", cascade="all, delete-orphan")

    def room(self, transport: str) -> str | None:
        return next((r.room_id for r in self.rooms if r.transport == transport), None)


class BodyRoom(Base):
    """The room a body lives in, per transport."""

    __tablename__ = "body_rooms"
    __table_args__ = (UniqueConstraint("body_id", "transport"), UniqueConstraint("transport", "room_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"))
    transport: Mapped[str] = mapped_column(String(16))
    room_id: Mapped[str] = mapped_column(String(255))
    body: Mapped[Body] = relationship(back_populates="rooms")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("body_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole), default=MemberRole.MEMBER)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[Body] = relationship(back_populates="memberships")
    person: Mapped[Person] = relationship()

    @property
    def shown_organisation(self) -> str:
        """The organisation the member sits for: as given with the membership, else the person's
        own (`person anlegen … Amt für Wohnen`) (findings-meet2 F16)."""
        return self.organisation or (self.person.org_unit if self.person is not None else "")


class ReportingLine(Timestamped, Base):
    """Who reports to whom how often (Expertengruppe → Geschäftsführung, 4×/year)."""

    __tablename__ = "reporting_lines"
    __table_args__ = (UniqueConstraint("from_body_id", "to_body_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    from_body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"))
    to_body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"))
    per_year: Mapped[int] = mapped_column(default=4)
    lead_days: Mapped[int] = mapped_column(default=14)  # a round opens this long before its due date
    from_body: Mapped[Body] = relationship(foreign_keys=[from_body_id])
    to_body: Mapped[Body] = relationship(foreign_keys=[to_body_id])


class Meeting(Timestamped, Base):
    __tablename__ = "meetings"
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[str] = mapped_column(String(16), default="planned")  # planned|invited|held|cancelled
    uid: Mapped[str] = mapped_column(String(120), unique=True)  # stable iCalendar UID
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE, bumped on each change
    minutes: Mapped[str] = mapped_column(Text, default="")
    # the n-th meeting of the body in its year, fixed at creation (a cancelled one keeps its number)
    number: Mapped[int] = mapped_column(default=0)
    guests: Mapped[str] = mapped_column(Text, default="")  # recorded with the minutes
    minutes_approved_at: Mapped[datetime | None]  # approved as an item of a later meeting
    body: Mapped[Body] = relationship()
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position")
    rsvps: Mapped[list[Rsvp]] = relationship(back_populates="meeting", cascade="all, delete-orphan")


class AgendaItem(Timestamped, Base):
    __tablename__ = "agenda_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)  # the order on the agenda
    number: Mapped[int] = mapped_column(default=0)  # what people type: fixed for the item's life
    kind: Mapped[str] = mapped_column(String(16), default="")  # ""|standing|approval|actions
    title: Mapped[str] = mapped_column(String(300))
    recommendation_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendations.id", ondelete="SET NULL"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    public: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(16), default="proposed")  # proposed|accepted|rejected
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    result: Mapped[str] = mapped_column(Text, default="")
    meeting: Mapped[Meeting] = relationship(back_populates="agenda")
    round: Mapped[Round | None] = relationship()  # the standing item's latest round of the body


class Rsvp(Base):
    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(16))  # yes|no|maybe
    attended: Mapped[bool | None]  # recorded with the minutes
    excused: Mapped[bool | None]  # sent apologies (recorded with the minutes)
    answered_at: Mapped[datetime | None]
    meeting: Mapped[Meeting] = relationship(back_populates="rsvps")


class DatePoll(Timestamped, Base):
    __tablename__ = "date_polls"
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default="open")  # open|closed
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    options: Mapped[list[PollOption]] = relationship(
        back_populates="poll", cascade="all, delete-orphan", order_by="PollOption.position")


class PollOption(Base):
    __tablename__ = "poll_options"
    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("date_polls.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    poll: Mapped[DatePoll] = relationship(back_populates="options")


class PollVote(Base):
    __tablename__ = "poll_votes"
    __table_args__ = (UniqueConstraint("option_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_options.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    vote: Mapped[str] = mapped_column(String(8), default="yes")  # yes|maybe|no


class ActionItem(Timestamped, Base):
    """Who does what by when, agreed in a meeting; owned by a person or by a body."""

    __tablename__ = "action_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(500))
    owner_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    owner_body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"))
    due_on: Mapped[date | None]
    state: Mapped[str] = mapped_column(String(16), default="open")  # open|done
    done_at: Mapped[datetime | None]
    meeting: Mapped[Meeting] = relationship()
    owner_person: Mapped[Person | None] = relationship()
    owner_body: Mapped[Body | None] = relationship(foreign_keys=[owner_body_id])
