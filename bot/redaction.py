"""Secrets out of everything the bot prints or logs: the password in a URL's user part
(`postgresql://sachstand:geheim@db/…` → `postgresql://sachstand:***@db/…`) and in query
parameters (`?password=…`, `access_token=…`). Applied to `check-config`, configuration errors
and every log line (bot/logging_setup.py)."""
from __future__ import annotations

import re
from typing import Any

MASK = "***"
# in free text (a log line) a password runs to the last "@" before the host; it may hold "/" (base64) (sec2 F5)
_USERINFO = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*):(?P<secret>\S*)@(?=[^\s@/]*(?:[/:?\s]|$))", re.I)
# a value that is one URL (a setting): everything between the user's ":" and the last "@", spaces too
_WHOLE_URL = re.compile(r"^(?P<head>\s*[a-z][a-z0-9+.-]*://[^:/@\s]*):(?P<secret>.*)@(?P<rest>[^@]*)$", re.I | re.S)
_PARAM = re.compile(r"(?P<head>[?&;](?:password|passwd|pwd|pass|token|access_token|secret|sslpassword)=)"
                    r"(?P<secret>[^&#\s\"']+)", re.I)


def redact(text: str) -> str:
    text = _USERINFO.sub(lambda m: f"{m['head']}:{MASK}@", text)
    return _PARAM.sub(lambda m: f"{m['head']}{MASK}", text)


def redact_values(value: Any) -> Any:
    """Every string inside a JSON-like value redacted."""
    if isinstance(value, str):
        return redact(_WHOLE_URL.sub(lambda m: f"{m['head']}:{MASK}@{m['rest']}", value))
    if isinstance(value, dict):
        return {k: redact_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_values(v) for v in value]
    return value
