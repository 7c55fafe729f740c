"""Bodies (Gremien): list them with cadence and members, show one."""
from __future__ import annotations

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import Code
from bot.core.commands import Arg, Command, CommandRegistry, N_
from bot.core.context import Context
from bot.meetings.service import compliance

from .labels import KIND_LABELS


def list_bodies(ctx: Context) -> None:
    bodies = ctx.uow.bodies.all()
    rows = [(b, ctx.t(KIND_LABELS[b.kind]), _cadence(ctx, b.cadence_per_year, b.cadence_minimum),
             len(b.memberships)) for b in bodies]
    ctx.reply("bodies", rows=rows)


def view_body(ctx: Context, code: str) -> None:
    body = ctx.uow.bodies.by_code(code)
    if body is None:
        ctx.notice("There is no body {code}. Try “gremien”.", code=code)
        return
    lines = ctx.uow.bodies.reporting_lines(body)
    outgoing = [(line.to_body, line.per_year) for line in lines if line.from_body_id == body.id]
    incoming = [(line.from_body, line.per_year) for line in lines if line.to_body_id == body.id]
    meetings = ctx.uow.bodies.upcoming_meetings(body, ctx.now())
    ctx.reply("body", body=body, kind=ctx.t(KIND_LABELS[body.kind]),
              cadence=_cadence(ctx, body.cadence_per_year, body.cadence_minimum),
              members=body.memberships, outgoing=outgoing, incoming=incoming, meetings=meetings,
              room=body.room(ctx.channel.transport), compliance=compliance(ctx, body, ctx.today().year),
              calendar=f"{str(ctx.services.settings.web.public_base_url).rstrip('/')}/calendar/{body.code}.ics")


def _cadence(ctx: Context, per_year: int, minimum: bool) -> str:
    if per_year == 0:
        return ctx.t("as needed")
    if minimum:
        return ctx.t("at least {n}× a year", n=per_year)
    return ctx.t("{n}× a year", n=per_year)


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    registry.register(Command(
        "bodies", {"de": ("gremien",), "en": ("bodies",)},
        N_("List the bodies with their cadence and number of members."), list_bodies, group="bodies"))
    registry.register(Command(
        "body", {"de": ("gremium",), "en": ("body",)},
        N_("Show a body: members, cadence, reporting lines, next meetings."), view_body,
        args=(Arg("code", Code(), {"de": "Gremium", "en": "body"}),), group="bodies",
        examples=("gremium EG2",)))
