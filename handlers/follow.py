"""Subscriptions: a room or DM follows everything, a field, a body or one recommendation.

`folgen HF2 digests de`, `entfolgen HF2`, `abos`. A subscription receives digests, meeting
notices and status changes (all three unless some are named) in its own language."""
from __future__ import annotations

from dataclasses import dataclass

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import ArgError
from bot.core.commands import Arg, Command, CommandRegistry, N_
from bot.core.context import Context
from bot.core.roles import Role
from storage.models import BodyKind, Subscription

ALL = {"alles", "all", "alle"}
KINDS = {"digests": "digests", "digest": "digests", "sitzungen": "meetings", "meetings": "meetings",
         "änderungen": "changes", "aenderungen": "changes", "changes": "changes"}
LANGUAGES = {"de", "en"}


@dataclass(frozen=True)
class Scope:
    kind: str  # all | field | body | recommendation
    ref: str = ""


class ScopeWords:
    """`alles`, or a code, then optional kinds and a language."""

    def parse(self, raw: str, today: object) -> tuple[str, list[str], str | None]:
        words = raw.split()
        if not words:
            return "alles", [], None
        target, rest = words[0], [w.casefold() for w in words[1:]]
        kinds = [KINDS[w] for w in rest if w in KINDS]
        languages = [w for w in rest if w in LANGUAGES]
        unknown = [w for w in rest if w not in KINDS and w not in LANGUAGES]
        if unknown or len(languages) > 1 or len(target) > 40:
            raise ArgError(N_("“{value}” is not understood. After the code: digests, meetings, changes, "
                              "and de or en."), value=(unknown or [target])[0][:40])
        return target, kinds, languages[0] if languages else None


def resolve(ctx: Context, target: str) -> tuple[Scope, str] | None:
    """What a word names, and how to show it; None (with a notice) when it names nothing."""
    if target.casefold() in ALL:
        return Scope("all"), ctx.t("everything")
    code = target.upper()
    if (rec := ctx.uow.catalog.recommendation(code)) is not None:
        return Scope("recommendation", rec.code), f"{rec.code} {rec.title}"
    if (field := ctx.uow.catalog.field(code)) is not None:
        return Scope("field", field.code), f"{field.code} {field.title}"
    body = ctx.uow.bodies.by_code(code) or ctx.uow.bodies.by_name(target)
    if body is not None:
        return Scope("body", body.code), f"{body.code} {body.name}"
    ctx.notice("“{value}” is neither a field, a body nor a recommendation. Try “felder” or “gremien”.",
               value=target[:40])
    return None


def follow(ctx: Context, spec: tuple[str, list[str], str | None] | None = None) -> None:
    target, kinds, language = spec or ("alles", [], None)
    found = resolve(ctx, target)
    if found is None:
        return
    scope, shown = found
    channel = ctx.channel
    sub = ctx.uow.subscriptions.find(channel.transport, channel.id, scope.kind, scope.ref)
    if sub is None:
        sub = ctx.uow.subscriptions.add(Subscription(
            transport=channel.transport, channel_id=channel.id, scope_kind=scope.kind, scope_ref=scope.ref,
            created_by_id=ctx.person.id if ctx.person else None))
    wanted = set(kinds) or {"digests", "meetings", "changes"}
    sub.digests, sub.meetings, sub.changes = ("digests" in wanted, "meetings" in wanted, "changes" in wanted)
    sub.locale = language or ctx.locale
    ctx.uow.audit.record(ctx.person, "follow", "subscription", f"{scope.kind}:{scope.ref}",
                         new={"channel": channel.id, "kinds": sorted(wanted), "locale": sub.locale})
    ctx.reply("follow_saved", shown=shown, sub=sub, direct=channel.direct)


def _here(ctx: Context, target: str | None) -> tuple[Scope, str, Subscription | None] | None:
    """What a word names, and this room's subscription of it (if any)."""
    found = resolve(ctx, target or "alles")
    if found is None:
        return None
    scope, shown = found
    return scope, shown, ctx.uow.subscriptions.find(ctx.channel.transport, ctx.channel.id, scope.kind, scope.ref)


def unfollow(ctx: Context, target: str | None = None) -> None:
    here = _here(ctx, target)
    if here is None:
        return
    scope, shown, sub = here
    everything = scope.kind == "all"  # German: "folgt allem", not "folgt alles" (issue #17)
    if sub is None:
        if everything:
            ctx.notice("Here nobody follows everything; “abos” shows what is followed.")
        else:
            ctx.notice("Here nobody follows {what}; “abos” shows what is followed.", what=shown)
        return
    ctx.uow.session.delete(sub)
    ctx.uow.audit.record(ctx.person, "unfollow", "subscription", f"{scope.kind}:{scope.ref}",
                         old={"channel": ctx.channel.id})
    if everything:
        ctx.notice("This room no longer follows everything.")
    else:
        ctx.notice("This room no longer follows {what}.", what=shown)


def subscriptions(ctx: Context) -> None:
    subs = ctx.uow.subscriptions.of_channel(ctx.channel.transport, ctx.channel.id)
    ctx.reply("follow_list", subs=subs)


def digest(ctx: Context, target: str | None = None) -> None:
    """A digest now, here: since this room's last digest of that scope, else the last 30 days.
    Without a code: in a body's room that body, elsewhere everything."""
    from bot import digests

    if target is None and not ctx.channel.direct:  # in a body's room: that body (issue #17)
        body = ctx.uow.bodies.by_room(ctx.channel.transport, ctx.channel.id)
        target = body.code if body is not None and body.kind != BodyKind.OFFICE else None
    here = _here(ctx, target)
    if here is None:
        return
    scope, shown, sub = here
    digests.post(ctx, ctx.channel, ctx.locale, scope.kind, scope.ref, sub.last_digest_at if sub else None,
                 title=shown)


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    from bot.core.argtypes import Text

    for command in (
        Command("follow", {"de": ("folgen",), "en": ("follow",)},
                N_("Follow everything, a field, a body or a recommendation here: digests, meetings, changes."),
                follow, args=(Arg("spec", ScopeWords(), {"de": "alles|Code [digests] [sitzungen] [änderungen] [de|en]",
                                                         "en": "all|code [digests] [meetings] [changes] [de|en]"},
                                  required=False, rest=True),),
                role=Role.FOLLOWER, group="follow", examples=("folgen HF2", "folgen EG2 digests", "folgen alles en")),
        Command("unfollow", {"de": ("entfolgen",), "en": ("unfollow",)},
                N_("Stop following something here."), unfollow,
                args=(Arg("target", Text(), {"de": "alles|Code", "en": "all|code"}, required=False),),
                role=Role.FOLLOWER, group="follow", examples=("entfolgen HF2",)),
        Command("digest", {"de": ("digest",), "en": ("digest",)},
                N_("A digest now: counts and progress per field, changes, overdue items, blockers, meetings."),
                digest, args=(Arg("target", Text(), {"de": "alles|Code", "en": "all|code"}, required=False),),
                role=Role.FOLLOWER, group="follow", examples=("digest", "digest HF2")),
        Command("subscriptions", {"de": ("abos",), "en": ("subscriptions",)},
                N_("What this room or conversation follows."), subscriptions, role=Role.FOLLOWER, group="follow"),
    ):
        registry.register(command)
