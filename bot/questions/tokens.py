"""Form tokens (CSRF) and sender keys, without third-party services.

The cached public pages are the same bytes for every visitor; the page carries a placeholder
where the form's token goes. When serving, the placeholder becomes HMAC(key, nonce) for the
nonce in the visitor's `sachstand_form` cookie (set on the first visit; SameSite=Lax, HttpOnly).
A POST is accepted only if the token matches the cookie it came with: another site can make a
browser post, but it can neither read our page's token nor set our cookie (double submit,
signed). The address of a sender is kept only as an HMAC for the rate limit."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.context import Services
    from storage.uow import UnitOfWork

COOKIE = "sachstand_form"
PLACEHOLDER = "@@sachstand-form-token@@"
_NONCE = re.compile(r"[A-Za-z0-9_-]{22,64}")
_KEY = "questions.secret"


def key(services: Services, uow: UnitOfWork) -> bytes:
    """The configured secret, else one generated once and kept in the database."""
    configured = services.settings.questions.secret
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value().encode()
    stored = uow.ops.get(_KEY)
    if stored is None:
        stored = secrets.token_hex(32)
        uow.ops.put(_KEY, stored)
        uow.commit()
    return stored.encode()


class Tokens:
    def __init__(self, key: bytes) -> None:
        self._key = key

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(24)

    @staticmethod
    def valid_nonce(nonce: str | None) -> bool:
        return bool(nonce and _NONCE.fullmatch(nonce))

    def _mac(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def token(self, nonce: str) -> str:
        return self._mac("form", nonce)[:40]

    def check(self, nonce: str | None, token: str | None) -> bool:
        if not self.valid_nonce(nonce) or not token:
            return False
        return hmac.compare_digest(self.token(nonce or ""), token)

    def repeat_key(self, nonce: str, code: str, text: str) -> str:
        """The same form from the same browser: a double submit, not a second question."""
        return self._mac("repeat", f"{nonce}\n{code}\n{text}")

    def sender_key(self, address: str) -> str:
        return self._mac("sender", address)[:32]
