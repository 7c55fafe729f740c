"""More than one machine: two `sachstand run` processes on one real PostgreSQL server.

Exactly one leads (runs Slack, the outbox and the scheduler); the other stands by and serves
the web part, and stores the Slack events the load balancer hands it for the leader. The
leader is killed with SIGKILL; the standby takes over; every message is answered exactly once.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.helpers.cluster import BotProcess, LoadBalancer, answers, drained, wait_answered
from tests.helpers.slack_app import ERSATZ, KOORDINATION, TESTMANN
from tests.helpers.slack_fake import SlackFake

pytestmark = pytest.mark.postgres
PEOPLE = (KOORDINATION, TESTMANN, ERSATZ)


@pytest.fixture
def pg_url(pg_server: Any) -> str:
    name = f"t_{uuid.uuid4().hex[:16]}"
    pg_server.psql(f"CREATE DATABASE {name};")
    return str(pg_server.get_uri(name))


@pytest.fixture
def processes(tmp_path: Path, pg_url: str, fake: SlackFake) -> Iterator[list[BotProcess]]:
    pair = [BotProcess(tmp_path, name, pg_url, fake.api_url) for name in ("a", "b")]
    yield pair
    for process in pair:
        process.stop()


async def _send(lb: LoadBalancer, phase: str, count: int) -> list[str]:
    tokens = [f"probe{phase}{i:02d}" for i in range(count)]  # an unknown word: the answer quotes it
    for i, token in enumerate(tokens):
        await lb.say(PEOPLE[i % len(PEOPLE)], token)
    return tokens


async def test_the_standby_takes_over_when_the_leader_is_killed(processes: list[BotProcess], fake: SlackFake,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    a, b = processes
    async with aiohttp.ClientSession() as http:
        a.start()
        await a.wait_role(http, "leader")
        b.start()
        standby = await b.wait_role(http, "standby")
        # the standby runs no transport but answers healthy; /metrics says who leads
        assert standby["components"]["transport:slack"]["ok"] is True
        assert [await a.metric(http, "sachstand_leader"), await b.metric(http, "sachstand_leader")] == [1, 0]

        lb = LoadBalancer([a, b], http)
        before = await _send(lb, "A", 12)  # half of them reach the standby, which stores them
        await wait_answered(fake, before)
        await drained(a, http)  # every answer recorded as sent before the leader dies
        assert await a.metric(http, "sachstand_inbox_handled_total") == 6  # the ones b stored

        a.kill()
        killed = time.monotonic()
        during = await _send(lb, "B", 6)  # a is gone: the load balancer sends them all to b
        await b.wait_role(http, "leader")
        takeover = time.monotonic() - killed
        after = await _send(lb, "C", 6)
        await wait_answered(fake, before + during + after)
        answered = time.monotonic() - killed
        await drained(b, http)
        with capsys.disabled():  # in the test output even without -s (a figure, not an assertion)
            print(f"\ntakeover_s={takeover:.2f} (SIGKILL of the leader until the standby leads); "
                  f"all answered {answered:.2f} s after the kill")

        texts = answers(fake)
        for token in before + during + after:
            assert sum(token in text for text in texts) == 1, token  # answered exactly once
        assert len(texts) == len(before + during + after)  # and nothing else was sent
        assert await b.metric(http, "sachstand_leader") == 1

        a.start()  # the old leader comes back: it stands by, b keeps leading
        await a.wait_role(http, "standby")
        assert await b.metric(http, "sachstand_leader") == 1
    assert [a.stop(), b.stop()] == [0, 0], a.log() + b.log()
    assert "Traceback" not in a.log() + b.log(), a.log() + b.log()


# -- in one process: the standby's parts, and a leader that loses its lock connection ---------

def _app(pg_url: str) -> tuple[Any, Any]:
    from bot.app import App
    from tests.helpers.harness import MemoryTransport, make_settings

    transport = MemoryTransport()
    settings = make_settings(pg_url, cluster__poll_seconds="0.2", cluster__keepalive_seconds="0.2")
    return App(settings, transports=[transport]), transport


async def _until(condition: Any, timeout: float = 30) -> None:
    import asyncio

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.05)
    await asyncio.wait_for(poll(), timeout)


async def test_a_standby_runs_no_transport_outbox_or_scheduler_and_hands_events_on(pg_url: str) -> None:
    from bot.core.events import ChannelRef, IncomingMessage, PersonRef

    first, first_transport = _app(pg_url)
    second, second_transport = _app(pg_url)
    await first.start()
    await second.start()
    try:
        assert first.leadership.is_leader and not second.leadership.is_leader
        assert second.running_transports == [] and second._tasks == []  # noqa: SLF001
        assert not second.scheduler._scheduler.running  # noqa: SLF001
        # an event that reached the standby is handled by the leader and answered through its transport
        await second.dispatch(IncomingMessage(ChannelRef("console", "dm:testmann", True),
                                              PersonRef("console", "testmann"), "hilfe", "ev-standby-1"))
        await _until(lambda: first_transport.sent)
        assert "Befehle" in first_transport.sent[0].text() and second_transport.sent == []

        await first.shutdown()  # the leader leaves: the standby takes over
        await _until(lambda: second.leadership.is_leader and second.scheduler._scheduler.running)  # noqa: SLF001
        assert second.running_transports == [second_transport]
        await second.dispatch(IncomingMessage(ChannelRef("console", "dm:testmann", True),
                                              PersonRef("console", "testmann"), "hilfe", "ev-standby-2"))
        await second.settle()
        assert len(second_transport.sent) == 1 and len(first_transport.sent) == 1
    finally:
        if first.leadership.is_leader:
            await first.shutdown()
        await second.shutdown()


async def test_a_leader_that_loses_its_lock_connection_stands_down_and_leads_again(
        pg_url: str, pg_server: Any) -> None:
    from bot.core.events import ChannelRef, IncomingMessage, PersonRef

    app, transport = _app(pg_url)
    await app.start()
    try:
        assert app.leadership.is_leader and app.leadership.changes == 1
        from sqlalchemy.engine import make_url

        database = make_url(pg_url).database
        # what a database restart or a network cut does to the lock's session
        pg_server.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       f"WHERE application_name = 'sachstand-leader' AND datname = '{database}';")
        await _until(lambda: app.leadership.changes == 2 and app.leadership.is_leader  # the lock again…
                     and app.scheduler._scheduler.running)  # noqa: SLF001 - …and leading fully (last step)
        assert app.running_transports == [transport]
        await app.dispatch(IncomingMessage(ChannelRef("console", "dm:testmann", True),
                                           PersonRef("console", "testmann"), "hilfe", "ev-after-loss"))
        await app.settle()
        assert len(transport.sent) == 1 and "Befehle" in transport.sent[0].text()
    finally:
        await app.shutdown()
