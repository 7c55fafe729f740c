"""What a person typed, from the text Slack delivers (sec2 F1).

Slack rewrites a message before it reaches the app: every URL becomes `<https://…>` (or
`<https://…|label>`), an e-mail address `<mailto:…|…>`, and `&`, `<`, `>` arrive as `&amp;`,
`&lt;`, `&gt;` (https://api.slack.com/reference/surfaces/formatting#escaping). The commands read
what the person wrote — a dial-in link must reach the meeting as its link, not as part of a
public place. Mentions (`<@U123>`) and channel references stay: the commands resolve them."""
from __future__ import annotations

import re

_LINK = re.compile(r"<((?:https?|mailto):[^|>\s]+)(?:\|([^>]*))?>", re.IGNORECASE)


def _unwrap(match: re.Match[str]) -> str:
    url, label = match[1], (match[2] or "").strip()
    if url.casefold().startswith("mailto:"):
        url = url[len("mailto:"):]
    bare = re.sub(r"^https?://", "", url, flags=re.IGNORECASE)
    # a pasted link comes as <https://x|x>: the link; a link with a label the person gave: both, label first
    return url if not label or label in (url, bare) else f"{label} {url}"


def typed(text: str) -> str:
    unwrapped = _LINK.sub(_unwrap, text)
    return unwrapped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
