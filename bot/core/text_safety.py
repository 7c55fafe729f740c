"""Characters that change how a text is shown rather than what it says: controls (ESC drives a
terminal), bidi embeddings and overrides (U+202E reverses what follows), line and paragraph
separators (U+2028 starts a new line inside a "one-line" title), and texts of only invisible
characters. The public question form refuses them (bot/questions/intake.py, findings F1a, F13,
F14); meeting and agenda texts use the same rules (findings-meet2 F21)."""
from __future__ import annotations

import re
import unicodedata

# one definition for every way in: ESC and CSI drive a coordinator's terminal, PostgreSQL
# refuses NUL (F13, F14a), a U+202E in a name reversed the text after it (F1a)
from storage.text import BIDI_CONTROLS, CONTROL

# what starts a new line: in a title or a place it would forge a line of its own (F21)
LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x85\u2028\u2029]+")


def without_bidi(value: str) -> str:
    return BIDI_CONTROLS.sub("", value)


def visible(value: str) -> bool:
    """Whether anything would be seen: not only spaces (Z*), controls (Cc) and format
    characters (Cf: U+200B, U+202E, …) (F14b)."""
    return any(unicodedata.category(c)[0] not in "Z" and unicodedata.category(c) not in ("Cc", "Cf")
               for c in value)


def one_line(value: str) -> str:
    """A title or a place: on one line (a line break becomes a space), without controls or bidi
    controls, otherwise as typed; "" when nothing visible is left."""
    text = CONTROL.sub("", without_bidi(LINE_BREAKS.sub(" ", value))).strip()
    return text if visible(text) else ""


def free_text(value: str) -> str:
    """A result or a list of guests: its lines kept (U+2028/U+2029 become line breaks), without
    controls or bidi controls; "" when nothing visible is left."""
    text = "\n".join(line.strip() for line in re.split("[\r\n\u2028\u2029\x85]+", without_bidi(value)))
    text = CONTROL.sub("", text).strip()
    return text if visible(text) else ""
