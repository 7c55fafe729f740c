"""Logging in as the bot's one device, cross-signing it, and raw requests to the homeserver.

The device id and access token are kept in the store path and restored at start, so a restart
is the same device with the same encryption keys; after a restore or a new login the device's
keys are uploaded and the device is cross-signed (crosssign.py) before the first sync.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from nio import AsyncClient, AsyncClientConfig, LoginResponse, WhoamiResponse

from bot.config import MatrixSection

from .crosssign import CrossSigner
from .state import TransportState

log = logging.getLogger(__name__)


class MatrixError(RuntimeError):
    """Every error answer of the homeserver, translated once, here."""


async def open_client(settings: MatrixSection, state: TransportState, request_timeout: float) -> AsyncClient:
    """A logged-in client: the saved device, or one from the access token, or a new password login."""
    s = settings
    config = AsyncClientConfig(encryption_enabled=s.encryption, store_sync_tokens=False, max_timeouts=0,
                               request_timeout=request_timeout)
    saved = state.credentials(s.user_id, s.homeserver)
    device_id = saved[0] if saved else None
    client = AsyncClient(s.homeserver, s.user_id, device_id=device_id, store_path=str(s.store_path), config=config)
    if saved and saved[1]:
        client.restore_login(s.user_id, saved[0], saved[1])
    elif s.access_token is not None and s.access_token.get_secret_value():
        client.access_token = s.access_token.get_secret_value()
        who = await client.whoami()
        if not isinstance(who, WhoamiResponse) or not who.device_id:
            await client.close()
            raise MatrixError(f"access token not accepted: {who}")
        client.restore_login(s.user_id, who.device_id, client.access_token)
        state.set_credentials(s.user_id, s.homeserver, who.device_id, client.access_token)
    else:
        assert s.password is not None
        resp = await client.login(s.password.get_secret_value(), device_name=s.device_name)
        if not isinstance(resp, LoginResponse):
            await client.close()
            raise MatrixError(f"login failed: {resp}")
        state.set_credentials(s.user_id, s.homeserver, resp.device_id, resp.access_token)
        log.info("matrix: logged in as %s, new device %s", s.user_id, resp.device_id)
    private_store(Path(s.store_path))
    return client


def private_store(store: Path) -> None:
    """nio's key database (Olm account, Megolm sessions) is created with the process umask; it
    is as secret as the cross-signing keys beside it: owner only, also in a copy of the folder.
    SQLite gives its -wal/-shm files the permissions of the database file."""
    for path in store.iterdir() if store.is_dir() else ():
        if path.is_file() and path.stat().st_mode & 0o077:
            path.chmod(0o600)


async def raw_request(client: AsyncClient, method: str, path: str,
                      body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    """A client-server API call nio has no method for: (HTTP status, JSON answer)."""
    headers = {"Authorization": f"Bearer {client.access_token}", "Content-Type": "application/json"}
    resp = await client.send(method, path, json.dumps(body) if body is not None else None, headers)
    try:
        answer = await resp.json(content_type=None)
    except ValueError:
        answer = {}
    finally:
        resp.release()
    return resp.status, answer if isinstance(answer, dict) else {}


async def cross_sign(client: AsyncClient, settings: MatrixSection) -> str:
    """Upload the device keys if needed, then make sure the device is cross-signed (idempotent)."""
    if client.should_upload_keys:
        await client.keys_upload()
    assert client.olm is not None and client.device_id is not None
    password = settings.password.get_secret_value() if settings.password is not None else None

    async def request(method: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return await raw_request(client, method, path, body)

    signer = CrossSigner(Path(settings.store_path), settings.user_id, client.device_id, password or None, request,
                         client.olm.sign_json)
    return await signer.ensure()
