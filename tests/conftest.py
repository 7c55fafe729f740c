"""Shared fixtures: a fresh database per test on SQLite and on a real PostgreSQL server.

The PostgreSQL server comes from the `pgserver` wheel (PostgreSQL binaries on PyPI), so
`make test` needs nothing but Python; it starts once per test session.
"""
from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.helpers.slack_fake import SlackFake

ROOT = Path(__file__).resolve().parents[1]
_pg_results: dict[str, int] = {"passed": 0, "failed": 0}
_pg_version: list[str] = []


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    import pgserver

    # A private directory, not pytest's numbered basetemp: another pytest session on this
    # machine rotates those away and would delete a running server's data directory.
    pgdata = Path(tempfile.mkdtemp(prefix="sachstand-pg-"))
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    _pg_version.append(server.psql("SHOW server_version;").split("\n")[2].strip())
    yield server
    server.cleanup()
    shutil.rmtree(pgdata, ignore_errors=True)


def _fresh_pg_database(server: object) -> str:
    name = f"t_{uuid.uuid4().hex[:16]}"
    server.psql(f"CREATE DATABASE {name};")  # type: ignore[attr-defined]
    return server.get_uri(name)  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    server = request.getfixturevalue("pg_server")
    request.node.user_properties.append(("pg_version", _pg_version[0]))  # read where reports meet (xdist)
    return _fresh_pg_database(server)


@pytest.fixture
def uow_factory(db_url: str) -> Iterator[object]:
    """A migrated database behind a unit-of-work factory."""
    from storage.db import make_engine, make_session_factory, upgrade
    from storage.uow import UnitOfWorkFactory

    upgrade(db_url)
    engine = make_engine(db_url)
    yield UnitOfWorkFactory(make_session_factory(engine))
    engine.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`make test` runs pytest-xdist workers with `--dist loadgroup`: a file's tests stay on one
    worker (its module fixtures are built once), and all Matrix tests share one, as they share one
    Synapse and one bot process (session fixtures) and build on each other's rooms."""
    for item in items:
        file = item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group("matrix" if "/integration/matrix/" in file else file))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and "postgres" in report.keywords:
        _pg_results["passed" if report.passed else "failed"] += 1
        _pg_version.extend(value for name, value in report.user_properties if name == "pg_version")


def pytest_terminal_summary(terminalreporter: object) -> None:
    if _pg_results["passed"] or _pg_results["failed"]:
        version = _pg_version[0] if _pg_version else "?"
        terminalreporter.write_line(  # type: ignore[attr-defined]
            f"PostgreSQL storage tests: {_pg_results['passed']} passed, {_pg_results['failed']} failed "
            f"against a real PostgreSQL {version} server (pgserver)")


@pytest.fixture
async def fake() -> AsyncIterator[SlackFake]:
    """The local fake of Slack's Web API (and Socket Mode), one per test."""
    from tests.helpers.slack_fake import SlackFake

    server = await SlackFake().start()
    yield server
    await server.stop()
