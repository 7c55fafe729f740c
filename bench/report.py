"""Digest and Integrationsbericht for a synthetic large city (issue #7, "Benchmarks").

The city: 50 bodies, 2,000 recommendations in 10 fields (one measure each, with budgets),
10 years of quarterly history — per recommendation and quarter a submitted status update
(every fifth names a blocker), a released decision and a change-log entry; 50 reporting lines
with 40 rounds each; 20 indicators with quarterly values by gender (gesamt/weiblich/männlich)
and 200 held meetings. At 10× every count except the 10 years is ten times larger.

Each scale is seeded (bulk inserts through the ORM's tables) in one child process and measured
in a fresh one: `digests.build` for everything plus its chart, and the rendered
Integrationsbericht 2025-2026 (a self-contained HTML file with SVG charts). Measured: wall time
of both together, the measuring process's peak RSS, and the number of SQL statements.

Then the Integrationsbericht in each format (issue #21) — html, pdf (PDF/UA-1), pdfa (PDF/A-3a),
docx — each in a fresh process, for the Köln example with its history (goal: PDF under 2 s) and
the 1× city: wall and CPU time of building and writing the file (the first in its process, as
the command line does), and the process's peak RSS.

Ends with one line: seconds=… peak_rss_mb=… queries_1x=… queries_10x=… pdf_seconds_koeln=…
(seconds and peak_rss_mb at 1×; goals: under 2 s and 300 MB; the query count must not grow).
The per-scale lines also give the measuring process's CPU time and the load average: on a
machine shared with other work the wall time follows the load, the CPU time hardly.
Run: .venv/bin/python bench/report.py  (or `make bench`); `--formats-only` for the formats alone.
"""
from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
YEARS = 10
STATUSES = ["not_started", "in_progress", "delayed", "blocked", "done"]


def _settings(db: str):  # noqa: ANN202
    from bot.config import load_settings

    return load_settings(None, {"SACHSTAND_DATABASE__URL": f"sqlite:///{db}", "SACHSTAND_WEB__ENABLED": "false",
                                "SACHSTAND_GENERAL__EXAMPLE_CATALOG": ""})


