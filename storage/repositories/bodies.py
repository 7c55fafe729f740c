from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Body, BodyRoom, Meeting, Membership, ReportingLine


class BodyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, body: Body) -> Body:
        self.session.add(body)
        return body

    def by_code(self, code: str) -> Body | None:
        return self.session.scalar(select(Body).where(Body.code == code.upper()))

    def by_name(self, name: str) -> Body | None:
        """A body by its name or a short form of it (`EG-Bildung` for "Expertengruppe … Bildung")."""
        wanted = name.casefold().replace("-", " ").split()
        if not wanted:
            return None
        wanted[0] = {"eg": "expertengruppe", "lg": "lenkungsgruppe"}.get(wanted[0], wanted[0])
        matches = [b for b in self.all() if all(w in b.name.casefold() for w in wanted)]
        return matches[0] if len(matches) == 1 else None

    def by_room(self, transport: str, room_id: str) -> Body | None:
        stmt = select(Body).join(BodyRoom).where(BodyRoom.transport == transport,
                                                 BodyRoom.room_id == room_id)
        return self.session.scalar(stmt)

    def all(self) -> Sequence[Body]:
        stmt = (select(Body).order_by(Body.coordinating.desc(), Body.code)
                .options(selectinload(Body.memberships).selectinload(Membership.person),
                         selectinload(Body.rooms)))
        return self.session.scalars(stmt).all()

    def office(self) -> Body | None:
        return self.session.scalar(select(Body).where(Body.coordinating.is_(True)).order_by(Body.id))

    def reporting_lines(self, body: Body | None = None) -> Sequence[ReportingLine]:
        stmt = select(ReportingLine).options(selectinload(ReportingLine.from_body),
                                             selectinload(ReportingLine.to_body))
        if body is not None:
            stmt = stmt.where((ReportingLine.from_body_id == body.id) | (ReportingLine.to_body_id == body.id))
        return self.session.scalars(stmt.order_by(ReportingLine.id)).all()

    def line(self, from_body: Body, to_body: Body) -> ReportingLine | None:
        return self.session.scalar(select(ReportingLine).where(
            ReportingLine.from_body_id == from_body.id, ReportingLine.to_body_id == to_body.id))

    def upcoming_meetings(self, body: Body, after: object, limit: int = 3) -> Sequence[Meeting]:
        stmt = (select(Meeting).where(Meeting.body_id == body.id, Meeting.starts_at >= after,
                                      Meeting.state != "cancelled")
                .order_by(Meeting.starts_at).limit(limit))
        return self.session.scalars(stmt).all()
