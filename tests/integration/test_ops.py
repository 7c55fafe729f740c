"""Operations: /metrics in Prometheus format, /healthz per component, structured JSON logs.

The real App with its web server, against the local fake of Slack (HTTP and Socket Mode)."""
from __future__ import annotations

import asyncio
import io
import json
import logging
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from bot.app import App
from bot.logging_setup import configure
from tests.helpers.slack_app import TESTMANN, SlackBot, slack_settings
from tests.helpers.slack_fake import SlackFake


class FixedPortSlackFake(SlackFake):
    """The fake that can come back on the port it had (Slack "back up" after an outage)."""

    async def start(self) -> FixedPortSlackFake:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
        return self


async def _metrics(bot: SlackBot) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """/metrics parsed by prometheus_client's own parser: {sample name: {labels: value}}."""
    async with bot.http.get(f"http://127.0.0.1:{bot.app.web_port}/metrics") as response:
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


async def _health(bot: SlackBot) -> tuple[int, dict[str, object]]:
    async with bot.http.get(f"http://127.0.0.1:{bot.app.web_port}/healthz") as response:
        return response.status, await response.json()


async def test_metrics_count_messages_in_and_out(tmp_path: Path, fake: SlackFake) -> None:
    app = App(slack_settings(f"sqlite:///{tmp_path / 'ops.db'}", fake.api_url, "http"))
    await app.start()
    bot = SlackBot(app, fake, "http")
    try:
        before = await _metrics(bot)
        assert before["sachstand_leader"][()] == 1  # one process on SQLite: it leads
        assert before["sachstand_outbox_messages"][(("state", "pending"), ("transport", "slack"))] == 0
        assert before["sachstand_transport_connected"][(("transport", "slack"),)] == 1
        assert before["sachstand_rounds_open"][()] == 0 and before["sachstand_conversations_open"][()] == 0
        received = before.get("sachstand_messages_received_total", {}).get((("transport", "slack"),), 0)
        sent = before.get("sachstand_messages_sent_total", {}).get((("transport", "slack"),), 0)

        await bot.say(TESTMANN, "hilfe")
        await bot.say(TESTMANN, "einstellungen")  # starts a conversation: it stays open
        await bot.posted(2)
        await app.settle()
        after = await _metrics(bot)
        assert after["sachstand_messages_received_total"][(("transport", "slack"),)] == received + 2
        assert after["sachstand_messages_sent_total"][(("transport", "slack"),)] == sent + 2
        assert after["sachstand_conversations_open"][()] == 1
        await app.scheduler.run_due()
        assert (await _metrics(bot))["sachstand_scheduler_ticks_total"][()] == 1
    finally:
        await bot.close()
        await app.shutdown()


async def test_metrics_show_the_queue_while_slack_fails(tmp_path: Path, fake: SlackFake) -> None:
    app = App(slack_settings(f"sqlite:///{tmp_path / 'ops.db'}", fake.api_url, "http"))
    fake.fail("chat.postMessage", status=500, retry_after=None, times=10_000)
    await app.start()
    bot = SlackBot(app, fake, "http")
    try:
        await bot.say(TESTMANN, "hilfe")
        await fake.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage"])
        # the fake answers 500 before the outbox counts the failure: read until it has
        for _ in range(100):
            samples = await _metrics(bot)
            if "sachstand_delivery_failures_total" in samples:
                break
            await asyncio.sleep(0.05)
        assert samples["sachstand_outbox_messages"][(("state", "pending"), ("transport", "slack"))] == 1
        failures = samples["sachstand_delivery_failures_total"]
        assert failures[(("outcome", "retry"), ("transport", "slack"))] >= 1
    finally:
        fake.failures.clear()
        await bot.close()
        await app.shutdown()


