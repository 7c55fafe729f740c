"""The one thread all database work runs in (SQLite sees a single writer; handlers run in
arrival order). The outbox's work — taking due rows, marking batches sent — goes ahead of the
handler work queued behind it (issue #20): during a burst of 500 answers the replies to those
already handled go out meanwhile, not after the last one is handled."""
from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any


class DatabaseThread(Executor):
    def __init__(self, name: str = "sachstand-db") -> None:
        self._queue: queue.PriorityQueue[tuple[int, int, Any, Any, tuple[Any, ...], dict[str, Any]]] = \
            queue.PriorityQueue()
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self._put(1, fn, args, kwargs)

    def submit_urgent(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]:
        """Run before everything submitted with `submit` that has not started yet."""
        return self._put(0, fn, args, {})

    def _put(self, priority: int, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._queue.put((priority, next(self._seq), future, fn, args, kwargs))
        return future

    def _work(self) -> None:
        while True:
            _, _, future, fn, args, kwargs = self._queue.get()
            if future is None:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # handed to the awaiting coroutine, as ThreadPoolExecutor does
                future.set_exception(exc)
            else:
                future.set_result(result)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._queue.put((2, next(self._seq), None, None, (), {}))  # after all queued work
        if wait and self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()
