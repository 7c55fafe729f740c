"""The round conversation's data: a queue of status-update ids and the answers for the current
item only. Shared by the conversation's steps (`conversation`), the words that work at every
step (`words`) and the plausibility checks (`checks`), so none of them imports another's privates.
"""
from __future__ import annotations

from typing import Any

from bot.conversations.engine import DONE, ConvContext
from storage.models import StatusUpdate

NAME = "round"
YES = {"ja", "j", "yes", "y", "ok"}
NO = {"nein", "n", "no"}


def current(cc: ConvContext) -> StatusUpdate:
    upd = cc.ctx.uow.session.get(StatusUpdate, cc.data["queue"][cc.data["pos"]])
    assert upd is not None
    return upd


def order(data: dict[str, Any]) -> list[int]:
    """The items in the order they were first shown: each keeps its number (n/total) when one is
    skipped to the end of the queue."""
    return [i for i in data.get("order") or data["queue"] if i in data["queue"]]


def number(data: dict[str, Any]) -> tuple[int, int]:
    """(n, total) of the current item, as the person saw it first."""
    shown, now = order(data), data["queue"][data["pos"]]
    return (shown.index(now) + 1 if now in shown else data["pos"] + 1), len(shown)


def left(cc: ConvContext) -> int:
    """Open items from the current one on (the current one counts)."""
    queue = cc.data["queue"]
    return sum(1 for i in queue[cc.data["pos"]:]
               if (upd := cc.ctx.uow.session.get(StatusUpdate, i)) is not None and upd.state == "pending")


def item(cc: ConvContext) -> dict[str, Any]:
    return dict(cc.data.get("item") or {})


def set_item(cc: ConvContext, **values: Any) -> None:
    cc.set(item={**item(cc), **values})


def advance(cc: ConvContext) -> str:
    """On to the next item still open (each one starts with a clean `zurück` history)."""
    queue, pos = cc.data["queue"], cc.data["pos"] + 1
    while pos < len(queue):
        upd = cc.ctx.uow.session.get(StatusUpdate, queue[pos])
        if upd is not None and upd.state == "pending" and (upd.round is None or upd.round.state == "open"):
            break
        pos += 1
    if pos >= len(queue):
        return DONE
    cc.set(pos=pos, item={}, mi=0, editing=False)
    cc.fresh = True
    return "status"


def item_of(upd: StatusUpdate) -> dict[str, Any]:
    """The answers of a saved update, to change them again (`korrigieren`)."""
    return {"status": upd.status.value if upd.status else upd.recommendation.status.value,
            "progress": upd.progress, "metrics": dict(upd.metric_values or {}), "happened": upd.happened,
            "next_steps": upd.next_steps, "blockers": upd.blockers, "summary": upd.public_summary,
            "publish": upd.publish_ok}