async def test_healthz_turns_503_while_slack_is_gone_and_back_when_it_returns(tmp_path: Path) -> None:
    slack = await FixedPortSlackFake().start()
    app = App(slack_settings(f"sqlite:///{tmp_path / 'ops.db'}", slack.api_url, "socket"))
    await app.start()
    bot = SlackBot(app, slack, "socket")
    try:
        status, body = await _health(bot)
        assert status == 200 and body["components"]["transport:slack"] == {"ok": True, "state": "connected"}
        assert body["components"]["database"] == {"ok": True} and body["role"] == "leader"

        await slack.stop()  # Slack unreachable: the socket closes
        status, body = await _until_health(bot, 503)
        assert body["status"] == "degraded"
        assert body["components"]["transport:slack"] == {"ok": False, "state": "disconnected"}
        assert body["components"]["database"] == {"ok": True}

        slack = await FixedPortSlackFake(port=slack.port).start()  # back on the same address
        bot.fake = slack
        status, body = await _until_health(bot, 200)
        assert body["components"]["transport:slack"]["ok"] is True
        await bot.command(TESTMANN, "hilfe")  # and it works again
        [answer] = await bot.posted(1)
        assert "Befehle" in answer["text"]
    finally:
        await bot.close()
        await app.shutdown()
        await slack.stop()


async def _until_health(bot: SlackBot, status: int, timeout: float = 60) -> tuple[int, dict[str, object]]:
    """Poll /healthz until it answers `status` (a deadline for the reconnect, not a speed test)."""
    async def poll() -> tuple[int, dict[str, object]]:
        while True:
            result = await _health(bot)
            if result[0] == status:
                return result
            await asyncio.sleep(0.2)
    return await asyncio.wait_for(poll(), timeout)


async def test_json_logs_carry_event_fields_and_no_message_text(tmp_path: Path, fake: SlackFake) -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    configure("INFO", "json", stream)
    app = App(slack_settings(f"sqlite:///{tmp_path / 'ops.db'}", fake.api_url, "http"))
    await app.start()
    bot = SlackBot(app, fake, "http")
    try:
        await bot.say(TESTMANN, "hilfe", event_id="EvJSONLOG1")
        await bot.posted(1)
        await bot.say(TESTMANN, "Geheimer Freitext von Herrn Testmann", event_id="EvJSONLOG2")
        await bot.posted(2)
        await app.settle()
    finally:
        await bot.close()
        await app.shutdown()
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    handled = {line["event_id"]: line for line in lines if line["message"] == "event handled"}
    assert handled["EvJSONLOG1"]["transport"] == "slack" and handled["EvJSONLOG1"]["command"] == "help"
    assert isinstance(handled["EvJSONLOG1"]["person_id"], int)
    received = [line for line in lines if line["message"] == "event received"]
    assert {line["event_id"] for line in received} >= {"EvJSONLOG1", "EvJSONLOG2"}
    assert "Geheimer Freitext" not in stream.getvalue() and "Testmann" not in stream.getvalue()


async def test_healthz_of_a_process_without_transports_reports_each_component(tmp_path: Path) -> None:
    from tests.helpers.harness import make_settings

    app = App(make_settings(f"sqlite:///{tmp_path / 'ops.db'}", web__enabled="true", web__port="0"),
              transports=[])
    await app.start()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{app.web_port}/healthz") as response:
                body = await response.json()
        assert response.status == 200
        assert body["components"] == {"database": {"ok": True},
                                      "leadership": {"ok": True, "role": "leader", "mode": "single"}}
    finally:
        await app.shutdown()


