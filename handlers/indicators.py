"""`kennzahl CODE`: an indicator's values, its trend and its breakdown by gender and district."""
from __future__ import annotations

from decimal import Decimal

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import Code
from bot.core.commands import Arg, Command, CommandRegistry, N_
from bot.core.context import Context
from bot.core.roles import Role

GENDERS = ("weiblich", "männlich", "divers")


def trend(values: list[tuple[str, Decimal]]) -> tuple[Decimal | None, str]:
    """The change from the previous to the latest period, and its direction (↑ ↓ →)."""
    if len(values) < 2:
        return None, ""
    change = values[-1][1] - values[-2][1]
    return change, "↑" if change > 0 else "↓" if change < 0 else "→"


def show(ctx: Context, code: str) -> None:
    indicator = ctx.uow.catalog.indicator(code)
    if indicator is None:
        codes = ", ".join(sorted(i.code for i in ctx.uow.catalog.indicators()))
        ctx.notice("There is no indicator {code}. Known: {codes}.", code=code, codes=codes or "–")
        return
    totals = [(v.period, v.value) for v in indicator.values if v.gender == "gesamt" and not v.district]
    latest = totals[-1][0] if totals else None
    genders = sorted(((v.gender, v.value) for v in indicator.values
                      if v.period == latest and v.gender in GENDERS and not v.district),
                     key=lambda pair: GENDERS.index(pair[0]))
    districts = [(v.district, v.value) for v in indicator.values if v.period == latest and v.district]
    change, arrow = trend(totals)
    ctx.reply("indicator", indicator=indicator, totals=totals[-6:], latest=latest, genders=genders,
              districts=districts, change=change, arrow=arrow)


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    registry.register(Command(
        "indicator", {"de": ("kennzahl",), "en": ("indicator",)},
        N_("An indicator's values, trend and breakdown by gender and district."), show,
        args=(Arg("code", Code(), {"de": "Kennziffer", "en": "code"}),), role=Role.FOLLOWER, group="catalog",
        examples=("kennzahl K-BIL-01",)))
