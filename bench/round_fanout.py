"""Opening a round over many owners (issue #5, "Scale").

Runs the real App on SQLite with a transport that only records, for a body whose
recommendations have 200 and then 2,000 different owners:
- queue_s: from `runde starten` until every owner's prompt is queued in the outbox;
- reply_ms: how long an unrelated person waits for the answer to `hilfe` during the fan-out;
- queries per answer: SQL statements for one answer in an owner's conversation, averaged
  over 20 owners — it must not grow with the size of the round;
- peak_rss_mb: the peak resident memory of this process.

Ends with one line: queue_s=… queries_per_answer_200=… queries_per_answer_2000=… peak_rss_mb=…
Run: .venv/bin/python bench/round_fanout.py  (or `make bench`)
"""
from __future__ import annotations

import asyncio
import resource
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select  # noqa: E402

from bot.app import App  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.core.events import ChannelRef, IncomingMessage, OutgoingMessage, PersonRef  # noqa: E402
from storage.models import (Body, BodyKind, Field, Identity, Person, Recommendation, ReportingLine,  # noqa: E402
                            StatusUpdate)


@dataclass
class RecordingTransport:
    name: str = "console"
    formats: tuple[str, ...] = ("plain",)
    sent: list[OutgoingMessage] = field(default_factory=list)
    connected: bool = True

    async def start(self, dispatch: object) -> None:
        pass

    async def direct_channel(self, user_id: str) -> str:
        return f"dm:{user_id}"

    async def send(self, message: OutgoingMessage) -> str:
        self.sent.append(message)
        await asyncio.sleep(0)  # a real transport awaits the network here
        return str(len(self.sent))

    async def stop(self) -> None:
        pass


def _seed(app: App, owners: int) -> None:
    """A body EG9 reporting to the office, with one recommendation per owner."""
    with app.uow_factory() as uow:
        office = uow.bodies.office()
        concept = uow.catalog.concept()
        assert office is not None and concept is not None
        body = Body(code="EG9", name="Expertengruppe Last", kind=BodyKind.EXPERT_GROUP, cadence_per_year=4)
        fld = Field(concept_id=concept.id, code="HF9", title="Lastfeld", position=9, body=body)
        uow.session.add_all([body, fld, ReportingLine(from_body=body, to_body=office, per_year=4)])
        for i in range(owners):
            person = Person(handle=f"owner{i}", name=f"Owner {i}",
                            identities=[Identity(transport="console", external_id=f"owner{i}")])
            uow.session.add_all([person, Recommendation(field=fld, code=f"HF9-{i + 1:04d}"[:32],
                                                        title=f"Empfehlung {i}", body=body, owner=person)])
        uow.commit()


def _message(user: str, text: str, n: int) -> IncomingMessage:
    return IncomingMessage(ChannelRef("console", f"dm:{user}", True), PersonRef("console", user), text, f"b{n}")


async def _run(owners: int, workdir: Path) -> tuple[float, float, float]:
    db = workdir / f"fanout{owners}.db"
    settings = load_settings(None, {"SACHSTAND_DATABASE__URL": f"sqlite:///{db}",
                                    "SACHSTAND_WEB__ENABLED": "false",
                                    "SACHSTAND_GENERAL__EXAMPLE_CATALOG": str(ROOT / "examples" / "koeln.yaml")})
    transport = RecordingTransport()
    app = App(settings, transports=[transport], clock=lambda: datetime(2026, 11, 23, 9, tzinfo=timezone.utc))
    await app.start()
    await app.settle()
    await app.run_sync(_seed, app, owners)

    start = time.perf_counter()
    await app.dispatch(_message("koordination", "runde starten EG9 frist 15.12.2026", 0))
    fanout = next(t for t in app._background if t.get_name() == "rounds")  # noqa: SLF001 - measuring it
    asked = time.perf_counter()
    await app.dispatch(_message("testmann", "hilfe", 1))  # someone else, while the fan-out runs
    while not any(m.channel and m.channel.id == "dm:testmann" for m in transport.sent):
        await asyncio.sleep(0.001)
    reply_ms = (time.perf_counter() - asked) * 1000  # until the answer was delivered
    await fanout
    queue_s = time.perf_counter() - start
    with app.uow_factory() as uow:
        unprompted = uow.session.scalar(select(func.count()).select_from(StatusUpdate)
                                        .where(StatusUpdate.prompted_at.is_(None)))
    assert unprompted == 0, f"{unprompted} owners were not asked"
    await app.settle()

    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(app.engine, "before_cursor_execute", count)
    sample = range(0, owners, max(1, owners // 20))
    for n, i in enumerate(sample):
        await app.dispatch(_message(f"owner{i}", "2", 100 + n))  # answer the status step
    event.remove(app.engine, "before_cursor_execute", count)
    await app.shutdown()
    return queue_s, reply_ms, statements / len(sample)


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _, _, per_answer_200 = await _run(200, Path(tmp))
        queue_s, reply_ms, per_answer_2000 = await _run(2000, Path(tmp))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"reply to another person during the 2,000-owner fan-out: {reply_ms:.0f} ms")
    print(f"queue_s={queue_s:.2f} queries_per_answer_200={per_answer_200:.1f} "
          f"queries_per_answer_2000={per_answer_2000:.1f} peak_rss_mb={peak:.0f}")


if __name__ == "__main__":
    asyncio.run(main())
