"""Setting up bodies from chat (coordinators): create, cadence, reporting lines, the room a
body lives in (said in that room), members and chair by mention."""
from __future__ import annotations

from datetime import date

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import ArgError, Code, Number, PersonMention, Text
from bot.core.commands import Arg, Command, CommandOptions, CommandRegistry, N_
from bot.core.context import Context
from bot.core.roles import Role
from storage.models import Body, BodyKind, BodyRoom, MemberRole, Membership, Person, ReportingLine

# What people type for a kind: every label `gremien` shows, in German and in English (issue #17).
KIND_WORDS = {"expertengruppe": BodyKind.EXPERT_GROUP, "steuerungsgruppe": BodyKind.STEERING_GROUP,
              "lenkungsgruppe": BodyKind.STEERING_GROUP, "beirat": BodyKind.ADVISORY_BOARD, "rat": BodyKind.COUNCIL,
              "arbeitskreis": BodyKind.WORKING_GROUP, "arbeitsgruppe": BodyKind.WORKING_GROUP,
              "konferenz": BodyKind.CONFERENCE, "unterarbeitsgruppe": BodyKind.SUBGROUP,
              "untergruppe": BodyKind.SUBGROUP, "expert group": BodyKind.EXPERT_GROUP,
              "steering group": BodyKind.STEERING_GROUP, "advisory board": BodyKind.ADVISORY_BOARD,
              "council": BodyKind.COUNCIL, "working group": BodyKind.WORKING_GROUP,
              "conference": BodyKind.CONFERENCE, "subgroup": BodyKind.SUBGROUP,
              **{k.value: k for k in BodyKind if k is not BodyKind.OFFICE}}
OFFICE_WORDS = {"geschäftsführung", "geschaeftsfuehrung", "geschäftsstelle", "koordinierungsstelle",
                "coordinating office", "office"}
KIND_CHOICES = {"de": "expertengruppe, steuerungsgruppe, beirat, rat, arbeitskreis, konferenz, unterarbeitsgruppe",
                "en": "expert group, steering group, advisory board, council, working group, conference, subgroup"}


class Kind:
    def parse(self, raw: str, today: date) -> BodyKind:
        word = " ".join(raw.casefold().replace("_", " ").replace("-", " ").split())
        if word in OFFICE_WORDS:
            raise ArgError(N_("There is only one coordinating office; a new body can be one of: {choices}."),
                           choices=KIND_CHOICES)
        kind = KIND_WORDS.get(word) or KIND_WORDS.get(word.replace(" ", "_"))
        if kind is None:
            raise ArgError(N_("“{value}” is not one of: {choices}."), value=raw[:40], choices=KIND_CHOICES)
        return kind


class Cadence:
    """`4` or `mindestens 2` (meetings per year)."""

    def parse(self, raw: str, today: date) -> tuple[int, bool]:
        words = raw.casefold().split()
        minimum = bool(words) and words[0] in ("mindestens", "min", "minimum", "at-least", "least")
        number = words[-1] if words else ""
        if not number.isdecimal() or int(number) > 12 or len(words) > 2:
            raise ArgError(N_("Write the cadence as meetings a year, like “4” or “mindestens 2”."))
        return int(number), minimum


def _person(ctx: Context, ref: str) -> Person | None:
    transport, sep, external = ref.partition(":")
    found = ctx.uow.people.by_identity(transport, external) if sep else ctx.uow.people.by_handle(ref)
    if found is None:
        ctx.notice("I do not know {name}. Mention someone the office has added.", name=ref)
    return found


def _body(ctx: Context, code: str) -> Body | None:
    body = ctx.uow.bodies.by_code(code)
    if body is None:
        ctx.notice("There is no body {code}. Try “gremien”.", code=code)
    return body


def create_body(ctx: Context, code: str, kind: BodyKind, name: str) -> None:
    if ctx.uow.bodies.by_code(code) is not None:
        ctx.notice("{code} exists already.", code=code)
        return
    ctx.uow.bodies.add(Body(code=code, name=name[:200], kind=kind, description="", coordinating=False,
                            cadence_per_year=0, cadence_minimum=False))
    ctx.uow.audit.record(ctx.person, "create_body", "body", code, new={"name": name})
    ctx.notice("Created {code}. Next: “gremium takt {code} 4”, “gremium raum {code}” in its room, "
               "“mitglied hinzufügen {code} @name”.", code=code)


def set_cadence(ctx: Context, code: str, cadence: tuple[int, bool]) -> None:
    body = _body(ctx, code)
    if body is not None:
        body.cadence_per_year, body.cadence_minimum = cadence
        ctx.uow.audit.record(ctx.person, "body_cadence", "body", code, new={"per_year": cadence[0]})
        ctx.notice("{code} meets {n}× a year{minimum}.", code=code, n=cadence[0],
                   minimum=ctx.t(" at least") if cadence[1] else "")


def report_line(ctx: Context, code: str, to: str, per_year: int) -> None:
    body, target = _body(ctx, code), _body(ctx, to)
    if body is None or target is None:
        return
    if body.id == target.id:
        ctx.notice("A body cannot report to itself: name the body that receives {code}'s reports.",
                   code=body.code)
        return
    line = ctx.uow.bodies.line(body, target)
    if line is None:
        line = ReportingLine(from_body_id=body.id, to_body_id=target.id, name=f"{body.code} → {target.code}")
        ctx.uow.session.add(line)
    line.per_year = per_year
    ctx.uow.audit.record(ctx.person, "reporting_line", "body", body.code, new={"to": target.code, "per_year": per_year})
    ctx.notice("{code} reports to {to} {n}× a year.", code=body.code, to=target.code, n=per_year)


