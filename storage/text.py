"""Characters no stored text keeps, from any way in (chat, catalog files): bidi embeddings,
overrides and isolates (a U+202E in a title reversed the text after it on the public page,
sec2 F2) and control characters other than tab, line feed and carriage return (an ESC in a
released title made the Atom feed a 500, sec2 F11). One pattern for the router and the catalog
import; the question form refuses rather than drops (bot/questions/intake.py)."""
from __future__ import annotations

import re

_BIDI = "\u202a-\u202e\u2066-\u2069"  # embeddings, overrides and isolates
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 but tab, LF, CR; DEL and C1 (ESC drives a terminal)
BIDI_CONTROLS = re.compile(f"[{_BIDI}]")
CONTROL = re.compile(f"[{_CONTROL}]")
UNSAFE = re.compile(f"[{_BIDI}{_CONTROL}]")


def without_unsafe(text: str) -> str:
    return UNSAFE.sub("", text)
