"""trust.ready_to_encrypt: no room key before the invitee and every member's devices are known."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from nio import LocalProtocolError

from bot.transports.matrix.trust import NotReady, ready_to_encrypt

ME, YOU, REMOTE = "@bot:k", "@you:k", "@far:away"


class FakeClient:
    """What ready_to_encrypt reads of nio's AsyncClient; keys_query answers for `answers`."""

    def __init__(self, members: set[str], tracked: set[str], answers: set[str] | None = None) -> None:
        self.rooms: dict[str, Any] = {"!r": SimpleNamespace(users=dict.fromkeys(members))}
        self.olm = SimpleNamespace(tracked_users=set(tracked), users_for_key_query=set())
        self.answers = answers
        self.queries: list[set[str]] = []

    async def keys_query(self) -> None:
        if not self.olm.users_for_key_query:
            raise LocalProtocolError("No key query required.")
        asked = set(self.olm.users_for_key_query)
        self.queries.append(asked)
        answered = asked if self.answers is None else asked & self.answers
        self.olm.users_for_key_query -= answered
        self.olm.tracked_users |= answered


async def test_waits_for_the_invitee_then_fetches_their_devices() -> None:
    client = FakeClient({ME}, {ME})  # the room synced before its invite

    async def invite_arrives() -> None:
        await asyncio.sleep(0.2)
        client.rooms["!r"].users[YOU] = None

    arrival = asyncio.create_task(invite_arrives())
    await ready_to_encrypt(client, "!r", {YOU}, may_wait=True)
    await arrival
    assert client.queries == [{YOU}]


async def test_inside_the_sync_loop_it_does_not_wait() -> None:
    client = FakeClient({ME}, {ME})
    with pytest.raises(NotReady, match=YOU):
        await ready_to_encrypt(client, "!r", {YOU}, may_wait=False)
    assert client.queries == []  # no key was made, nothing asked


async def test_an_invitee_who_never_comes_is_waited_for_once() -> None:
    client, expected = FakeClient({ME}, {ME}), {YOU}
    with pytest.raises(NotReady):
        await ready_to_encrypt(client, "!r", expected, may_wait=True, seconds=0.2)
    assert expected == set()
    await ready_to_encrypt(client, "!r", expected, may_wait=True)  # the retry sends


async def test_known_devices_cost_no_query_and_an_unreachable_server_does_not_block() -> None:
    client = FakeClient({ME, YOU}, {ME, YOU})
    await ready_to_encrypt(client, "!r", set(), may_wait=True)
    assert client.queries == []
    client = FakeClient({ME, YOU, REMOTE}, {ME}, answers={ME, YOU})
    await ready_to_encrypt(client, "!r", set(), may_wait=True)
    assert client.queries == [{YOU, REMOTE}]
