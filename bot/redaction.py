"""Secrets out of everything the bot prints or logs: the password in a URL's user part
(`postgresql://sachstand:geheim@db/…` → `postgresql://sachstand:***@db/…`) and in query
parameters (`?password=…`, `access_token=…`). Applied to `check-config`, configuration errors
and every log line (bot/logging_setup.py)."""
from __future__ import annotations

import re
from typing import Any

MASK = "***"
_USERINFO = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*):(?P<secret>[^/\s]+)@", re.I)
_PARAM = re.compile(r"(?P<head>[?&;](?:password|passwd|pwd|pass|token|access_token|secret|sslpassword)=)"
                    r"(?P<secret>[^&#\s\"']+)", re.I)


def redact(text: str) -> str:
    text = _USERINFO.sub(lambda m: f"{m['head']}:{MASK}@", text)
    return _PARAM.sub(lambda m: f"{m['head']}{MASK}", text)


def redact_values(value: Any) -> Any:
    """Every string inside a JSON-like value redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_values(v) for v in value]
    return value
