"""The Matrix transport's state file is written off the event loop, only when it changed, and
saves during a write are coalesced (issue #20: an fsync per message blocked Slack acks and web
requests for 13–20 ms each)."""
from __future__ import annotations

import asyncio
import json
import os
import threading
from pathlib import Path

import pytest

from bot.transports.matrix.state import TransportState


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    threads: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        threads.append(threading.current_thread().name)
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return threads


def test_sync_tokens_are_written_off_the_loop_and_coalesced(tmp_path: Path, fsyncs: list[str]) -> None:
    path = tmp_path / "sachstand-state.json"
    state = TransportState(path)

    async def burst() -> None:
        for i in range(200):  # a sync batch per message sent, as during a burst
            state.set_sync_token(f"s{i}")
            await asyncio.sleep(0)
        await state.flush()

    asyncio.run(burst())
    assert json.loads(path.read_text())["sync_token"] == "s199"  # the last one is on disk
    assert threading.main_thread().name not in fsyncs  # never on the event loop's thread
    assert 0 < len(fsyncs) < 50


def test_an_unchanged_state_is_not_written_again(tmp_path: Path, fsyncs: list[str]) -> None:
    state = TransportState(tmp_path / "sachstand-state.json")

    async def same_mapping() -> None:
        for _ in range(20):  # every sync repeats the account data m.direct
            state.set_direct({"@anna:koeln.example": ["!dm:koeln.example"]})
            await state.flush()

    asyncio.run(same_mapping())
    assert len(fsyncs) == 1


def test_new_credentials_are_on_disk_at_once(tmp_path: Path) -> None:
    path = tmp_path / "sachstand-state.json"

    async def login() -> None:
        TransportState(path).set_credentials("@bot:koeln.example", "http://hs", "DEV1", "tok")
        assert json.loads(path.read_text())["credentials"]["device_id"] == "DEV1"  # before any await

    asyncio.run(login())
    assert TransportState(path).credentials("@bot:koeln.example", "http://hs") == ("DEV1", "tok")
