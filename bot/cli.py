"""`sachstand` command line: run, db upgrade, import, export, check-config, matrix-identity."""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .cli_words import GermanParser
from .config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from storage.uow import UnitOfWorkFactory

    from .app import App
    from .core.clock import DemoClock

EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_USAGE
    _logging(settings)
    try:
        return int(args.func(settings, args) or 0)
    except ConfigError as exc:  # found while starting, e.g. [general] example_catalog cannot be read
        print(exc.message, file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = GermanParser(prog="sachstand", description="Sachstand – Chat-Ops-Bot für Integrationskonzepte")
    parser.add_argument("--config", metavar="PATH", help="TOML-Konfigurationsdatei (sonst SACHSTAND_CONFIG oder eingebaute Standardwerte)")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="den Bot starten")
    run.add_argument("--at", metavar="ZEITPUNKT",
                     help="Demo-/Testuhr: so tun, als wäre es jetzt z. B. 2027-01-13T17:30 (Ortszeit); "
                          "auf der Konsole stellt „zeit +3d“ oder „zeit 18.03.2027 09:05“ sie vor. "
                          "Nicht mit Matrix oder Slack (Produktivbetrieb).")
    run.set_defaults(func=_run)
    dbp = sub.add_parser("db", help="Datenbank verwalten")
    dbsub = dbp.add_subparsers(dest="db_command", required=True)
    dbsub.add_parser("upgrade", help="Schema anlegen oder aktualisieren").set_defaults(func=_db_upgrade)
    imp = sub.add_parser("import", help="Katalog importieren (YAML, CSV, XLSX)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--no-progress", action="store_true", help="keinen Fortschrittsbalken zeigen")
    imp.add_argument("--prüfen", "--pruefen", "--dry-run", dest="dry_run", action="store_true",
                     help="Probelauf: zeigen, was sich ändern würde, und nichts speichern")
    imp.set_defaults(func=_import)
    exp = sub.add_parser("export", help="Katalog exportieren (YAML, CSV, XLSX)")
    exp.add_argument("file", type=Path)
    exp.set_defaults(func=_export)
    pub = sub.add_parser("publish", help="öffentliche Statusseite als statische Dateien schreiben")
    pub.add_argument("--out", type=Path, required=True, metavar="DIR", help="Zielverzeichnis")
    pub.set_defaults(func=_publish)
    rep = sub.add_parser("report", help="Bericht als PDF (barrierefrei), Word- oder HTML-Datei schreiben")
    rep.add_argument("kind", help="sachstand | halbjahr | beirat | integrationsbericht")
    rep.add_argument("period", help="2026-Q4, 2026-H2, 2026 oder 2025-2026")
    rep.add_argument("--body", help="Gremium (für den Sachstandsbericht), z. B. EG2")
    rep.add_argument("--out", type=Path, required=True, metavar="FILE",
                     help="Zieldatei: .pdf (PDF/UA-1), .docx (Word) oder .html")
    rep.add_argument("--pdf-a", action="store_true", help="PDF/A-3a zur Archivierung statt PDF/UA-1")
    rep.add_argument("--at", metavar="ZEITPUNKT",
                     help="Demo-Uhr wie bei „run --at“: den Bericht schreiben, als wäre es dieser Zeitpunkt")
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
    from .core.clock import ClockError, DemoClock, parse_at
    from .leader import AlreadyRunning

    clock: DemoClock | None = None
    if getattr(args, "at", None):
        live = [name for name, on in (("Matrix", settings.matrix.enabled), ("Slack", settings.slack.enabled)) if on]
        if live:
            print(f"--at ist nur für Demos und Tests: {' und '.join(live)} ist eingeschaltet "
                  "(Produktivbetrieb), dort gilt immer die echte Uhr. Nichts wurde gestartet.", file=sys.stderr)
            return EXIT_USAGE
        try:
            clock = DemoClock(parse_at(args.at, settings.general.timezone))
        except ClockError:
            print(f"--at {args.at!r} ist kein Zeitpunkt; erwartet z. B. 2027-01-13T17:30 oder "
                  "13.01.2027 17:30 (Ortszeit).", file=sys.stderr)
            return EXIT_USAGE
    if not _clock_after_stored_state(settings, clock):
        return EXIT_USAGE

    try:
        app = App(settings, clock=clock) if clock is not None else App(settings)
        _wire_console(app, clock)
        asyncio.run(app.run())
    except AlreadyRunning as exc:
        print(exc, file=sys.stderr)
        return 1
    except OSError as exc:  # e.g. the web port is taken
        import errno

        if exc.errno == errno.EADDRINUSE:
            web = settings.web
            print(f"Sachstand konnte nicht starten: Port {web.port} auf {web.host} ist schon belegt "
                  "(läuft Sachstand schon?). Ein anderer Port: web.port in der Konfiguration oder "
                  "SACHSTAND_WEB__PORT=8081; web.port = 0 wählt einen freien.", file=sys.stderr)
        else:
            print(f"Sachstand konnte nicht starten: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def _clock_after_stored_state(settings: Settings, clock: DemoClock | None) -> bool:
    """A start before what the database already holds (answers, closes, digests dated later)
    would run the bot backwards (finding F24): refused for `--at`, a warning for the real clock."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from storage.models import utcnow

    stored = _stored_until(settings.database.url)
    now = clock() if clock is not None else utcnow()
    if stored is None or now >= stored:
        return True
    local = stored.astimezone(ZoneInfo(settings.general.timezone))
    shown, resume = f"{local:%d.%m.%Y, %H:%M}", (local + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    if clock is None:
        print(f"Warnung: Die Datenbank hält schon Einträge bis {shown} fest, die Uhr dieses Rechners "
              "geht nach. Erinnerungen und Fristen laufen erst wieder, wenn die Uhr diesen Stand "
              "erreicht; bitte die Systemzeit prüfen.", file=sys.stderr)
        return True
    print(f"Nicht gestartet: Die Datenbank hält schon Einträge bis {shown} fest; die Zeit läuft nur "
          f"vorwärts. Weiter mit „--at {resume}“ (oder später) oder von vorn mit einer neuen "
          "Datenbank ([database] url).", file=sys.stderr)
    return False


def _stored_until(url: str) -> datetime | None:
    """The latest moment the database recorded; None for a database that does not exist yet."""
    from sqlalchemy import exc
    from sqlalchemy.engine import make_url

    from storage.db import make_engine, make_session_factory, normalise_url
    from storage.repositories.ops import OpsRepository

    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite" and (not parsed.database or not Path(parsed.database).exists()):
        return None  # do not create the file here: the start does that
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return OpsRepository(session).latest_moment()
    except exc.SQLAlchemyError:  # no schema yet, or not reachable: the start says what is wrong
        return None
    finally:
        engine.dispose()


def _wire_console(app: App, clock: DemoClock | None) -> None:
    """The console prints each line's answers before reading the next, and moves the demo clock."""
    from .transports.console import ConsoleTransport

    console = next((t for t in app.transports if isinstance(t, ConsoleTransport)), None)
    if console is None:
        return
    console.after_line = app.settle
    console.files_dir = app.settings.general.data_dir / "console-files"

    async def on_time(argument: str, speaker: str = "") -> str:
        return await move_time(app, clock, argument, speaker)

    console.on_time = on_time


def _reader(app: App, speaker: str) -> tuple[str, str]:
    """The language and time zone the console's current speaker reads (finding F23: an English
    speaker got German clock lines); the configured ones for a handle nobody has."""
    settings = app.services.settings
    locale: str = settings.general.locale  # a person's may be any of the catalogs' languages
    tz = settings.general.timezone
    if speaker:
        with app.services.uow_factory() as uow:
            person = uow.people.by_identity("console", speaker)
            if person is not None:
                locale, tz = person.locale or locale, person.timezone or tz
    return app.services.translations.normalise(locale), tz


async def move_time(app: App, clock: DemoClock | None, argument: str, speaker: str = "") -> str:
    """`zeit +3d`: move the demo clock, then let the scheduler do at once what fell due meanwhile
    (closing, opening, reminders, timeouts, digests) and deliver it before the next line."""
    from datetime import datetime, time

    from .core.clock import NOW_WORDS, USAGE, ClockError, parse_move
    from .core.commands import N_
    from .core.i18n import Formats

    # the database is read in its one thread (bot/dbthread.py), never on the event loop
    locale, tz = await asyncio.get_running_loop().run_in_executor(app.executor, _reader, app, speaker)
    tr, zone = app.services.translations, app.services.settings.general.timezone
    if clock is None:
        return tr.gettext(locale, N_("The clock can be moved only when the bot was started with "
                                     "“sachstand run --at 2027-01-13T17:30”."))
    if not argument or argument.casefold() in NOW_WORDS:
        return tr.gettext(locale, N_("It is {now}."), now=Formats(locale).datetime(clock(), tz)) + " " + \
            tr.gettext(locale, USAGE)
    try:
        clock.move_to(parse_move(argument, clock(), zone))  # dates typed mean the bot's local time
    except ClockError as exc:
        return tr.gettext(locale, exc.message, **{k: Formats(locale).datetime(v, tz) if isinstance(v, (datetime, time)) else v
                                                  for k, v in exc.values.items()})
    await app.scheduler.run_due()
    await app.settle()
    return tr.gettext(locale, N_("It is now {now}."), now=Formats(locale).datetime(clock(), tz))


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
    from .reports.documents import ReportError, document
    from .reports.formats import for_suffix, produce

    from .core.clock import ClockError, DemoClock, parse_at

    fmt = for_suffix(args.out.suffix, args.pdf_a)
    if fmt is None:
        print(f"Bericht nicht erstellt: „{args.out.name}“ – erlaubt sind .pdf, .docx und .html.", file=sys.stderr)
        return EXIT_USAGE
    try:  # the demo's data lies in the demo's time: its reports are written at that time too
        clock = DemoClock(parse_at(args.at, settings.general.timezone)) if args.at else None
    except ClockError:
        print(f"--at {args.at!r} ist kein Zeitpunkt; erwartet z. B. 2027-04-01T09:00 (Ortszeit).", file=sys.stderr)
        return EXIT_USAGE
    app = App(settings, transports=[], clock=clock) if clock else App(settings, transports=[])
    app.prepare()
    try:
        with app.uow_factory() as uow:
            if args.body and uow.bodies.by_code(args.body.upper()) is None:  # name the actual problem
                codes = ", ".join(sorted(b.code for b in uow.bodies.all()))
                print(f"Bericht nicht erstellt: ein Gremium „{args.body}“ gibt es nicht; vorhanden: {codes}.",
                      file=sys.stderr)
                return EXIT_USAGE
            data = produce(document(app.services, uow, args.kind.lower(), args.period, args.body), fmt)
    except ReportError as exc:
        print(f"Bericht nicht erstellt: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(data)
    except OSError as exc:  # a folder one may not write to, a full disk: a sentence, not a traceback (rep2 F10)
        print(f"Bericht nicht geschrieben: {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"Bericht geschrieben: {args.out} ({len(data) // 1024} KB)")
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

    from sqlalchemy import func, select

    from storage.models import Change

    from .cli_words import dry_run_lines

    factory = _uow_factory(settings)
    try:
        with factory() as uow:
            last = uow.session.scalar(select(func.max(Change.id))) or 0
            report = import_catalog(uow, args.file, progress=False if args.no_progress else None)
            if args.dry_run:  # leaving the unit of work without commit rolls everything back
                changes = uow.session.scalars(select(Change).where(Change.id > last).order_by(Change.id)).all()
                lines = dry_run_lines(settings, uow, changes)  # in words, as `verlauf` shows them
            else:
                uow.commit()
    except CatalogError as exc:
        print(f"Import abgebrochen, nichts wurde geändert ({len(exc.errors)} Fehler):", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    if args.dry_run:
        print(f"Probelauf, nichts wurde gespeichert. So würde der Import wirken: {report.summary()}")
        print("\n".join(lines[:200]) + (f"\n  … und {len(lines) - 200} weitere" if len(lines) > 200 else ""))
        return 0
    print(report.summary())  # German, not the report object (issue #17)
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
    from .redaction import redact_values

    # secrets (SecretStr) are dumped as stars; a password inside a URL is masked here
    print(json.dumps(redact_values(settings.model_dump(mode="json")), indent=2, ensure_ascii=False))
    if settings.web.enabled and (lacking := settings.site.missing()):
        print("Warnung: der öffentlichen Seite fehlt [site] " + "; ".join(lacking) + ".", file=sys.stderr)
    return 0


def _matrix_identity(settings: Settings, args: argparse.Namespace) -> int:
    """The bot's cross-signing identity, read from the store (no homeserver needed)."""
    from .transports.matrix.crosssign import identity_lines

    lines, ok = identity_lines(Path(settings.matrix.store_path), settings.matrix.user_id)
    print("\n".join(lines), file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


def _uow_factory(settings: Settings) -> UnitOfWorkFactory:
    from storage.db import make_engine, make_session_factory, upgrade
    from storage.uow import UnitOfWorkFactory

    upgrade(settings.database.url)
    return UnitOfWorkFactory(make_session_factory(make_engine(settings.database.url)))
