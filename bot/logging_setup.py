"""Log output: plain text for people, or one JSON object per line for a log collector.

Log calls add structured fields with `extra=` (transport, event_id, command, person_id, …);
the JSON formatter writes them as keys of their own. What people wrote (message text) and
personal data (names, e-mail addresses) are never logged at INFO: person ids only.
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any, TextIO

from .redaction import redact

# the attributes every LogRecord has; anything else came in through `extra=`
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime",
                                                                                "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    """The classic line, with the structured fields appended as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = redact(super().format(record))
        fields = [f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")]
        if not fields:
            return line
        head, sep, tail = line.partition("\n")  # keep a traceback below the fields
        return redact(f"{head} [{' '.join(fields)}]{sep}{tail}")


class _Stderr(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stderr is at the time (as logging's last resort does): a handler
    holding the stderr of its set-up time writes into a closed file once that is replaced
    (a test runner's capture, a daemon's redirect)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


_HANDLER_NAME = "sachstand"  # ours, replaced when configure runs again


def configure(level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> logging.Handler:
    handler: logging.StreamHandler[TextIO] = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler.set_name(_HANDLER_NAME)
    root.addHandler(handler)
    root.setLevel(level)
    # slack_bolt logs request bodies (message texts) at INFO and DEBUG: warnings and worse only
    for noisy in ("alembic", "apscheduler", "aiohttp.access", "slack_bolt"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
