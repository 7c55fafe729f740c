"""The bot killed with SIGKILL in the middle of a round with 50 open conversations, then
started again (issue #9, point 4): every owner goes on at the step they were at, every answer —
also those sent while the bot was dead — is stored exactly once, and nobody gets a prompt twice.

On Slack (the fake Web API, the bot as `sachstand run` in its own process over HTTP), not on
Matrix: 50 members with end-to-end encryption in one test process would take minutes on this
machine; the bot's part (durable conversations, outbox, duplicate events) is the same code.
Slack counts every chat.postMessage the bot makes, so a repeat could not hide.
"""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from seed import ANSWERS, NEXT, seed_owners
from slack_process import SlackBotProcess, dm

from tests.helpers.slack_app import KOORDINATION
from tests.helpers.slack_fake import SlackFake

OWNERS = 50


def owner(i: int) -> str:
    return f"U0OWNER{i:03d}"


async def test_sigkill_during_a_round_with_50_open_conversations(tmp_path: Path) -> None:
    from sqlalchemy import select

    from storage.db import make_engine, make_session_factory
    from storage.models import OutboxMessage, Person, StatusUpdate
    from storage.uow import UnitOfWorkFactory

    db_url = f"sqlite:///{tmp_path / 'sachstand.db'}"
    await asyncio.to_thread(seed_owners, db_url, OWNERS, "slack", owner)
    fake = await SlackFake().start()
    bot = SlackBotProcess(tmp_path, fake, db_url)

    def last(i: int) -> str:
        texts = bot.posted(dm(owner(i)))
        return texts[-1] if texts else ""

    async def answer(i: int, step: int) -> None:
        """Owner i answers step `step` and waits for the bot's next question."""
        assert await bot.say(owner(i), ANSWERS[step].format(i=i), f"Ev{owner(i)}s{step}") == 200
        await fake.wait_for(lambda _: NEXT[step] in last(i), timeout=240)

    try:
        await bot.start()
        due = date.today() + timedelta(days=21)
        assert await bot.say(KOORDINATION, f"runde starten EG9 frist {due:%d.%m.%Y}", "Ev0OPEN") == 200
        await fake.wait_for(lambda _: all("Wie ist der Status?" in last(i) for i in range(OWNERS)), timeout=240)

        # Everyone in a different place: owner i has answered i % 6 questions.
        done = [i % 6 for i in range(OWNERS)]
        async def advance(i: int) -> None:
            for step in range(done[i]):
                await answer(i, step)
        await asyncio.gather(*(advance(i) for i in range(OWNERS)))

        # All 50 answer at once; the bot is killed while these answers come in.
        posted_before = len(fake.called("chat.postMessage"))
        in_flight = [asyncio.create_task(answer(i, done[i])) for i in range(OWNERS)]
        await fake.wait_for(lambda _: len(fake.called("chat.postMessage")) >= posted_before + 10, timeout=120)
        bot.kill()
        killed_with = sum(NEXT[done[i]] in last(i) for i in range(OWNERS))
        await bot.start()  # Slack keeps delivering what the dead bot did not acknowledge
        await asyncio.gather(*in_flight)

        async def finish(i: int) -> None:
            for step in range(done[i] + 1, len(ANSWERS)):
                await answer(i, step)
        await asyncio.gather(*(finish(i) for i in range(OWNERS)))

        # The narrowest window: Slack took a message, the bot died before recording it. Slack
        # has no transaction ids; after the restart the bot finds its own posts by their metadata.
        await asyncio.sleep(1)
        engine = make_engine(db_url)
        with UnitOfWorkFactory(make_session_factory(engine))() as uow:
            rows = uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(20)).all()
            assert {r.state for r in rows} == {"sent"}
            for row in rows:
                row.state = "pending"
            uow.commit()
        bot.kill()
        posts = len(fake.called("chat.postMessage"))
        await bot.start()
        await fake.wait_for(lambda _: len(fake.called("conversations.history")) >= 20, timeout=120)
        assert await bot.say(owner(0), "wer bin ich", "Ev0SENTINEL") == 200
        await fake.wait_for(lambda _: "Owner 0" in last(0), timeout=60)
        assert len(fake.called("chat.postMessage")) == posts + 1  # just the sentinel's answer
        def pending() -> int:  # the bot records a delivery just after Slack answered it
            with UnitOfWorkFactory(make_session_factory(engine))() as uow:
                return len(uow.session.scalars(select(OutboxMessage).where(OutboxMessage.state == "pending")).all())
        for _ in range(300):
            if not pending():
                break
            await asyncio.sleep(0.2)
        assert pending() == 0  # the 20 found as posted are marked sent, not left pending
        engine.dispose()
    finally:
        code = await bot.stop()
        await fake.stop()
    assert code == 0, bot.log()
    assert 0 < killed_with < OWNERS, killed_with  # killed mid-way: some answered, some not yet

    conversations = {i: bot.posted(dm(owner(i)))[:-1] if i == 0 else bot.posted(dm(owner(i))) for i in range(OWNERS)}
    for i, texts in conversations.items():  # nobody was asked anything twice
        repeated = [t for t, n in Counter(texts).items() if n > 1]
        assert not repeated, (i, repeated)
        for question in ("Wie ist der Status?", *NEXT):
            assert sum(question in t for t in texts) == 1, (i, question, texts)
    assert len({len(texts) for texts in conversations.values()}) == 1  # the same conversation for all

    engine = make_engine(db_url)
    with UnitOfWorkFactory(make_session_factory(engine))() as uow:
        updates = uow.session.scalars(select(StatusUpdate).join(Person, StatusUpdate.author_id == Person.id)
                                      .where(Person.handle.like("owner%"), StatusUpdate.round_id.is_not(None))).all()
        stored = {u.author.handle: u for u in updates}
        assert len(updates) == OWNERS and len(stored) == OWNERS  # one report each, none twice
        for i in range(OWNERS):
            u = stored[f"owner{i}"]
            assert u.state == "submitted" and u.progress == 40, (i, u.state, u.progress)
            assert (u.happened, u.next_steps) == (f"Geschehen {i}", f"Weiter {i}"), i
    engine.dispose()
