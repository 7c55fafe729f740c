"""`sachstand` command line: run, db upgrade, import, export, check-config, matrix-identity."""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from .config import ConfigError, Settings, load_settings

EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_USAGE
    _logging(settings)
    return int(args.func(settings, args) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sachstand", description="Sachstand – Chat-Ops-Bot für Integrationskonzepte")
    parser.add_argument("--config", metavar="PATH", help="TOML-Konfigurationsdatei (sonst SACHSTAND_CONFIG oder eingebaute Standardwerte)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="den Bot starten").set_defaults(func=_run)
    dbp = sub.add_parser("db", help="Datenbank verwalten")
    dbsub = dbp.add_subparsers(dest="db_command", required=True)
    dbsub.add_parser("upgrade", help="Schema anlegen oder aktualisieren").set_defaults(func=_db_upgrade)
    imp = sub.add_parser("import", help="Katalog importieren (YAML, CSV, XLSX)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--no-progress", action="store_true", help="keinen Fortschrittsbalken zeigen")
    imp.set_defaults(func=_import)
    exp = sub.add_parser("export", help="Katalog exportieren (YAML, CSV, XLSX)")
    exp.add_argument("file", type=Path)
    exp.set_defaults(func=_export)
    pub = sub.add_parser("publish", help="öffentliche Statusseite als statische Dateien schreiben")
    pub.add_argument("--out", type=Path, required=True, metavar="DIR", help="Zielverzeichnis")
    pub.set_defaults(func=_publish)
    rep = sub.add_parser("report", help="Bericht als druckbare HTML-Datei schreiben")
    rep.add_argument("kind", help="sachstand | halbjahr | beirat | integrationsbericht")
    rep.add_argument("period", help="2026-Q4, 2026-H2, 2026 oder 2025-2026")
    rep.add_argument("--body", help="Gremium (für den Sachstandsbericht), z. B. EG2")
    rep.add_argument("--out", type=Path, required=True, metavar="FILE", help="Zieldatei (.html)")
    rep.set_defaults(func=_report)
    sub.add_parser("check-config", help="Konfiguration prüfen und zeigen").set_defaults(func=_check)
    sub.add_parser("matrix-identity", help="Fingerabdruck des Matrix-Hauptschlüssels zeigen (zum Veröffentlichen)"
                   ).set_defaults(func=_matrix_identity)
    sub.add_parser("permissions", help="Rechtetabelle (Befehl × Rolle) als Markdown ausgeben").set_defaults(
        func=_permissions)
    return parser


def _logging(settings: Settings) -> None:
    from .logging_setup import configure

    configure(settings.logging.level, settings.logging.format)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from .app import App

    try:
        asyncio.run(App(settings).run())
    except OSError as exc:  # e.g. the web port is taken
        print(f"Sachstand konnte nicht starten: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def _publish(settings: Settings, args: argparse.Namespace) -> int:
    from .app import App
    from .public.export import export

    app = App(settings, transports=[])
    app.prepare()
    count = export(app, args.out)
    print(f"{count} Dateien nach {args.out} geschrieben.")
    return 0


def _report(settings: Settings, args: argparse.Namespace) -> int:
    from .app import App
    from .reports.documents import ReportError, render

    app = App(settings, transports=[])
    app.prepare()
    try:
        with app.uow_factory() as uow:
            html = render(app.services, uow, args.kind.lower(), args.period, args.body)
    except ReportError as exc:
        print(f"Bericht nicht erstellt: {exc}", file=sys.stderr)
        return EXIT_USAGE
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(html, encoding="utf-8")
    print(f"Bericht geschrieben: {args.out} ({len(html) // 1024} KB)")
    return 0


def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from storage.db import upgrade

    from .leader import exclusive_sync

    with exclusive_sync(settings.database.url, settings.cluster.lock_key):  # one machine at a time
        upgrade(settings.database.url)
    print("Datenbank ist auf dem neuesten Stand.")
    return 0


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from storage.catalog_io import CatalogError, import_catalog

    factory = _uow_factory(settings)
    try:
        with factory() as uow:
            report = import_catalog(uow, args.file, progress=False if args.no_progress else None)
            uow.commit()
    except CatalogError as exc:
        print(f"Import abgebrochen, nichts wurde geändert ({len(exc.errors)} Fehler):", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    print(report)
    return 0


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from storage.catalog_io import export_catalog

    with _uow_factory(settings)() as uow:
        count = export_catalog(uow, args.file)
    print(f"{count} Einträge nach {args.file} geschrieben.")
    return 0


def _permissions(settings: Settings, args: argparse.Namespace) -> int:
    from .permissions import markdown, registry

    print(markdown(registry()))
    return 0


def _check(settings: Settings, args: argparse.Namespace) -> int:
    print(json.dumps(settings.model_dump(mode="json"), indent=2, ensure_ascii=False))
    return 0


def _matrix_identity(settings: Settings, args: argparse.Namespace) -> int:
    """The bot's cross-signing identity, read from the store (no homeserver needed)."""
    from .transports.matrix.crosssign import identity_lines

    lines, ok = identity_lines(Path(settings.matrix.store_path), settings.matrix.user_id)
    print("\n".join(lines), file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


def _uow_factory(settings: Settings):  # type: ignore[no-untyped-def]
    from storage.db import make_engine, make_session_factory, upgrade
    from storage.uow import UnitOfWorkFactory

    upgrade(settings.database.url)
    return UnitOfWorkFactory(make_session_factory(make_engine(settings.database.url)))
