"""The one place that decides who may do what."""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from storage.models import Body, MemberRole, Membership, Person
from storage.repositories.people import COORDINATOR


class Role(enum.IntEnum):
    """Ordered: a higher role may do everything a lower one may."""

    UNKNOWN = 0  # no person record: may ask for help and who they are
    FOLLOWER = 1  # a known person: reads, follows
    MEMBER = 2  # member of a body: answers prompts, updates own items, RSVPs
    CHAIR = 3  # chair of the body concerned: coordinator rights within that body
    COORDINATOR = 4  # the coordinating office: everything


@dataclass(frozen=True)
class Standing:
    """What a person is, independent of a command: used for `wer bin ich` and checks."""

    person: Person | None
    coordinator: bool
    chair_of: frozenset[str]
    member_of: frozenset[str]

    def role_for(self, body: Body | str | None = None) -> Role:
        """The role for a command concerning `body` (a Body or its code), or no body at all.

        Concerning a body, chair and member mean *of that body*: the chair of EG1 is only a
        follower where EG2 is concerned."""
        if self.person is None:
            return Role.UNKNOWN
        if self.coordinator:
            return Role.COORDINATOR
        code = body if isinstance(body, str) or body is None else body.code
        if code is not None:
            if code in self.chair_of:
                return Role.CHAIR
            return Role.MEMBER if code in self.member_of else Role.FOLLOWER
        if self.chair_of:
            return Role.CHAIR  # body-less chair commands are scoped again by their handler
        if self.member_of:
            return Role.MEMBER
        return Role.FOLLOWER

    def permits(self, needed: Role, body: Body | str | None = None, owns: bool = False) -> bool:
        """The single rule: the role for the body concerned reaches the command's role, or
        the speaker owns the item and the command lets owners act (`owns` is only passed then)."""
        return self.role_for(body) >= needed or (owns and self.person is not None)

    def highest(self) -> Role:
        return self.role_for(None)


def standing(person: Person | None, memberships: Iterable[Membership],
             configured: Iterable[str]) -> Standing:
    """Coordinators: granted in the database, listed in the config, or in the office body."""
    if person is None:
        return Standing(None, False, frozenset(), frozenset())
    chair, member, office = set(), set(), False
    for m in memberships:
        body = m.body
        member.add(body.code)
        if m.role == MemberRole.CHAIR:
            chair.add(body.code)
        office = office or body.coordinating
    coordinator = (office or any(g.role == COORDINATOR for g in person.roles)
                   or _configured(person, configured))
    return Standing(person, coordinator, frozenset(chair), frozenset(member))


def _configured(person: Person, entries: Iterable[str]) -> bool:
    for entry in entries:
        transport, sep, ident = entry.partition(":")
        if not sep and entry.lower() == person.handle:
            return True
        if sep and person.identity(transport) == ident:
            return True
    return False
