"""PostgreSQL restarted under a running bot (issue #9, point 4): the bot says so (log and
/healthz 503), holds what people send meanwhile without acknowledging it (Slack delivers it
again), and after the restart handles every message once — nothing lost, nothing twice, no
traceback.

The bot is `sachstand run` in its own process (Slack over HTTP against the fake of Slack) on
a PostgreSQL server of its own (pgserver), so stopping it does not disturb other tests.
"""
from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_process import SlackBotProcess, dm

from tests.helpers.slack_app import ERSATZ, KOORDINATION, TESTMANN
from tests.helpers.slack_fake import SlackFake

pytestmark = pytest.mark.postgres


class PgServer:
    """A private pgserver instance that can be stopped and started again on the same data."""

    def __init__(self) -> None:
        import pgserver

        self.dir = Path(tempfile.mkdtemp(prefix="sachstand-pgrestart-"))
        self.server = pgserver.get_server(self.dir, cleanup_mode="stop")

    def stop(self) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user, timeout=60)

    def start(self) -> None:
        self.server.ensure_postgres_running()  # same data directory, same socket

    def database(self, name: str) -> str:
        self.server.psql(f"CREATE DATABASE {name};")
        return str(self.server.get_uri(name))

    def close(self) -> None:
        self.server.cleanup()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def pg() -> Iterator[PgServer]:
    server = PgServer()
    yield server
    server.close()


def _is_help(text: str) -> bool:
    return "Sachstand – Befehle" in text or "Sachstand – commands" in text


async def test_postgresql_restarted_every_message_is_handled_once(tmp_path: Path, pg: PgServer) -> None:
    fake = await SlackFake().start()
    bot = SlackBotProcess(tmp_path, fake, pg.database("restart"))
    try:
        await bot.start()
        assert await bot.say(TESTMANN, "hilfe", "Ev0BEFORE") == 200
        await fake.wait_for(lambda _: bot.posted(dm(TESTMANN)), timeout=60)

        await asyncio.to_thread(pg.stop)
        health = await bot.wait_health(False, timeout=60)
        assert health["database"] is False and health["status"] == "degraded"  # 503, and says why
        people = (TESTMANN, ERSATZ, KOORDINATION)
        sent = []
        for n, user in enumerate(people):  # while the database is down: Slack delivers, and retries
            sent.append(asyncio.create_task(bot.say(user, "wer bin ich", f"Ev0DOWN{n}")))
            await asyncio.sleep(0.5)
        sent.append(asyncio.create_task(bot.say(ERSATZ, "hilfe", "Ev0DOWNHELP")))  # after ersatz's first
        await asyncio.sleep(4)  # the bot finds the database away: it holds the events, acknowledges none
        assert "database unavailable" in bot.log_text()
        assert len(bot.posted(dm(TESTMANN))) == 1  # nothing answered without the database
        assert not any(task.done() for task in sent)  # not acknowledged: Slack will deliver them again

        await asyncio.to_thread(pg.start)
        health = await bot.wait_health(True, timeout=120)
        assert health["database"] is True
        assert await asyncio.gather(*sent) == [200] * 4  # acknowledged once stored
        await fake.wait_for(lambda _: [len(bot.posted(dm(u))) for u in people] == [2, 2, 1], timeout=90)
        assert await bot.say(TESTMANN, "hilfe", "Ev0AFTER") == 200  # the sentinel: anything twice comes before
        await fake.wait_for(lambda _: len(bot.posted(dm(TESTMANN))) == 3, timeout=60)

        testmann, ersatz, office = (bot.posted(dm(u)) for u in people)
        assert _is_help(testmann[0]) and not _is_help(testmann[1]) and _is_help(testmann[2]), testmann
        assert not _is_help(ersatz[0]) and _is_help(ersatz[1]), ersatz  # in the order they were sent
        assert len(office) == 1 and not _is_help(office[0])
        assert len(bot.posted(dm(ERSATZ))) == 2  # the deliveries Slack repeated were answered once
    finally:
        code = await bot.stop()
        await fake.stop()
    assert code == 0, bot.log()
    assert "Traceback" not in bot.log_text(), bot.log()
    assert "database reachable again" in bot.log_text()
