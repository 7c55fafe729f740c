"""One path of the public site: its bytes and their content type."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str