def test_the_production_config_in_deploy_loads_with_its_secrets_from_the_environment() -> None:
    from bot.config import load_settings
    from tests.helpers.harness import ROOT

    secrets = {"SACHSTAND_DATABASE__URL": "postgresql+psycopg://sachstand:pw@db.example.org/sachstand",
               "SACHSTAND_MATRIX__PASSWORD": "pw", "SACHSTAND_SLACK__BOT_TOKEN": "xoxb-1",
               "SACHSTAND_SLACK__SIGNING_SECRET": "s"}
    settings = load_settings(ROOT / "deploy" / "config.production.toml", secrets)
    assert not settings.console.enabled  # a service has no terminal
    assert settings.logging.format == "json" and settings.matrix.enabled and settings.slack.enabled
    unit = (ROOT / "deploy" / "sachstand.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/sachstand/.venv/bin/sachstand run" in unit and "Restart=always" in unit


@pytest.mark.postgres
def test_db_upgrade_on_postgresql_takes_the_upgrade_lock(pg_server: object) -> None:
    import uuid

    from bot.cli import main

    name = f"t_{uuid.uuid4().hex[:16]}"
    pg_server.psql(f"CREATE DATABASE {name};")  # type: ignore[attr-defined]
    url = pg_server.get_uri(name)  # type: ignore[attr-defined]
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SACHSTAND_DATABASE__URL", url)
        try:
            assert main(["db", "upgrade"]) == 0 and main(["db", "upgrade"]) == 0  # repeatable
        finally:  # the command line set up logging to this test's captured stderr
            root.handlers[:] = handlers
            root.setLevel(level)
    from sqlalchemy import create_engine, inspect

    from storage.db import normalise_url

    engine = create_engine(normalise_url(url))
    assert "inbox_events" in inspect(engine).get_table_names()
    engine.dispose()


@pytest.mark.postgres
async def test_healthz_turns_503_while_the_database_refuses_connections_and_back(pg_server: object) -> None:
    import uuid

    from tests.helpers.harness import MemoryTransport, make_settings

    name = f"t_{uuid.uuid4().hex[:16]}"
    psql = pg_server.psql  # type: ignore[attr-defined]
    psql(f"CREATE DATABASE {name};")
    settings = make_settings(pg_server.get_uri(name), web__enabled="true", web__port="0",  # type: ignore[attr-defined]
                             cluster__poll_seconds="0.2", cluster__keepalive_seconds="0.2")
    app = App(settings, transports=[MemoryTransport()])
    await app.start()
    try:
        async with aiohttp.ClientSession() as http:
            async def health() -> tuple[int, dict[str, object]]:
                async with http.get(f"http://127.0.0.1:{app.web_port}/healthz") as response:
                    return response.status, await response.json()

            async def until(status: int) -> dict[str, object]:
                async def poll() -> dict[str, object]:
                    while True:
                        code, body = await health()
                        if code == status:
                            return body
                        await asyncio.sleep(0.1)
                return await asyncio.wait_for(poll(), 60)

            body = await until(200)
            assert body["role"] == "leader"
            # the database goes away for this bot: no new connections, the open ones cut
            psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false;")
            psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';")
            body = await until(503)
            assert body["components"]["database"] == {"ok": False}  # type: ignore[index]
            await asyncio.wait_for(_standing_by(app), 60)  # no lock, no leading: transports and jobs stop
            assert app.running_transports == [] and not app.scheduler._scheduler.running  # noqa: SLF001
            psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true;")
            body = await until(200)
            await asyncio.wait_for(_leading(app), 60)  # and leads again
            assert app.leadership.changes == 2
    finally:
        psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true;")
        await app.shutdown()


async def _standing_by(app: App) -> None:
    while app.leadership.is_leader or app.running_transports:
        await asyncio.sleep(0.05)


async def _leading(app: App) -> None:
    while not (app.leadership.is_leader and app.scheduler._scheduler.running):  # noqa: SLF001
        await asyncio.sleep(0.05)


async def test_metrics_show_an_open_round_and_its_answer_rate(tmp_path: Path) -> None:
    from bot.metrics import snapshot
    from tests.helpers.harness import Bot, make_settings

    def samples(bot: Bot) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
        text = bot.app.metrics.render(bot.app, snapshot(bot.app)).decode()
        found: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
        return found

    async with Bot(make_settings(f"sqlite:///{tmp_path / 'round.db'}")) as bot:
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        before = samples(bot)
        [labels] = before["sachstand_round_asked"]
        assert dict(labels)["period"] == "2026-Q4" and before["sachstand_rounds_open"][()] == 1
        assert before["sachstand_round_asked"][labels] == 5 and before["sachstand_round_answered"][labels] == 0
        assert before["sachstand_conversations_open"][()] == 3  # one per owner asked
        for answer in ("2", "75", "Zwei Kurse gestartet.", "Dritter Kurs im Januar.", "keine",
                       "Zwei Teilzeitkurse laufen.", "ja", "ja"):
            await bot.say("testmann", answer)
        after = samples(bot)
        assert after["sachstand_round_answered"][labels] == 1
        assert after["sachstand_round_answer_ratio"][labels] == pytest.approx(0.2)
