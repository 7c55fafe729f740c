"""Help, who am I, language."""
from __future__ import annotations

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import Text, Word
from bot.core.commands import Arg, Command, CommandRegistry, N_
from bot.core.context import Context
from bot.core.middleware import ROLE_NAMES
from bot.core.roles import Role

GROUPS = (("general", N_("General")), ("catalog", N_("Catalog")), ("bodies", N_("Bodies")),
          ("rounds", N_("Status rounds")), ("meetings", N_("Meetings")),
          ("follow", N_("Following")), ("admin", N_("Administration")))


def show_help(ctx: Context, command: str | None = None) -> None:
    registry = ctx.services.registry
    if command:
        found = registry.find(command)
        if found is None:
            ctx.reply("unknown_command", word=command[:40], suggestion="")
            return
        owned = _owned_codes(ctx) if found.owner_may and found.item_kind != "question" else []
        ctx.reply("help_command", usage=found.usage(ctx.locale), summary=ctx.t(found.summary),
                  aliases=_aliases(found), examples=found.localised_examples(ctx.locale),
                  role=ctx.t(ROLE_NAMES[found.role]), owner_may=found.owner_may,
                  per_body=found.role in (Role.CHAIR, Role.MEMBER) and bool(found.body_arg or found.item_arg),
                  owned=owned, you_may=_may(ctx, found, owned))
        return
    mine = ctx.standing.highest()  # an unknown person: only what needs no role (docs/benutzung.md)
    owns = bool(_owned_codes(ctx))
    sections = []
    for key, title in GROUPS:
        entries = [(c.usage(ctx.locale), ctx.t(c.summary), c.role > mine) for c in registry
                   if c.group == key and (c.role <= mine
                                          or (owns and c.owner_may and c.item_kind != "question"))]
        if entries:
            sections.append((ctx.t(title), entries))
    ctx.reply("help", sections=sections, known=ctx.person is not None, owns=owns)


def _owned_codes(ctx: Context) -> list[str]:
    """The recommendations this person is responsible for (owners may update them)."""
    if ctx.person is None:
        return []
    from sqlalchemy import select

    from storage.models import Recommendation

    stmt = select(Recommendation.code).where(Recommendation.owner_id == ctx.person.id).order_by(Recommendation.code)
    return list(ctx.uow.session.scalars(stmt).all())


def _may(ctx: Context, command: Command, owned: list[str]) -> bool:
    return ctx.standing.highest() >= command.role or bool(owned)


def _aliases(command: Command) -> list[str]:
    return sorted({a for aliases in command.aliases.values() for a in aliases})


def whoami(ctx: Context) -> None:
    if ctx.person is None:
        ctx.reply("whoami", person=None, sender=ctx.message.sender.id, roles=[], bodies=[])
        return
    memberships = ctx.uow.people.memberships(ctx.person)
    bodies = [(m.body.code, m.body.name, ctx.t(ROLE_NAMES[Role.CHAIR if m.role.value == "chair" else Role.MEMBER]))
              for m in memberships]
    roles = [ctx.t(ROLE_NAMES[ctx.standing.highest()])]
    ctx.reply("whoami", person=ctx.person, sender=ctx.message.sender.id, roles=roles, bodies=bodies,
              language=ctx.locale, timezone=ctx.tz)


def set_language(ctx: Context, language: str) -> None:
    assert ctx.person is not None
    code = {"deutsch": "de", "englisch": "en", "english": "en", "german": "de"}.get(language, language)
    ctx.uow.audit.record(ctx.person, "set_language", "person", ctx.person.handle,
                         old=ctx.person.locale, new=code)
    ctx.person.locale = code
    from bot.privacy.sections import dm_channels

    ctx.uow.subscriptions.reader_language(dm_channels(ctx.person), code)
    ctx.reply("language_set", language=code)


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    registry.register(Command(
        "help", {"de": ("hilfe", "?"), "en": ("help",)}, N_("Show the commands or help on one command."),
        show_help, args=(Arg("command", Text(), {"de": "Befehl", "en": "command"}, required=False,
                             rest=True),),
        role=Role.UNKNOWN, examples=("hilfe empfehlung",)))
    registry.register(Command(
        "whoami", {"de": ("wer bin ich", "werbinich", "ich"), "en": ("whoami", "who am i")},
        N_("Show who I think you are and your roles."), whoami, role=Role.UNKNOWN))
    registry.register(Command(
        "language", {"de": ("sprache",), "en": ("language",)},
        N_("Choose the language I answer you in (de or en)."), set_language,
        args=(Arg("language", Word(("de", "en", "deutsch", "englisch", "english", "german")),
                  {"de": "de|en", "en": "de|en"}),), examples=("sprache en",)))
