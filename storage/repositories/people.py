from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Identity, Membership, Person, RoleGrant

COORDINATOR = "coordinator"


class PeopleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, person: Person) -> Person:
        self.session.add(person)
        return person

    def by_handle(self, handle: str) -> Person | None:
        return self.session.scalar(select(Person).where(Person.handle == handle.lower()))

    def by_identity(self, transport: str, external_id: str) -> Person | None:
        stmt = (select(Person).join(Identity)
                .where(Identity.transport == transport, Identity.external_id == external_id))
        return self.session.scalar(stmt)

    def identity(self, transport: str, external_id: str) -> Identity | None:
        return self.session.scalar(select(Identity).where(
            Identity.transport == transport, Identity.external_id == external_id))

    def all(self) -> Sequence[Person]:
        return self.session.scalars(select(Person).order_by(Person.handle)).all()

    def count(self) -> int:
        from sqlalchemy import func
        return self.session.scalar(select(func.count()).select_from(Person)) or 0

    def has_role(self, person: Person, role: str) -> bool:
        return any(grant.role == role for grant in person.roles)

    def grant(self, person: Person, role: str, source: str) -> None:
        if not self.has_role(person, role):
            person.roles.append(RoleGrant(role=role, source=source))

    def memberships(self, person: Person) -> Sequence[Membership]:
        stmt = (select(Membership).where(Membership.person_id == person.id)
                .options(selectinload(Membership.body)))
        return self.session.scalars(stmt).all()