def bind_room(ctx: Context, code: str) -> None:
    body = _body(ctx, code)
    if body is None:
        return
    other = ctx.uow.bodies.by_room(ctx.channel.transport, ctx.channel.id)
    if other is not None and other.id != body.id:
        ctx.notice("This room already belongs to {code}.", code=other.code)
        return
    room = next((r for r in body.rooms if r.transport == ctx.channel.transport), None)
    if room is None:
        body.rooms.append(BodyRoom(transport=ctx.channel.transport, room_id=ctx.channel.id))
    else:
        room.room_id = ctx.channel.id
    ctx.uow.audit.record(ctx.person, "body_room", "body", code, new={"room": ctx.channel.id})
    ctx.notice("This room is now the room of {code}: polls, invitations and minutes come here.", code=code)


def _body_and_person(ctx: Context, code: str, person: str) -> tuple[Body, Person] | None:
    """The body and the person a command names, or None after saying which is unknown."""
    body, found = _body(ctx, code), _person(ctx, person)
    return (body, found) if body is not None and found is not None else None


def _membership(body: Body, person: Person) -> Membership | None:
    return next((m for m in body.memberships if m.person_id == person.id), None)


def add_member(ctx: Context, code: str, person: str, organisation: str | None = None) -> None:
    named = _body_and_person(ctx, code, person)
    if named is None:
        return
    body, found = named
    if _membership(body, found) is not None:
        ctx.notice("{name} is already a member of {code}.", name=found.name, code=code)
        return
    body.memberships.append(Membership(person_id=found.id, role=MemberRole.MEMBER, organisation=organisation or ""))
    ctx.uow.audit.record(ctx.person, "add_member", "body", code, new={"person": found.handle})
    ctx.notice("{name} is now a member of {code}.", name=found.name, code=code)


def remove_member(ctx: Context, code: str, person: str) -> None:
    named = _body_and_person(ctx, code, person)
    if named is None:
        return
    body, found = named
    membership = _membership(body, found)
    if membership is None:
        ctx.notice("{name} is not a member of {code}.", name=found.name, code=code)
        return
    body.memberships.remove(membership)
    ctx.uow.audit.record(ctx.person, "remove_member", "body", code, old={"person": found.handle})
    ctx.notice("{name} is no longer a member of {code}.", name=found.name, code=code)


def set_chair(ctx: Context, code: str, person: str) -> None:
    named = _body_and_person(ctx, code, person)
    if named is None:
        return
    body, found = named
    for m in body.memberships:
        if m.role == MemberRole.CHAIR and m.person_id != found.id:
            m.role = MemberRole.MEMBER
    membership = _membership(body, found)
    if membership is None:
        body.memberships.append(Membership(person_id=found.id, role=MemberRole.CHAIR))
    else:
        membership.role = MemberRole.CHAIR
    ctx.uow.audit.record(ctx.person, "set_chair", "body", code, new={"person": found.handle})
    ctx.notice("{name} chairs {code} now.", name=found.name, code=code)


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    code = Arg("code", Code(), {"de": "Gremium", "en": "body"})
    person = Arg("person", PersonMention(), {"de": "@Person", "en": "@person"})
    admin: CommandOptions = {"role": Role.COORDINATOR, "group": "bodies"}
    for command in (
        Command("body_create", {"de": ("gremium anlegen",), "en": ("body create",)},
                N_("Create a body."), create_body,
                args=(code, Arg("kind", Kind(), {"de": "Art", "en": "kind"}),
                      Arg("name", Text(), {"de": "Name", "en": "name"}, rest=True)),
                examples=('gremium anlegen AK1 arbeitskreis "Arbeitskreis Wohnen"',), **admin),
        Command("body_cadence", {"de": ("gremium takt",), "en": ("body cadence",)},
                N_("How often a body meets a year."), set_cadence,
                args=(code, Arg("cadence", Cadence(), {"de": "Anzahl", "en": "number"}, rest=True)),
                examples=("gremium takt EG2 4", "gremium takt AK1 mindestens 2"), **admin),
        Command("body_reports", {"de": ("gremium berichtet",), "en": ("body reports",)},
                N_("A reporting line: which body reports to which how often a year."), report_line,
                args=(code, Arg("to", Code(), {"de": "an Gremium", "en": "to body"}),
                      Arg("per_year", Number(100, N_("“{value}” is not a number from 1 to 99.")),
                          {"de": "Anzahl", "en": "number"})),
                examples=("gremium berichtet EG2 GF 4",), **admin),
        Command("body_room", {"de": ("gremium raum",), "en": ("body room",)},
                N_("Make this room the body's room (say it in that room)."), bind_room, args=(code,),
                examples=("gremium raum EG2",), **(admin | {"where": "room"})),
        Command("member_add", {"de": ("mitglied hinzufügen", "mitglied hinzufuegen"), "en": ("member add",)},
                N_("Add a member to a body by mention."), add_member,
                args=(code, person, Arg("organisation", Text(), {"de": "Organisation", "en": "organisation"},
                                        required=False, rest=True)),
                examples=("mitglied hinzufügen EG2 @probe",), **admin),
        Command("member_remove", {"de": ("mitglied entfernen",), "en": ("member remove",)},
                N_("Remove a member from a body."), remove_member, args=(code, person),
                examples=("mitglied entfernen EG2 @probe",), **admin),
        Command("body_chair", {"de": ("vorsitz",), "en": ("chair",)},
                N_("Name the chair of a body."), set_chair, args=(code, person),
                examples=("vorsitz EG2 @beispiel",), **admin),
    ):
        registry.register(command)
