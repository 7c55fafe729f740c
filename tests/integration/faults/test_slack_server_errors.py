"""Slack answering 500 or dropping the connection (issue #9, point 4): each answer is retried
with growing waits, delivered exactly once, in order for each person, and a conversation whose
messages keep failing does not hold up the answers to everyone else."""
from __future__ import annotations

from tests.helpers.slack_app import ERSATZ, KOORDINATION, TESTMANN, SlackBot

PEOPLE = {TESTMANN: "D0TSTMN10", ERSATZ: "D0ERSTZ14", KOORDINATION: "D0KOORD01"}


def _is_help(text: str) -> bool:
    return "Sachstand – Befehle" in text or "Sachstand – commands" in text  # ersatz reads English


def _delivered(bot: SlackBot, channel: str) -> list[str]:
    return [c.params["text"] for c in bot.fake.called("chat.postMessage") if c.params.get("channel") == channel]


async def test_a_burst_of_500s_and_dropped_connections_delivers_every_answer_once_in_order(slack: SlackBot) -> None:
    slack.fake.fail("chat.postMessage", status=500, retry_after=None, times=2)
    slack.fake.fail("chat.postMessage", status=0, times=1)  # then the connection breaks once
    for user in PEOPLE:
        await slack.say(user, "hilfe")
        await slack.say(user, "wer bin ich")
    await slack.posted(2 * len(PEOPLE))
    await slack.app.workers["slack"].flush()
    attempts = slack.fake.called("chat.postMessage", ok_only=False)
    assert sorted(a.status for a in attempts) == [0, *[200] * 2 * len(PEOPLE), 500, 500]  # each answer once
    for n, failed in enumerate(attempts):
        if failed.status == 500:  # the same message again, after a wait: backoff, no hammering
            again = next(a for a in attempts[n + 1:] if a.params == failed.params)
            assert again.at - failed.at >= 0.9
    for channel in PEOPLE.values():
        answers = _delivered(slack, channel)
        assert len(answers) == 2 and _is_help(answers[0]) and not _is_help(answers[1]), answers  # as asked


async def test_a_conversation_that_keeps_failing_does_not_hold_up_the_others(slack: SlackBot) -> None:
    stuck = PEOPLE[TESTMANN]
    slack.fake.fail("chat.postMessage", status=500, retry_after=None, times=4, channel=stuck)
    await slack.say(TESTMANN, "hilfe")
    await slack.say(TESTMANN, "wer bin ich")
    for user in (ERSATZ, KOORDINATION):  # asked after testmann, answered while testmann's retries wait
        await slack.say(user, "hilfe")
    for user in (ERSATZ, KOORDINATION):
        await slack.posted(1, PEOPLE[user])
    assert not _delivered(slack, stuck)
    await slack.fake.wait_for(lambda _: len(_delivered(slack, stuck)) == 2, timeout=60)
    await slack.app.workers["slack"].flush()
    answers = _delivered(slack, stuck)
    assert _is_help(answers[0]) and not _is_help(answers[1]), answers  # its own order kept
    assert [len(_delivered(slack, c)) for c in PEOPLE.values()] == [2, 1, 1]  # nothing twice
