"""`berichte` and `bericht freigeben 3`: the reports delivered along the reporting lines, and
their release to the council information system (OParl Paper with its PDF) — nothing of them
is public before a coordinator releases it."""
from __future__ import annotations

from sqlalchemy import select

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import Number
from bot.core.commands import Arg, Command, CommandRegistry, N_
from bot.core.context import Context
from bot.core.roles import Role
from storage.models import Recommendation, Release, ReportFile

from .privacy import YesNo


def list_reports(ctx: Context) -> None:
    ctx.reply("report_files", files=list(ctx.uow.reports.all()))


def release_report(ctx: Context, number: int, confirm: bool | None = None) -> None:
    """Publishes the file exactly as it went to the receiving body, so the office first reads what
    that means (the round's answers word for word, statuses not yet released on the site) and
    confirms with “ja” (finding F10 of the reports' read)."""
    found = ctx.uow.reports.get(number)
    if found is None:
        ctx.notice("No delivered report has the number {number}; “reports” lists them.", number=number)
        return
    if found.released_at is not None:
        ctx.notice("Report {number} is public already.", number=number)
        return
    if confirm is None:
        ctx.notice("Report {number} ({title}) would become public exactly as it went to {body}: with the round's "
                   "answers word for word and the state of every recommendation, also what the public site does "
                   "not show yet. “release report {number} yes” publishes it; “release report {number} no” keeps "
                   "it internal.", number=number, title=found.title, body=found.to_body.name)
        if withheld := _withheld_in(ctx, found):  # a decision "never publish" would be overridden (rep2 F4)
            ctx.notice("It also states what the office withheld from the public site: {codes}.",
                       codes=", ".join(withheld))
        return
    if not confirm:
        ctx.notice("Report {number} stays internal.", number=number)
        return
    ctx.uow.reports.release(found, ctx.now(), ctx.person.id if ctx.person else None)
    ctx.uow.audit.record(ctx.person, "report_release", "report_file", str(found.id), new={"file": found.file_name})
    ctx.notice("Report {number} released: it is now a council paper with its PDF (OParl).", number=number)


def _withheld_in(ctx: Context, found: ReportFile) -> list[str]:
    """The codes of withheld reports about recommendations this report covers, made before it."""
    rows = ctx.uow.session.execute(
        select(Recommendation.code, Recommendation.body_id).join(Release, Release.recommendation_id == Recommendation.id)
        .where(Release.state == "withheld", Release.created_at <= found.data_state)).all()
    one_body = found.kind == "sachstand"
    return sorted({code for code, body_id in rows if not one_body or body_id == found.from_body_id})


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    registry.register(Command("report_files", {"de": ("berichte",), "en": ("reports",)},
                         N_("The reports delivered along the reporting lines, and whether they are public."),
                         list_reports, role=Role.COORDINATOR, group="follow"))
    registry.register(Command("report_release", {"de": ("bericht freigeben",), "en": ("release report",)},
                         N_("Publish a delivered report as a council paper (OParl) with its PDF."), release_report,
                         args=(Arg("number", Number(message=N_("“{value}” is not a number from the “reports” list.")),
                                   {"de": "Nr", "en": "no"}),
                               Arg("confirm", YesNo(), {"de": "ja|nein", "en": "yes|no"}, required=False)),
                         role=Role.COORDINATOR, group="follow", examples=("bericht freigeben 3 ja",)))
