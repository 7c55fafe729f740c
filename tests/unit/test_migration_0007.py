"""Migration 0007 (issue #16): existing agenda items get stable numbers in the order they had,
the standing item is marked, meetings are numbered per body; down and up again works."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from storage.db import alembic_config, make_engine, upgrade


def _downgrade(url: str, revision: str) -> None:
    from alembic import command

    engine = make_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
    engine.dispose()


def test_0007_numbers_existing_items_and_meetings(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0006b")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO bodies (id, code, name, kind, description, coordinating, cadence_per_year,"
                          " cadence_minimum, created_at, updated_at) VALUES (1, 'EG2', 'Arbeit', 'expert_group',"
                          " '', 0, 4, 0, '2026-01-01', '2026-01-01')"))
        for mid, start in ((1, "2026-03-01 10:00:00"), (2, "2026-06-01 10:00:00")):
            conn.execute(text("INSERT INTO meetings (id, body_id, title, starts_at, ends_at, place, online_url,"
                              " state, uid, sequence, minutes, created_at, updated_at) VALUES (:id, 1, 'EG2',"
                              " :s, :s, '', '', 'held', :uid, 0, '', '2026-01-01', '2026-01-01')"),
                         {"id": mid, "s": start, "uid": f"u{mid}"})
        for iid, pos, title in ((1, 2, "Forum"), (2, 1, "Sachstand der Empfehlungen"), (3, 3, "Haushalt")):
            conn.execute(text("INSERT INTO agenda_items (id, meeting_id, position, title, public, state, result,"
                              " created_at, updated_at) VALUES (:id, 2, :p, :t, 0, 'accepted', '',"
                              " '2026-01-01', '2026-01-01')"), {"id": iid, "p": pos, "t": title})
    engine.dispose()

    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        items = conn.execute(text("SELECT title, number, kind FROM agenda_items ORDER BY number")).all()
        assert [tuple(r) for r in items] == [("Sachstand der Empfehlungen", 1, "standing"), ("Forum", 2, ""),
                                             ("Haushalt", 3, "")]
        assert [r[0] for r in conn.execute(text("SELECT number FROM meetings ORDER BY id"))] == [1, 2]
        assert conn.execute(text("SELECT COUNT(*) FROM action_items")).scalar() == 0
    engine.dispose()

    _downgrade(url, "0006b")
    upgrade(url)
