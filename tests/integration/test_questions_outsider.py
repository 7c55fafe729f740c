"""The public form's open findings of the outside attack of 2 December 2026
(docs/security-findings-2026-12-02.md), through the real web server: control characters and
undecodable bytes (F14a, F3a), a question of invisible characters only (F14b), a right-to-left
override in a published name (F1a), the citizen's name in Slack mrkdwn (F12a), a double submit
(F3b), and the console, a coordinator's terminal, printing what came from the form (F14a)."""
from __future__ import annotations

import io
import re
import urllib.parse
from types import SimpleNamespace

import pytest

from bot.transports.console import ConsoleTransport
from bot.core.events import ChannelRef, OutgoingMessage
from storage.models import PublicQuestion
from tests.helpers.harness import Bot
from tests.integration.test_questions import PAGE, Visitor, _good, site  # noqa: F401 - the fixture

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _stored(bot: Bot) -> list[SimpleNamespace]:
    with bot.app.uow_factory() as uow:
        return [SimpleNamespace(id=q.id, name=q.name, text=q.text)
                for q in uow.session.query(PublicQuestion).order_by(PublicQuestion.id)]


async def _post_raw(visitor: Visitor, body: str) -> tuple[int, str]:
    """The urlencoded body as given (percent escapes the client library would not send)."""
    token = await visitor.token()
    data = f"token={token}&{body}".encode()
    async with visitor.http.post(visitor.base + "fragen", data=data, allow_redirects=False,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"}) as resp:
        return resp.status, await resp.text()


GOOD = "empfehlung=HF2-04&consent=1&name=Erika&text=Frage"


async def test_f14a_f3a_control_characters_and_undecodable_bytes_are_refused_with_a_german_message(
        site: tuple[Bot, Visitor]) -> None:
    bot, visitor = site
    for field, value in (("text", "a%1b%5b31mred"), ("text", "a%07b"), ("name", "N%1b%5d0%3btitle%07"),
                         ("text", "a%c2%9bb"), ("text", "%ff%fe%c3"), ("name", "%ff"), ("email", "a%1b@example.org")):
        status, page = await _post_raw(visitor, f"{GOOD}&{field}={value}")
        assert status == 400, (field, value)
        assert "Steuerzeichen" in page or "nicht lesen" in page, (field, value)
        assert f'aria-invalid="true" aria-describedby="fehler-{field}"' in page or field == "text", field
    assert _stored(bot) == []
    # line breaks and tabs are text
    status, _ = await _post_raw(visitor, f"{GOOD}&text=" + urllib.parse.quote("Zeile 1\r\nZeile 2\tTab"))
    assert status == 303 and _stored(bot)[0].text == "Zeile 1\nZeile 2\tTab"


async def test_f14b_a_question_of_only_invisible_characters_is_refused(site: tuple[Bot, Visitor]) -> None:
    bot, visitor = site
    for text in ("   \u200b \u202e ", "\u2060\u00a0\u3000", "\ufeff\u200d"):
        status, page, _ = await visitor.post(_good(text=text))
        assert status == 400 and "Bitte schreiben Sie Ihre Frage" in page, repr(text)
    assert _stored(bot) == []


async def test_f1a_a_right_to_left_override_cannot_reverse_the_published_page(site: tuple[Bot, Visitor]) -> None:
    bot, visitor = site
    status, _, _ = await visitor.post(_good(name="Eri\u202eka\u2066 <b>B</b>", text="Wann \u202dbeginnt es?"))
    assert status == 303
    question = _stored(bot)[0]
    assert question.name == "Erika <b>B</b>" and question.text == "Wann beginnt es?"  # bidi controls stripped
    await bot.app.settle()
    await bot.say("koordination", f"frage veröffentlichen {question.id}")
    _, page, _ = await visitor.get(PAGE)
    # and whatever else a name holds is isolated from the text after it
    assert "von <bdi>Erika &lt;b&gt;B&lt;/b&gt;</bdi>, <time" in page


async def test_f12a_the_citizens_name_cannot_format_or_break_out_in_slack(site: tuple[Bot, Visitor]) -> None:
    bot, visitor = site
    name = "```*Fett* _kursiv_ ~weg~ <!here>"
    status, _, _ = await visitor.post(_good(name=name, email="a`b*c_@example.org"))
    assert status == 303
    await bot.app.settle()
    notice = next(m for m in bot.transport.sent if m.meta["template"] == "question_new")
    slack = notice.text("slack")
    line = next(x for x in slack.splitlines() if "Von:" in x)
    # the name as inline code, its backticks neutralised: no fence opens, nothing formats
    assert line == "Von: `ˋˋˋ*Fett* _kursiv_ ~weg~ &lt;!here&gt;` (darf genannt werden)", line
    assert slack.count("```") == 2  # only the question text's own block
    number = _stored(bot)[0].id
    detail = next(m for m in await bot.say("koordination", f"frage {number}"))
    assert "E-Mail für eine Antwort: `aˋb*c_@example.org`" in detail.text("slack")
    assert "Name: `ˋˋˋ*Fett*" in detail.text("slack")


async def test_f3b_a_double_submit_makes_one_question_and_the_same_thanks(site: tuple[Bot, Visitor]) -> None:
    bot, visitor = site
    token = await visitor.token()
    first = await visitor.post(_good(), token=token)
    second = await visitor.post(_good(), token=token)
    assert first[0] == second[0] == 303 and first[2] == second[2] == "fragen/danke.html?zu=HF2-04"
    assert len(_stored(bot)) == 1
    await bot.app.settle()
    assert len([m for m in bot.transport.sent if m.meta["template"] == "question_new"]) == 2  # office + EG2, once
    # another text is another question
    assert (await visitor.post(_good(text="Und noch etwas?")))[0] == 303
    assert len(_stored(bot)) == 2


async def test_f14a_the_console_never_prints_raw_control_characters(db_url: str) -> None:
    out = io.StringIO()
    console = ConsoleTransport("koordination", stdin=io.StringIO(""), stdout=out)
    message = OutgoingMessage(channel=ChannelRef("console", "#geschaeftsfuehrung"),
                              texts={"plain": "> a\x00b\x1b[31mred\x1b]0;owned\x07 \x9b2J\r"})
    await console.send(message)
    printed = out.getvalue()
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", printed), repr(printed)
    assert "a␀b␛[31mred␛]0;owned␇" in printed and "\\x9b2J" in printed
