"""The database thread: handler work in arrival order, the outbox's work ahead of what is queued
(issue #20: in a burst, replies went out only after the last answer was handled)."""
from __future__ import annotations

import threading

import pytest

from bot.dbthread import DatabaseThread


def test_outbox_work_goes_ahead_of_queued_handler_work() -> None:
    thread, gate, order = DatabaseThread(), threading.Event(), []
    busy = thread.submit(gate.wait)  # a handler is running
    handlers = [thread.submit(order.append, f"answer {i}") for i in range(5)]
    outbox = thread.submit_urgent(order.append, "outbox: mark sent")
    gate.set()
    for future in [busy, *handlers, outbox]:
        future.result(timeout=30)
    assert order == ["outbox: mark sent", *(f"answer {i}" for i in range(5))]
    thread.shutdown()


def test_errors_reach_the_caller_and_shutdown_runs_what_was_queued() -> None:
    thread = DatabaseThread()
    failing = thread.submit(lambda: 1 / 0)
    later = thread.submit(lambda: "done")
    thread.shutdown(wait=True)
    with pytest.raises(ZeroDivisionError):
        failing.result()
    assert later.result() == "done"
    with pytest.raises(RuntimeError):
        thread.submit(print)
