"""What an outside tester found after #15 was built (the attack at the end of session 23):
a client that hangs up in the middle of its upload, and a NUL byte in a path or a form field
(PostgreSQL refuses NUL in text: the query failed with a 500). Both are the client's doing:
4xx or nothing, no ERROR record, no traceback, the error metric unmoved — on both databases."""
from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest

from tests.helpers.harness import Bot, make_settings
from tests.integration.test_web_hardening import _errors_metric, _raw, _status

BOTH = pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
NUL_PATHS = ("empfehlungen/HF2%00.html", "kennzahlen/K%00.html", "calendar/EG%002.ics", "calendar/all%00.ics",
             "suche.html?q=a%00b", "filter/status-done%00.html")


def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not [r for r in caplog.records if r.exc_info]


@BOTH
async def test_a_nul_byte_in_a_path_or_a_form_field_is_refused(db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        before = await _errors_metric(base)
        caplog.set_level(logging.INFO)
        async with aiohttp.ClientSession() as http:
            for path in NUL_PATHS:
                async with http.get(base + path) as resp:
                    assert 400 <= resp.status < 500, path
            for field in ("text", "name", "email", "empfehlung"):
                body = f"text=Frage&empfehlung=HF2-04&consent=on&{field}=a%00b"
                async with http.post(base + "fragen", data=body,
                                     headers={"Content-Type": "application/x-www-form-urlencoded"}) as resp:
                    assert 400 <= resp.status < 500, field
        assert await _errors_metric(base) == before
        _quiet(caplog)


@BOTH
async def test_a_client_that_hangs_up_mid_upload_is_no_server_error(
        db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        port = bot.app.web_port
        base = f"http://127.0.0.1:{port}/"
        before = await _errors_metric(base)
        caplog.set_level(logging.INFO)
        for _ in range(5):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"POST /fragen HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                         b"Content-Length: 1000\r\n\r\ntext=abc")
            await writer.drain()
            writer.close()  # gone, 992 bytes short
        # the server is still there and answers the next one
        ok = await _raw(port, b"GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert _status(ok) == 200
        await asyncio.sleep(0.5)
        assert await _errors_metric(base) == before
        _quiet(caplog)
