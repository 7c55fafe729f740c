"""The console transport: a chat on stdin/stdout, enough to demo every flow with no server.

Lines that are only `@name` switch the speaker, `#room` switches to a body's room, `dm`
switches to the direct message with the bot. `zeit +3d` / `zeit 18.03.2027 09:05` (`time …`)
moves the demo clock when the bot was started with `sachstand run --at …`. Everything else is
said by the current speaker in the current place. Each line's answers are printed before the
next line is read (and, reading from a file or pipe, after the line itself, so the transcript
reads like the chat). End of input ends the transport (and the bot) cleanly.
"""
from __future__ import annotations

import asyncio
import os
import re
import sys
import threading
from pathlib import Path
from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.core.clock import is_move
from bot.core.events import ChannelRef, IncomingMessage, OutgoingMessage, PersonRef

from .base import Dispatch

NAME = "console"
_SPEAKER = re.compile(r"^@([a-z0-9][a-z0-9_.-]{0,63})$")
_ROOM = re.compile(r"^#[a-z0-9][a-z0-9_.-]{0,63}$")
# Controls a terminal acts on (ESC starts colour, cursor and window-title sequences, CSI in C1
# too): shown as their control pictures (␛) or \x9b, never printed raw — a message may carry
# text from the public form (finding F14a). Tab stays; lines are split before.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    def picture(match: re.Match[str]) -> str:
        code = ord(match.group())
        if code < 0x20:
            return chr(0x2400 + code)
        return "\u2421" if code == 0x7F else f"\\x{code:02x}"
    return _CONTROLS.sub(picture, text)


def dm_channel(handle: str) -> ChannelRef:
    return ChannelRef(NAME, f"dm:{handle}", direct=True)


class ConsoleTransport:
    name = NAME
    formats: tuple[str, ...] = ("plain",)

    def __init__(self, user: str, place: str = "dm", stdin: TextIO | None = None,
                 stdout: TextIO | None = None, on_eof: Callable[[], None] | None = None) -> None:
        self.user = user
        self.place = place
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.on_eof = on_eof
        self._task: asyncio.Task[None] | None = None
        self._counter = 0
        self.finished = asyncio.Event()
        self._connected = False
        # set by the command line (bot/cli.py): wait until this line's answers are delivered …
        self.after_line: Callable[[], Awaitable[object]] | None = None
        # … and move the demo clock (`zeit +3d`); returns the line to print
        # (with the speaker's handle: the line is in their language)
        self.on_time: Callable[[str, str], Awaitable[str]] | None = None
        # attachments (.ics, charts, exports) are saved here and their path printed
        self.files_dir: Path | None = None
        # while a line is handled, what does not answer it (a scheduled report, a reminder) waits,
        # so the line's answers stand directly under it (README)
        self._line: str | None = None
        self._held: list[OutgoingMessage] = []

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def interactive(self) -> bool:
        return self.stdin.isatty()

    async def start(self, dispatch: Dispatch) -> None:
        self._connected = True
        self._task = asyncio.create_task(self._read(dispatch), name="console-reader")

    async def _read(self, dispatch: Dispatch) -> None:
        try:
            while True:
                if self.interactive:
                    self._write(f"{self._where()} > ", end="")
                line = await self._readline()
                if not line:
                    break
                text = line.rstrip("\n")
                if not self.interactive and text.strip() and not text.strip().startswith("//"):
                    self._write(f"{self._where()} > {printable(text.strip())}")  # the transcript shows what was said
                if self.on_time is not None and is_move(text):
                    _, _, argument = text.strip().partition(" ")
                    self._write(f"· {await self.on_time(argument.strip(), self.user)}")
                    continue
                message = self._parse(text)
                if message is not None:
                    self._line = message.event_id
                    try:
                        await dispatch(message)  # wait, so answers print before the next line
                        if self.after_line is not None:
                            await self.after_line()
                    finally:
                        self._line = None
                        held, self._held = self._held, []
                        for other in held:
                            self._print(other)
        finally:
            self._connected = False
            self.finished.set()
            if self.on_eof:
                self.on_eof()

    async def _readline(self) -> str:
        """The next line of stdin, read in a daemon thread: a read blocked on a pipe that stays
        open must not keep the process alive after SIGTERM (asyncio.to_thread's executor is
        joined at exit, and that join waited for the read forever: finding F10a)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()

        def deliver(result: str | BaseException) -> None:
            if future.done():  # cancelled: the transport was stopped meanwhile
                return
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)

        def read() -> None:
            try:
                result: str | BaseException = self.stdin.readline()
            except Exception as exc:  # a closed stdin: handed to the reader task
                result = exc
            try:
                loop.call_soon_threadsafe(deliver, result)
            except RuntimeError:  # the loop is gone: the process is ending
                pass

        threading.Thread(target=read, name="console-stdin", daemon=True).start()
        return await future

    def _parse(self, line: str) -> IncomingMessage | None:
        text = line.strip()
        if not text or text.startswith("//"):  # blank lines and comments in demo scripts
            return None
        if _SPEAKER.match(text):
            self.user = text[1:]
            self._write(f"· {self._where()}")
            return None
        if text == "dm" or _ROOM.match(text):
            self.place = text
            self._write(f"· {self._where()}")
            return None
        self._counter += 1
        channel = dm_channel(self.user) if self.place == "dm" else ChannelRef(NAME, self.place)
        return IncomingMessage(channel=channel, sender=PersonRef(NAME, self.user), text=line,
                               event_id=f"console-{id(self)}-{self._counter}")

    def _where(self) -> str:
        return f"@{self.user} {'(DM)' if self.place == 'dm' else 'in ' + self.place}"

    async def direct_channel(self, user_id: str) -> str:
        return dm_channel(user_id).id

    async def send(self, message: OutgoingMessage) -> str | None:
        if self._line is not None and message.in_reply_to != self._line:
            self._held.append(message)  # printed once the line's own answers are out
        else:
            self._print(message)
        self._counter += 1
        return f"console-out-{self._counter}"

    def _print(self, message: OutgoingMessage) -> None:
        channel = message.channel
        target = message.to_person or (channel.id.removeprefix("dm:") if channel else "")
        # a DM named by a subscription has only its id: "dm:…" (one label for one DM, finding F20)
        direct = channel is None or channel.direct or channel.id.startswith("dm:")
        where = channel.id if channel is not None and not direct else f"DM @{target}"
        self._write(f"[{where}] Sachstand:")
        for line in message.text("plain").splitlines():
            self._write(f"  {printable(line)}")
        for attachment in message.attachments:
            saved = self._save(attachment.filename, attachment.data)
            where = f" → {saved}" if saved else ""
            self._write(f"  📎 {printable(attachment.filename)} ({len(attachment.data)} Bytes){where}")

    def _save(self, filename: str, data: bytes) -> Path | None:
        """Write an attachment to the files folder under a name not used yet; its path, or None."""
        if self.files_dir is None:
            return None
        self.files_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # exports hold personal data
        name = Path(filename).name or "anhang"  # never a path from the message
        stem, suffix = Path(name).stem, Path(name).suffix
        target, n = self.files_dir / name, 1
        while target.exists():
            n += 1
            target = self.files_dir / f"{stem}-{n}{suffix}"
        with open(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "wb") as out:
            out.write(data)
        return target.resolve()

    def _write(self, text: str, end: str = "\n") -> None:
        self.stdout.write(text + end)
        self.stdout.flush()

    async def stop(self) -> None:
        if self._task and not self._task.done():
            self._task.cancel()
        self._connected = False
