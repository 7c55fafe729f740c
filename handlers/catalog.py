"""Browse the catalog: a recommendation, a field, lists filtered by field, body, owner, status."""
from __future__ import annotations

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import Code, Filters
from bot.core.commands import Arg, Command, CommandRegistry, N_, UsageError
from bot.core.context import Context
from storage.repositories import RecommendationFilter

from .labels import STATUS_LABELS, parse_status

LIST_LIMIT = 40
FILTERS = Filters(
    keys={"feld": "field", "field": "field", "hf": "field", "gremium": "body", "body": "body",
          "verantwortlich": "owner", "owner": "owner", "status": "status"},
    flags={"überfällig": "overdue", "ueberfaellig": "overdue", "overdue": "overdue",
           "meine": "mine", "mine": "mine"})


def view_recommendation(ctx: Context, code: str) -> None:
    rec = ctx.uow.catalog.recommendation(code)
    if rec is None:
        ctx.notice("There is no recommendation {code}. Try “liste” to see them.", code=code)
        return
    ctx.reply("recommendation", rec=rec, status=ctx.t(STATUS_LABELS[rec.status]),
              overdue=rec.is_overdue(ctx.today()), levels=_levels(ctx))


def view_field(ctx: Context, code: str) -> None:
    field = ctx.uow.catalog.field(code)
    if field is None:
        ctx.notice("There is no field of action {code}. Try “felder”.", code=code)
        return
    today = ctx.today()
    recs = [(r, ctx.t(STATUS_LABELS[r.status]), r.is_overdue(today)) for r in field.recommendations]
    ctx.reply("field", field=field, recs=recs, levels=_levels(ctx))


def list_fields(ctx: Context) -> None:
    fields = ctx.uow.catalog.fields()
    concept = ctx.uow.catalog.concept()
    ctx.reply("fields", concept=concept, fields=[(f, len(f.recommendations)) for f in fields],
              levels=_levels(ctx))


def list_recommendations(ctx: Context, filters: dict[str, str] | None = None) -> None:
    flt = _filter(ctx, filters or {})
    total = ctx.uow.catalog.count_recommendations(flt)
    recs = ctx.uow.catalog.recommendations(flt, limit=LIST_LIMIT)
    today = ctx.today()
    rows = [(r, ctx.t(STATUS_LABELS[r.status]), r.is_overdue(today)) for r in recs]
    ctx.reply("recommendation_list", rows=rows, total=total, limit=LIST_LIMIT,
              filters=(filters or {}).get("text", ""))


def my_recommendations(ctx: Context) -> None:
    list_recommendations(ctx, {"mine": "yes", "text": ctx.t("mine")})
    from .meeting_actions import mine  # action items from meetings (issue #16)

    actions = mine(ctx)
    if actions:
        ctx.reply("action_list", rows=actions)


def _filter(ctx: Context, filters: dict[str, str]) -> RecommendationFilter:
    status = None
    if "status" in filters:
        status = parse_status(filters["status"])
        if status is None:
            raise UsageError(ctx.services.registry.commands["list"],
                             N_("“{value}” is not a status. Allowed: {choices}."),
                             {"value": filters["status"][:40],
                              "choices": ", ".join(ctx.t(label) for label in STATUS_LABELS.values())})
    owner = filters.get("owner", "").removeprefix("@") or None
    if "mine" in filters and ctx.person is not None:
        owner = ctx.person.handle
    return RecommendationFilter(field=filters.get("field"), body=filters.get("body"), owner=owner,
                                status=status, overdue_on=ctx.today() if "overdue" in filters else None)


def _levels(ctx: Context) -> dict[str, str]:
    concept = ctx.uow.catalog.concept()
    defaults = {"field": ctx.t("Field of action"), "recommendation": ctx.t("Recommendation"),
                "measure": ctx.t("Measure")}
    if concept and ctx.locale == "de":
        return {**defaults, **concept.levels}
    return defaults


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    code = Arg("code", Code(), {"de": "Code", "en": "code"})
    registry.register(Command(
        "recommendation", {"de": ("empfehlung", "he"), "en": ("recommendation", "rec")},
        N_("Show a recommendation with owner, time target, metrics and measures."),
        view_recommendation, args=(code,), group="catalog", examples=("empfehlung HF2-03",)))
    registry.register(Command(
        "field", {"de": ("feld", "handlungsfeld"), "en": ("field",)},
        N_("Show a field of action and its recommendations."), view_field, args=(code,),
        group="catalog", examples=("feld HF2",)))
    registry.register(Command(
        "fields", {"de": ("felder", "handlungsfelder"), "en": ("fields",)},
        N_("List the fields of action."), list_fields, group="catalog"))
    registry.register(Command(
        "list", {"de": ("liste", "empfehlungen"), "en": ("list", "recommendations")},
        N_("List recommendations, filtered by field, body, owner, status or overdue."),
        list_recommendations,
        args=(Arg("filters", FILTERS, {"de": "Filter", "en": "filters"}, required=False, rest=True),),
        group="catalog",
        examples=("liste feld:HF2", "liste status:verzögert", "liste überfällig", "liste meine",
                  "liste gremium:EG2 verantwortlich:@mueller")))
    registry.register(Command(
        "mine", {"de": ("meine",), "en": ("mine",)}, N_("List the recommendations you own."),
        my_recommendations, group="catalog"))
