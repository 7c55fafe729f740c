"""What a person typed, from the text Slack delivers (sec2 F1).

Slack rewrites a message before it reaches the app: every URL becomes `<https://…>` (or
`<https://…|label>`), an e-mail address `<mailto:…|…>`, and `&`, `<`, `>` arrive as `&amp;`,
`&lt;`, `&gt;` (https://api.slack.com/reference/surfaces/formatting#escaping). The commands read
what the person wrote — a dial-in link must reach the meeting as its link, not as part of a
public place. Mentions (`<@U123>`) and channel references stay: the commands resolve them."""
from __future__ import annotations

import re

_LINK = re.compile(r"<((?:https?|mailto):[^|>\s]+)(?:\|[^>]*)?>", re.IGNORECASE)


def typed(text: str) -> str:
    unwrapped = _LINK.sub(lambda m: m[1][len("mailto:"):] if m[1].casefold().startswith("mailto:") else m[1], text)
    return unwrapped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
