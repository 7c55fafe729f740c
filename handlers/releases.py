"""`freigabe`: coordinators release, edit or withhold what may become public."""
from __future__ import annotations

from datetime import date
from typing import Literal

from bot import release_context, releases
from bot.catalog_edits import CREATIONS, MEASURE
from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import ArgError, Text
from bot.core.commands import Arg, Command, CommandRegistry, N_
from bot.core.context import Context
from bot.core.roles import Role
from storage.models import Release

from .labels import STATUS_LABELS

MAX_PUBLIC = 500
All = Literal["all"]


class Numbers:
    """`3`, `3 5 8` or `alle`."""

    def parse(self, raw: str, today: date) -> list[int] | All:
        words = raw.replace(",", " ").split()
        if [w.casefold() for w in words] in (["alle"], ["all"]):
            return "all"
        if not words or not all(w.isdecimal() and len(w) < 9 for w in words):
            raise ArgError(N_("“{value}” is not a number from the “freigabe” list."), value=raw[:40])
        return [int(w) for w in words]


ATTRIBUTE_LABELS = {"title": N_("Title"), "description": N_("Description"), "time_target": N_("Time target"),
                    "owner": N_("Owner"), "owner_unit": N_("Responsible unit"), "body": N_("Body"),
                    **{f"measure:{attr}": label for attr, label in (
                        ("title", N_("title")), ("status", N_("status")), ("progress", N_("progress")),
                        ("weight", N_("weight")), ("owner", N_("owner")), ("start", N_("start")), ("end", N_("end")),
                        ("budget_planned", N_("budget")), ("budget_spent", N_("spending")), ("staff", N_("staff")))}}


def show_pending(ctx: Context) -> None:
    """Each entry with who reported it when, what the public sees now and after, and its language."""
    ctx.reply("release_pending", entries=release_context.entries(ctx.uow, list(releases.pending(ctx))),
              labels=STATUS_LABELS, attribute_labels=ATTRIBUTE_LABELS)
    from .baseline import tell_waiting  # the imported statuses never released (issue #17)

    tell_waiting(ctx)


def _chosen(ctx: Context, numbers: list[int] | All) -> list[Release] | None:
    items = releases.pending(ctx)
    if isinstance(numbers, str):  # "all"
        return list(items)
    numbers = list(dict.fromkeys(numbers))  # `freigeben 16 16` is one release, counted once (F9)
    by_id = {i.id: i for i in items}
    missing = [n for n in numbers if n not in by_id]
    if missing:
        others = [n for n in numbers if n in by_id]
        if others:  # all or nothing: say so, or 13 and 14 look released
            ctx.notice("{numbers} is not waiting for release, so nothing was done, not with {others} either; "
                       "“freigabe” lists what is.", numbers=", ".join(map(str, missing)),
                       others=", ".join(map(str, others)))
        else:
            ctx.notice("{numbers} is not waiting for release; “freigabe” lists what is.",
                       numbers=", ".join(map(str, missing)))
        return None
    return [by_id[n] for n in numbers]


def _decide(ctx: Context, numbers: list[int] | All, state: str) -> int | None:
    chosen = _chosen(ctx, numbers)
    if chosen is None:
        return None
    for item in chosen:
        releases.decide(ctx, item, state)
    return len(chosen)


def release(ctx: Context, numbers: list[int] | All) -> None:
    if (count := _decide(ctx, numbers, "released")) is not None:
        ctx.notice("Released: {count}. They appear on the public status page.", count=count)


def withhold(ctx: Context, numbers: list[int] | All) -> None:
    if (count := _decide(ctx, numbers, "withheld")) is not None:
        ctx.notice("Withheld: {count}. Nothing of them is published.", count=count)


def edit(ctx: Context, number: list[int] | All, text: str) -> None:
    chosen = _chosen(ctx, number)
    if chosen is None:
        return
    if len(chosen) != 1:
        ctx.notice("Edit one at a time: “freigabe text 3 New wording”.")
        return
    if chosen[0].kind in (MEASURE, *CREATIONS):  # its text is what it changes, not a wording
        ctx.notice("{number} is a change of the catalog, not a text; release or withhold it.", number=chosen[0].id)
        return
    text = text.strip()
    if len(text) > MAX_PUBLIC:
        ctx.notice("That is {length} characters; at most {limit} fit here. Please shorten it.",
                   length=len(text), limit=MAX_PUBLIC)
        return
    old = chosen[0].text
    chosen[0].text = text
    ctx.uow.audit.record(ctx.person, "release_edit", "release", str(chosen[0].id), old=old, new=text)
    ctx.notice("Changed. Release it with “freigeben {number}”.", number=chosen[0].id)


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    numbers = Arg("numbers", Numbers(), {"de": "Nr…|alle", "en": "no…|all"}, rest=True)
    for command in (
        Command("releases", {"de": ("freigabe",), "en": ("releases",)},
                N_("What waits for release to the public: status changes and public summaries."), show_pending,
                role=Role.COORDINATOR, group="follow"),
        Command("release", {"de": ("freigeben",), "en": ("release",)},
                N_("Release items of the “freigabe” list to the public."), release, args=(numbers,),
                role=Role.COORDINATOR, group="follow", examples=("freigeben 3 4", "freigeben alle")),
        Command("withhold", {"de": ("zurückhalten",), "en": ("withhold",)},
                N_("Withhold items of the “freigabe” list: they are never published."), withhold,
                args=(numbers,), role=Role.COORDINATOR, group="follow", examples=("zurückhalten 5",)),
        Command("release_edit", {"de": ("freigabe text",), "en": ("release text",)},
                N_("Change the public wording of an item before releasing it."), edit,
                args=(Arg("number", Numbers(), {"de": "Nr", "en": "no"}),
                      Arg("text", Text(), {"de": "Text", "en": "text"}, rest=True)),
                role=Role.COORDINATOR, group="follow", examples=("freigabe text 3 Zwei Kurse laufen.",)),
    ):
        registry.register(command)