def seed(db: str, scale: int) -> None:
    from sqlalchemy import insert

    from storage.db import make_engine, upgrade
    from storage.models import (Body, Change, Concept, Field, Indicator, IndicatorValue, Measure, Meeting,
                                Recommendation, Release, ReportingLine, Round, StatusUpdate)

    upgrade(f"sqlite:///{db}")
    engine = make_engine(f"sqlite:///{db}")
    rnd = random.Random(7)
    bodies, recs, indicators = 50 * scale, 2000 * scale, 20 * scale
    quarters = [(2017 + q // 4, q % 4 + 1) for q in range(4 * YEARS)]
    stamp = datetime(2016, 1, 1, tzinfo=timezone.utc)

    def chunks(rows, size=20_000):  # noqa: ANN001, ANN202
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch

    with engine.begin() as conn:
        def put(model, rows) -> None:  # noqa: ANN001
            for batch in chunks(rows):
                conn.execute(insert(model), batch)

        put(Concept, [{"id": 1, "code": "grossstadt", "title": "Integrationskonzept Großstadt", "city": "Großstadt"}])
        put(Body, ({"id": b + 1, "code": f"G{b + 1}", "name": f"Gremium {b + 1}",
                    "kind": "office" if b == 0 else "expert_group", "coordinating": b == 0} for b in range(bodies)))
        put(Field, ({"id": f + 1, "concept_id": 1, "code": f"HF{f + 1}", "title": f"Handlungsfeld {f + 1}",
                     "position": f} for f in range(10)))
        put(Recommendation, ({"id": r + 1, "field_id": r % 10 + 1, "code": f"E{r + 1}", "title": f"Empfehlung {r + 1}",
                              "body_id": r % bodies + 1, "owner_unit": "Amt", "status": rnd.choice(STATUSES),
                              "progress": rnd.randint(0, 100),
                              "time_target": date(2020, 1, 1) + timedelta(days=rnd.randint(0, 3650))}
                             for r in range(recs)))
        put(Measure, ({"id": r + 1, "recommendation_id": r + 1, "code": f"M{r + 1}", "title": f"Maßnahme {r + 1}",
                       "budget_planned": Decimal(rnd.randint(1000, 90000)), "budget_spent": Decimal(rnd.randint(0, 900)),
                       "staff": Decimal("0.5"), "progress": rnd.randint(0, 100)} for r in range(recs)))
        put(ReportingLine, ({"id": b + 1, "from_body_id": b + 1, "to_body_id": 1, "per_year": 4} for b in range(bodies)))
        put(Round, ({"id": b * len(quarters) + i + 1, "reporting_line_id": b + 1, "period": f"{y}-Q{q}",
                     "opens_at": datetime(y, 3 * q - 2, 1, tzinfo=timezone.utc),
                     "due_at": datetime(y, 3 * q, 15, tzinfo=timezone.utc), "state": "closed",
                     "closed_at": datetime(y, 3 * q, 16, tzinfo=timezone.utc), "result": {}}
                    for b in range(bodies) for i, (y, q) in enumerate(quarters)))

        def history():  # noqa: ANN202
            for i, (y, q) in enumerate(quarters):
                at = datetime(y, 3 * q, 10, tzinfo=timezone.utc)
                for r in range(recs):
                    yield i, at, r

        put(StatusUpdate, ({"round_id": (r % bodies) * len(quarters) + i + 1, "recommendation_id": r + 1,
                            "state": "submitted", "status": STATUSES[(r + i) % 5], "progress": min(100, 3 * i),
                            "happened": "Es ging voran.", "next_steps": "Weiter so.",
                            "blockers": "Es fehlt Personal." if (r + i) % 5 == 0 else "",
                            "public_summary": "Läuft.", "submitted_at": at, "created_at": at, "updated_at": at}
                           for i, at, r in history()))
        put(Release, ({"kind": "status", "recommendation_id": r + 1, "text": "Läuft.", "status": STATUSES[(r + i) % 5],
                       "progress": min(100, 3 * i), "state": "released", "decided_at": at, "created_at": at,
                       "updated_at": at} for i, at, r in history()))
        put(Change, ({"recommendation_id": r + 1, "at": at, "field_name": "status", "old": STATUSES[(r + i - 1) % 5],
                      "new": STATUSES[(r + i) % 5], "source": "round"} for i, at, r in history()))
        put(Indicator, ({"id": k + 1, "code": f"K{k + 1}", "name": f"Kennzahl {k + 1}", "unit": "%"}
                        for k in range(indicators)))
        put(IndicatorValue, ({"indicator_id": k + 1, "period": f"{y}-Q{q}", "gender": g,
                              "value": Decimal(rnd.randint(100, 900)) / 10}
                             for k in range(indicators) for (y, q) in quarters for g in ("gesamt", "weiblich", "männlich")))
        put(Meeting, ({"body_id": m % bodies + 1, "title": f"Sitzung {m + 1}",
                       "starts_at": stamp + timedelta(days=18 * m), "ends_at": stamp + timedelta(days=18 * m, hours=2),
                       "state": "held", "uid": f"bench-{m}@sachstand"} for m in range(200 * scale)))
    engine.dispose()


def measure(db: str) -> dict[str, float]:
    from sqlalchemy import event

    from bot import digests
    from bot.app import App
    from bot.reports import charts
    from bot.reports.documents import render

    app = App(_settings(db), transports=[], clock=lambda: NOW)
    queries = [0]
    event.listen(app.engine, "before_cursor_execute", lambda *a: queries.__setitem__(0, queries[0] + 1))
    start, cpu = time.perf_counter(), time.process_time()
    with app.uow_factory() as uow:
        data = digests.build(uow, "all", "", None, NOW.date(), NOW)
        png = charts.png(charts.progress_by_field([f.code for f in data.fields], [f.progress for f in data.fields],
                                                  "Fortschritt"))
        digest_queries = queries[0]
        html = render(app.services, uow, "integrationsbericht", "2025-2026")
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    assert len(data.fields) == 10 and png and "<svg" in html and "Integrationsbericht" in html
    app.engine.dispose()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_rss_mb": rss, "queries": queries[0], "digest_queries": digest_queries,
            "html_kb": len(html.encode()) / 1024}


FORMATS = ("html", "pdf", "pdfa", "docx")


def measure_format(db: str, fmt: str, example: bool) -> dict[str, float]:
    from bot.app import App
    from bot.reports.documents import document
    from bot.reports.formats import produce

    settings = _settings(db)
    if example:
        from bot.config import load_settings

        settings = load_settings(None, {"SACHSTAND_DATABASE__URL": f"sqlite:///{db}", "SACHSTAND_WEB__ENABLED": "false",
                                        "SACHSTAND_GENERAL__EXAMPLE_CATALOG": str(ROOT / "examples" / "koeln.yaml")})
    app = App(settings, transports=[], clock=lambda: NOW)
    if example:
        app.prepare()
    start, cpu = time.perf_counter(), time.process_time()
    with app.uow_factory() as uow:
        data = produce(document(app.services, uow, "integrationsbericht", "2025-2026"), fmt)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    app.engine.dispose()
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "kb": len(data) / 1024,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def formats(tmp: str, city_db: str) -> dict[str, dict[str, float]]:
    example_db = f"{tmp}/koeln.db"
    results = {}
    for label, db, example in (("Köln", example_db, True), ("1× city", city_db, False)):
        for fmt in FORMATS:
            out = subprocess.run([sys.executable, __file__, "--format", db, fmt, "1" if example else "0"], check=True,
                                 capture_output=True, text=True, cwd=ROOT).stdout
            results[f"{label}:{fmt}"] = r = json.loads(out.strip().splitlines()[-1])
            print(f"Integrationsbericht {label:<8} {fmt:<5} {r['seconds']:.2f} s (CPU {r['cpu_seconds']:.2f} s; "
                  f"load average {os.getloadavg()[0]:.1f}), peak_rss_mb={r['peak_rss_mb']:.0f}, {r['kb']:.0f} KB",
                  flush=True)
    return results


def main() -> None:
    if sys.argv[1:2] == ["--format"]:
        print(json.dumps(measure_format(sys.argv[2], sys.argv[3], sys.argv[4] == "1")))
        return
    if sys.argv[1:2] == ["--seed"]:
        seed(sys.argv[2], int(sys.argv[3]))
        return
    if sys.argv[1:2] == ["--formats-only"]:  # the formats alone, on the example and the 1× city
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, __file__, "--seed", f"{tmp}/city1.db", "1"], check=True)
            files = formats(tmp, f"{tmp}/city1.db")
        print(f"pdf_seconds_koeln={files['Köln:pdf']['seconds']:.2f}")
        return
    if sys.argv[1:2] == ["--measure"]:
        print(json.dumps(measure(sys.argv[2])))
        return
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for scale in (1, 10):
            db = f"{tmp}/city{scale}.db"
            started = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--seed", db, str(scale)], check=True)
            seeded = time.perf_counter() - started
            out = subprocess.run([sys.executable, __file__, "--measure", db], check=True, capture_output=True,
                                 text=True).stdout
            results[scale] = r = json.loads(out.strip().splitlines()[-1])
            print(f"{scale:>2}×: seeded in {seeded:.0f} s; digest + Integrationsbericht {r['seconds']:.2f} s "
                  f"(CPU {r['cpu_seconds']:.2f} s; load average {os.getloadavg()[0]:.1f}), "
                  f"peak_rss_mb={r['peak_rss_mb']:.0f}, queries={r['queries']} (digest {r['digest_queries']}), "
                  f"report {r['html_kb']:.0f} KB", flush=True)
        files = formats(tmp, f"{tmp}/city1.db")
    one = results[1]
    print(f"seconds={one['seconds']:.2f} peak_rss_mb={one['peak_rss_mb']:.0f} "
          f"queries_1x={one['queries']} queries_10x={results[10]['queries']} "
          f"pdf_seconds_koeln={files['Köln:pdf']['seconds']:.2f}")


if __name__ == "__main__":
    main()
