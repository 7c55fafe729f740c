"""Meetings (issue #6): planning and the calendar feed at size.

- plan_ms: `candidates()` for a whole year (every working day checked against the NRW holidays,
  40 busy meetings and 60 absence days), median of 20 runs;
- feed_ms / feed_kb: building /calendar/all.ics for 1,000 meetings (5 agenda items each) on SQLite;
- baseline_ms: serialising the same 1,000 meetings from memory (no database): the iCalendar cost alone.

Ends with one line: plan_ms=… feed_ms=… feed_kb=… baseline_ms=…
Run: .venv/bin/python bench/meetings.py  (or `make bench`)
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from bot.config import load_settings  # noqa: E402
from bot.core.context import Services  # noqa: E402
from bot.meetings import ics  # noqa: E402
from bot.meetings.feeds import build_feed  # noqa: E402
from bot.meetings.slots import candidates  # noqa: E402
from storage import db  # noqa: E402
from storage.models import AgendaItem, Body, BodyKind, Meeting  # noqa: E402
from storage.uow import UnitOfWorkFactory  # noqa: E402

UTC = timezone.utc


def bench_plan() -> float:
    busy = [(datetime(2027, 1, 4, 8, tzinfo=UTC) + timedelta(days=9 * i),
             datetime(2027, 1, 4, 15, tzinfo=UTC) + timedelta(days=9 * i)) for i in range(40)]
    absent = [date(2027, 7, 1) + timedelta(days=i) for i in range(60)]
    runs = []
    for _ in range(20):
        t0 = time.perf_counter()
        candidates(date(2027, 1, 1), date(2027, 12, 31), tz="Europe/Berlin", hours=(dtime(9), dtime(16)),
                   minutes=90, count=5, busy=busy, absent=absent)
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def bench_feed(tmp: Path) -> tuple[float, int, float]:
    url = f"sqlite:///{tmp / 'bench.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    uow_factory = UnitOfWorkFactory(db.make_session_factory(engine))
    with uow_factory() as uow:
        bodies = [Body(code=f"B{i}", name=f"Gremium {i}", kind=BodyKind.EXPERT_GROUP) for i in range(10)]
        uow.session.add_all(bodies)
        uow.flush()
        for n in range(1000):
            start = datetime(2027, 1, 1, 9, tzinfo=UTC) + timedelta(hours=7 * n)
            meeting = Meeting(body_id=bodies[n % 10].id, title=f"Sitzung {n}", starts_at=start,
                              ends_at=start + timedelta(minutes=90), place="Rathaus", state="invited",
                              uid=f"{uuid.uuid4()}@bench")
            meeting.agenda = [AgendaItem(position=i, title=f"TOP {i}", public=i % 2 == 0, state="accepted")
                              for i in range(1, 6)]
            uow.session.add(meeting)
        uow.commit()
    settings = load_settings(None, {"SACHSTAND_DATABASE__URL": url})
    services = Services(settings, uow_factory, None, None, None, None)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    data = build_feed(services, "all")
    feed_ms = (time.perf_counter() - t0) * 1000
    assert data is not None and data.count(b"BEGIN:VEVENT") == 1000
    objects = []
    for n in range(1000):  # the same meetings, in memory: what serialising alone costs
        start = datetime(2027, 1, 1, 9, tzinfo=UTC) + timedelta(hours=7 * n)
        m = Meeting(body_id=1, title=f"Sitzung {n}", starts_at=start, ends_at=start + timedelta(minutes=90),
                    place="Rathaus", online_url="", state="invited", uid=f"{n}@bench", sequence=0)
        m.agenda = [AgendaItem(position=i, title=f"TOP {i}", public=i % 2 == 0, state="accepted")
                    for i in range(1, 6)]
        objects.append(m)
    t0 = time.perf_counter()
    ics.feed(objects, "bench", "Europe/Berlin", datetime.now(UTC))
    baseline_ms = (time.perf_counter() - t0) * 1000
    engine.dispose()
    return feed_ms, len(data) // 1024, baseline_ms


def main() -> None:
    plan_ms = bench_plan()
    with tempfile.TemporaryDirectory() as tmp:
        feed_ms, feed_kb, baseline_ms = bench_feed(Path(tmp))
    print(f"plan_ms={plan_ms:.1f} feed_ms={feed_ms:.0f} feed_kb={feed_kb} baseline_ms={baseline_ms:.0f}")


if __name__ == "__main__":
    main()
