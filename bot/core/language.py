"""The language of a short free text (a public summary): the public page is German, and an
English summary must be marked for the office (`freigabe`) and for screen readers (`lang="en"`)."""
from __future__ import annotations

import re

_WORD = re.compile(r"[a-zäöüß']+")
_ENGLISH = frozenset("the and is are was were of to in with has have for on this that will be been not "
                     "we our it its by from at as an or but since now available new more can after first also which "
                     "there their started".split())
_GERMAN = frozenset("der die das und ist sind war wurde wurden mit für von zu im den dem des ein eine einen "
                    "nicht auch wird werden hat haben auf bei nach sich es sie wir noch dass als wie aus um über vor "
                    "seit sowie oder aber jetzt verfügbar neu neue mehr kann erste welche".split())


def summary_language(text: str) -> str | None:
    """"de", "en" or None (too short to tell): by the common words of each language."""
    words = _WORD.findall(text.casefold())
    english, german = sum(w in _ENGLISH for w in words), sum(w in _GERMAN for w in words)
    if english + german < 2:
        return None
    return "en" if english > german else "de"
