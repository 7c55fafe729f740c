"""Every error of the web server in the site's layout and language, with the site's headers and
no word of the framework (findings-site2 F3): a NUL in the query, a request line longer than the
parser takes, raw UTF-8 in the request line."""
from __future__ import annotations

import asyncio

import pytest

from tests.helpers.harness import Bot, make_settings

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def _raw(port: int, target: bytes) -> tuple[int, str, str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await writer.drain()
    answer = await reader.read()
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), head.decode("latin-1"), body.decode("utf-8", "replace")


@SQLITE
async def test_f3_odd_requests_are_answered_in_the_sites_layout(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        port = bot.app.web_port
        for target in (b"/suche.html?q=%00", b"/suche.html?q=%00%01%ff", b"/%00",
                       b"/suche.html?q=" + b"A" * 9000, "/suche.html?q=ayşe".encode()):
            status, head, body = await _raw(port, target)
            assert 400 <= status < 500, (target[:40], status)
            assert "Server: Sachstand\r\n" in head and "aiohttp" not in head and "Python" not in head, head
            assert "Content-Security-Policy: default-src 'none'" in head and "nosniff" in head, head
            assert "text/html" in head and "<html lang=\"de\">" in body and ("Adresse nicht lesbar" in body or target == b"/%00"), body[:300]
            assert "bytearray" not in body and "Invalid char" not in body and "AAAAAAAA" not in body, body[:300]
            assert 'href="/index.html"' in body or "index.html" in body
