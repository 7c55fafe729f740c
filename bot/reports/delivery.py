"""Reports delivered along the reporting lines: when a line's period has ended, its report
goes into the receiving body's room as a tagged PDF (PDF/UA-1; HTML when `digests.report_format`
says so) — once (the ledger), also after downtime. The PDF is kept (report_files): once a
coordinator releases it (`bericht freigeben`), it is an OParl Paper with its File.

An expert group delivers its quarterly Sachstand; a body without recommendations of its own
(the steering group, the office) delivers the report its cadence asks for: yearly → the
Beirat's pack, half-yearly → the half-yearly report, otherwise the report on the state."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core.events import Attachment, ChannelRef
from bot.core.periods import period_of
from bot.jobs import system_context
from storage.models import ReportFile

from .documents import document
from .formats import MIME, produce
from .kinds import kind_for

if TYPE_CHECKING:
    from bot.core.context import Services

log = logging.getLogger(__name__)
GRACE = timedelta(days=14)  # a report missed while the bot was down is still delivered
FILE_NAMES = {"sachstand": "sachstandsbericht", "stand": "bericht-stand", "halbjahr": "halbjahresbericht",
              "beirat": "jahresbericht-beirat"}


def tick(services: Services) -> int:
    """Deliver each line's report for the period that ended last, once, within the grace days."""
    delivered = 0
    with services.uow_factory() as uow:
        ctx = system_context(services, uow, ChannelRef("system", ""), None)
        today = ctx.today()
        for line in uow.bodies.reporting_lines():
            period = period_of(today, line.per_year)
            period = period_of(period.start - timedelta(days=1), line.per_year)  # the last one that ended
            if today - period.due > GRACE:
                continue  # long past (a new installation): not delivered after the fact
            key = f"report:{line.id}:{period.label}"
            if uow.ops.done(key):
                continue
            kind = kind_for(uow, line)
            report = document(services, uow, kind, period.label, line.from_body.code if kind == "sachstand" else None)
            fmt = services.settings.digests.report_format
            data = produce(report, fmt)
            stem = f"{FILE_NAMES[kind]}-{line.from_body.code.lower()}-{period.label}"
            name = f"{stem}.{fmt}"
            # the record, and what a release makes a council paper, is the PDF also when the room
            # gets HTML: with report_format = "html" nothing was listed or releasable (rep2 F12)
            pdf = data if fmt == "pdf" else produce(report, "pdf")
            stored = uow.reports.store(ReportFile(
                kind=kind, period=period.label, title=report.title, reporting_line_id=line.id,
                from_body_id=line.from_body_id, to_body_id=line.to_body_id, file_name=f"{stem}.pdf",
                mime_type=MIME["pdf"], data_state=report.data_state, delivered_at=ctx.now()), pdf)
            uow.flush()
            for room in line.to_body.rooms:
                if room.transport in services.formats:
                    ctx.send(ChannelRef(room.transport, room.room_id), "report_delivered",
                             services.settings.general.locale, line=line, period=period.label, kind=kind,
                             number=stored.id, pdf=fmt == "pdf",
                             attachments=[Attachment(name, MIME[fmt], data)])
            uow.ops.mark_done(key, "report", ctx.now(), ctx.now(), file=name)
            delivered += 1
            log.info("delivered %s to %s", name, line.to_body.code)
        uow.commit()
    return delivered
