"""One meaning of an empty cell in a recommendation list (issue #17, deliver 8): empty = unchanged
for every column, `-` clears an optional value; before, an empty owner or time target silently
cleared them while an empty status meant unchanged and an empty title was an error."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from storage.catalog_io import CatalogError, import_catalog
from storage.db import make_engine, make_session_factory, upgrade
from storage.uow import UnitOfWorkFactory

ROOT = Path(__file__).resolve().parents[2]
HEADER = "Code;Titel;Handlungsfeld;Gremium;Verantwortlich;Organisationseinheit;Zeitziel;Status;Fortschritt"


@pytest.fixture
def factory(tmp_path: Path) -> UnitOfWorkFactory:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    upgrade(url)
    uows = UnitOfWorkFactory(make_session_factory(make_engine(url)))
    with uows() as uow:
        import_catalog(uow, ROOT / "examples" / "koeln.yaml", progress=False)
        uow.commit()
    return uows


def _load(factory: UnitOfWorkFactory, path: Path, rows: list[str]) -> None:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    with factory() as uow:
        import_catalog(uow, path, progress=False)
        uow.commit()


def _rec(factory: UnitOfWorkFactory, code: str) -> tuple[str | None, date | None, str, str, int]:
    with factory() as uow:
        rec = uow.catalog.recommendation(code)
        assert rec is not None
        return (rec.owner.handle if rec.owner else None, rec.time_target, rec.title, rec.status.value, rec.progress)


def test_empty_cells_leave_everything_as_it_is(factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    before = _rec(factory, "HF2-04")
    _load(factory, tmp_path / "leer.csv", ["HF2-04;;;;;;;;"])
    assert _rec(factory, "HF2-04") == before and before[0] == "testmann" and before[1] is not None


def test_a_dash_clears_an_optional_value(factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    _load(factory, tmp_path / "strich.csv", ["HF2-04;;;;-;;-;;"])
    owner, target, title, _, _ = _rec(factory, "HF2-04")
    assert owner is None and target is None and title.startswith("Arbeitsmarktintegration")


@pytest.mark.parametrize("column", [1, 2, 7, 8])  # title, field, status, progress
def test_a_dash_where_a_value_is_required_is_refused_with_the_row(
        factory: UnitOfWorkFactory, tmp_path: Path, column: int) -> None:
    cells = ["HF2-04", "", "", "", "", "", "", "", ""]
    cells[column] = "-"
    with pytest.raises(CatalogError) as caught:
        _load(factory, tmp_path / "pflicht.csv", [";".join(cells)])
    assert any("Zeile 2" in e and "lässt sich nicht leeren" in e for e in caught.value.errors)


def test_a_second_citys_handle_does_not_overwrite_another_person(factory: UnitOfWorkFactory) -> None:
    """Issue #17: importing Oberhausen's example overwrote Köln's coordinator (both `koordination`)."""
    with factory() as uow, pytest.raises(CatalogError) as caught:
        import_catalog(uow, ROOT / "examples" / "oberhausen.yaml", progress=False)
    assert any("@koordination ist in der Datenbank Interkulturelles Referat" in e and "Zeile" in e
               for e in caught.value.errors)
    with factory() as uow:
        assert uow.people.by_handle("koordination").name.startswith("Interkulturelles")  # type: ignore[union-attr]


def test_a_dry_run_shows_what_would_change_and_saves_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import main

    for key in [k for k in __import__("os").environ if k.startswith("SACHSTAND_")]:
        monkeypatch.delenv(key)
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "d.db"}"\n[logging]\nlevel = "WARNING"\n',
                      encoding="utf-8")
    assert main(["--config", str(config), "import", str(ROOT / "examples" / "koeln.yaml"), "--no-progress"]) == 0
    assert "396 angelegt" in capsys.readouterr().out  # a German summary, not a Python repr
    sheet = tmp_path / "t.csv"
    sheet.write_text(f"{HEADER}\nHF2-04;;;;-;;31.12.2027;;\n", encoding="utf-8")
    for _ in range(2):  # the second dry run sees the same: the first saved nothing
        assert main(["--config", str(config), "import", str(sheet), "--prüfen", "--no-progress"]) == 0
        out = capsys.readouterr().out
        assert "Probelauf, nichts wurde gespeichert" in out and "1 geändert" in out
        assert "HF2-04: Verantwortlich Paul Testmann → –" in out and "HF2-04: Zeitziel 30.09.2026 → 31.12.2027" in out
