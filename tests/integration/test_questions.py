"""Questions and comments from the public status page (issue #8), through the real web server
and the real App with the in-memory transport (which renders plain, Matrix HTML and Slack):
a submission arrives in the office's room and the responsible body's, is answered and published
from chat, and then shows on the page, in feed.atom and in the JSON; every refusal says why on
the page, keeps the values and stores nothing; markup stays text everywhere; e-mail addresses
are deleted once answered or after the retention period; export and erasure cover submissions."""
from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import feedparser
import pytest

from bot.questions import service
from storage.models import AuditEntry, PublicQuestion
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
OFFICE, EG2 = "#geschaeftsfuehrung", "#eg-arbeit-wirtschaft"  # console rooms of GF and EG2 (koeln.yaml)
EVIL = '<script>alert("x")</script> <b>fett</b> *stern* <!channel> & Co'
PAGE = "empfehlungen/HF2-04.html"


class Visitor:
    """A browser without JavaScript: keeps cookies, reads the form's token, posts the form."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def get(self, path: str, **headers: str) -> tuple[int, str, Any]:
        async with self.http.get(self.base + path, headers=headers) as resp:
            return resp.status, await resp.text(), resp.headers.copy()

    async def token(self, path: str = PAGE) -> str:
        _, page, _ = await self.get(path)
        found = re.search(r'name="token" value="([^"]*)"', page)
        assert found, "the page has a form with a token"
        return found[1]

    async def post(self, fields: dict[str, str], token: str | None = None, path: str = PAGE) -> tuple[int, str, str]:
        data = {"token": await self.token(path) if token is None else token, **fields}
        async with self.http.post(self.base + "fragen", data=data, allow_redirects=False) as resp:
            return resp.status, await resp.text(), resp.headers.get("Location", "")


@pytest.fixture
async def site(db_url: str) -> AsyncIterator[tuple[Bot, Visitor]]:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0", questions__rate_limit="3")) as bot:
        visitor = Visitor(f"http://127.0.0.1:{bot.app.web_port}/")
        try:
            yield bot, visitor
        finally:
            await visitor.http.close()


def _stored(bot: Bot) -> int:
    with bot.app.uow_factory() as uow:
        return uow.session.query(PublicQuestion).count()


def _good(**extra: str) -> dict[str, str]:
    return {"empfehlung": "HF2-04", "text": "Wann beginnt der nächste Kurs?", "name": "Erika Beispiel",
            "show_name": "1", "email": "erika@example.org", "consent": "1", "website": "", **extra}


async def test_submitted_answered_published_on_page_feed_and_json(site: tuple[Bot, Visitor]) -> None:
    bot, visitor = site
    status, _, location = await visitor.post(_good(text=EVIL))
    assert status == 303 and location == "fragen/danke.html?zu=HF2-04"
    _, thanks, _ = await visitor.get(location)
    assert "Was jetzt geschieht" in thanks and "HF2-04" in thanks
    await bot.app.settle()
    # it arrives in the office's room and in EG2's (the responsible body), with the moderation buttons
    arrived = [m for m in bot.transport.sent if m.meta["template"] == "question_new"]
    assert sorted(m.channel.id for m in arrived) == sorted([OFFICE, EG2])
    notice = next(m for m in arrived if m.channel.id == OFFICE)
    number = _question_id(bot)
    assert [c.value for c in notice.choices] == [f"frage veröffentlichen {number}", f"frage weiterleiten {number}",
                                                 f"frage ablehnen {number}"]
    assert "HF2-04" in notice.text("plain") and "Erika Beispiel" in notice.text("plain")
    assert "erika@example.org" not in notice.text("plain")  # the address only on request (`frage N` in a DM)
    body_room = next(m for m in arrived if m.channel.id == EG2)
    assert not body_room.choices and "Zur Kenntnis" in body_room.text("plain")  # the office moderates
    # markup is text: escaped in Matrix HTML, escaped and in a code block on Slack
    assert "<script>" not in notice.text("matrix") and "&lt;script&gt;" in notice.text("matrix")
    assert "<b>fett</b>" not in notice.text("matrix")
    slack = notice.text("slack")
    assert "&lt;script&gt;" in slack and "&lt;!channel&gt;" in slack and "<!channel>" not in slack
    assert "```" + EVIL.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "```" in slack
    # nothing public yet
    _, page, _ = await visitor.get(PAGE)
    assert "alert(" not in page and "Noch keine Frage veröffentlicht" in page

    listed = await bot.text("koordination", "fragen")
    assert f"[{number}] HF2-04" in listed
    detail = await bot.text("koordination", f"frage {number}")
    assert "erika@example.org" in detail
    assert "erika@example.org" not in await bot.text("koordination", f"frage {number}", room=OFFICE)
    refused = await bot.text("testmann", f"frage veröffentlichen {number}")
    assert "Koordination" in refused  # only the office moderates
    preview = await bot.say("koordination", f"frage antworten {number} Im März – <i>siehe</i> Programm & Plan.")
    assert [c.value for c in preview[0].choices][0] == f"frage veröffentlichen {number}"
    _, page, _ = await visitor.get(PAGE)
    assert "Im März" not in page  # an answer alone publishes nothing
    done = await bot.text("koordination", f"frage veröffentlichen {number}")  # what a click or reaction sends
    assert f"{PAGE}#frage-{number}" in done

    _, page, _ = await visitor.get(PAGE)
    assert '&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &lt;b&gt;fett&lt;/b&gt;' in page and "<script>" not in page
    assert "Im März – &lt;i&gt;siehe&lt;/i&gt; Programm &amp; Plan." in page
    assert "Erika Beispiel" in page and "erika@example.org" not in page
    feed = feedparser.parse((await visitor.get("feed.atom"))[1])
    assert not feed.bozo
    entry = next(e for e in feed.entries if e.id.endswith(f"#frage-{number}"))
    assert entry.title.startswith("Frage zu HF2-04: <script>")  # text, not markup: feedparser unescapes
    assert entry.content[0].type == "text/plain"
    assert EVIL in entry.content[0].value and "Im März – <i>siehe</i> Programm & Plan." in entry.content[0].value
    assert entry.author == "Erika Beispiel"
    data = json.loads((await visitor.get("api/status.json"))[1])
    item = next(r for f in data["fields"] for r in f["recommendations"] if r["code"] == "HF2-04")
    assert item["questions"] == [{"id": number, "question": EVIL, "answer": "Im März – <i>siehe</i> Programm & Plan.",
                                  "name": "Erika Beispiel", "published_at": item["questions"][0]["published_at"],
                                  "answered_at": item["questions"][0]["answered_at"]}]
    raw = (await visitor.get("api/status.json"))[1] + (await visitor.get("feed.atom"))[1]
    assert "erika@example.org" not in raw
    # answered and published: the author still waits for the answer by e-mail (issue #18), so the address
    # stays until the office says it has answered — and the office sees to whom an answer is owed
    assert "erika@example.org" in done and f"frage erledigt {number}" in done  # in the office's DM
    await bot.tick()  # the retention job keeps it, too
    with bot.app.uow_factory() as uow:
        q = uow.questions.get(number)
        assert q is not None and q.email == "erika@example.org"
    owed = await bot.text("koordination", "fragen")
    assert "Antworten per E-Mail offen" in owed and f"[{number}] HF2-04: erika@example.org" in owed
    in_room = await bot.text("koordination", "fragen", room=OFFICE)
    assert f"[{number}] HF2-04" in in_room and "erika@example.org" not in in_room  # no address in a room
    assert f"frage erledigt {number}" in await bot.text("koordination", f"frage {number}")
    marked = await bot.text("koordination", f"frage erledigt {number}")
    assert "Adresse ist gelöscht" in marked
    with bot.app.uow_factory() as uow:
        q = uow.questions.get(number)
        assert q is not None and q.email is None and q.email_erased_at is not None
        assert {a.action for a in uow.session.query(AuditEntry)} >= {"question_answer", "question_published",
                                                                      "question_replied"}
    assert "Antworten per E-Mail offen" not in await bot.text("koordination", "fragen")


def _question_id(bot: Bot) -> int:
    with bot.app.uow_factory() as uow:
        return max(q.id for q in uow.session.query(PublicQuestion))


async def test_name_only_with_consent_and_general_questions_on_the_overview(site: tuple[Bot, Visitor]) -> None:
    bot, visitor = site
    status, _, location = await visitor.post(_good(empfehlung="", show_name="", text="Wie kann ich mitmachen?"),
                                             path="")
    assert status == 303 and location == "fragen/danke.html"
    number = _question_id(bot)
    await bot.text("koordination", f"frage antworten {number} Im Integrationsrat.")
    await bot.text("koordination", f"frage veröffentlichen {number}")
    _, page, _ = await visitor.get("")
    assert "Wie kann ich mitmachen?" in page and "Im Integrationsrat." in page and "Erika" not in page
    data = json.loads((await visitor.get("api/status.json"))[1])
    assert data["questions"][0]["question"] == "Wie kann ich mitmachen?" and data["questions"][0]["name"] is None


async def test_refusals_say_why_keep_the_values_and_store_nothing(site: tuple[Bot, Visitor]) -> None:
    bot, visitor = site
    cases: list[tuple[dict[str, str], str | None, int, str]] = [
        (_good(consent=""), None, 400, "Bitte stimmen Sie dem Datenschutzhinweis zu"),
        (_good(text="   "), None, 400, "Bitte schreiben Sie Ihre Frage oder Anmerkung."),
        (_good(text="x" * 2001), None, 400, "Ihr Text hat 2001 Zeichen; möglich sind höchstens 2000."),
        (_good(), "falsch", 403, "Das Formular war abgelaufen oder kam nicht von dieser Seite"),
        (_good(website="http://spam.example"), None, 400, "das Feld „Website“"),
        (_good(email="keine-adresse"), None, 400, "keine E-Mail-Adresse"),
    ]
    for fields, token, status, message in cases:
        got, page, _ = await visitor.post(fields, token)
        assert got == status, (fields, page[:300])
        assert message in page, (message, re.findall(r'role="alert".*?</div>', page, re.S))
        assert 'role="alert"' in page and "Ihre Frage wurde noch nicht gesendet." in page
        if fields["text"].strip() and len(fields["text"]) < 100:  # the values are kept
            assert f">{fields['text']}</textarea>" in page
            assert 'value="Erika Beispiel"' in page
        assert 'name="website" type="text" tabindex="-1" autocomplete="off" value=""' in page
    assert _stored(bot) == 0
    assert not [m for m in bot.transport.sent if m.meta["template"] == "question_new"]
    # a field's problem is tied to the field
    _, page, _ = await visitor.post(_good(consent=""))
    assert re.search(r'id="feld-consent"[^>]*aria-invalid="true" aria-describedby="fehler-consent"', page)

    # the rate limit (3 in the test config) per sender address, kept in the database
    for n in range(3):  # three different questions (the same one again is a double submit, F3b)
        assert (await visitor.post(_good(text=f"Frage {n}?")))[0] == 303
    status, page, _ = await visitor.post(_good(text="Noch eine Frage"))
    assert status == 429 and "3 Fragen" in page and ">Noch eine Frage</textarea>" in page
    assert _stored(bot) == 3
    other = Visitor(visitor.base)  # a new cookie does not help: the limit is per address
    try:
        assert (await other.post(_good()))[0] == 429
    finally:
        await other.http.close()
    assert _stored(bot) == 3


async def test_cached_pages_stay_cacheable_with_a_per_visitor_token(site: tuple[Bot, Visitor]) -> None:
    _, visitor = site
    status, first, headers = await visitor.get(PAGE)
    assert status == 200 and headers["Cache-Control"].startswith("private") and "Cookie" in headers["Vary"]
    _, again, headers2 = await visitor.get(PAGE)
    assert again == first and headers2["ETag"] == headers["ETag"]  # same visitor: same bytes, same ETag
    assert (await visitor.get(PAGE, **{"If-None-Match": headers["ETag"]}))[0] == 304
    other = Visitor(visitor.base)
    try:
        _, theirs, their_headers = await other.get(PAGE)
    finally:
        await other.http.close()
    assert their_headers["ETag"] == headers["ETag"] and headers["ETag"].startswith("W/")  # the same page
    assert theirs != first
    token = re.compile(r'name="token" value="[^"]*"')
    assert token.sub("", theirs) == token.sub("", first)  # only the token differs
    _, feed, feed_headers = await visitor.get("feed.atom")
    assert feed_headers["Cache-Control"].startswith("public")  # pages without a form are unchanged


async def test_forwarded_to_the_owner_who_answers_then_the_office_publishes(site: tuple[Bot, Visitor]) -> None:
    bot, visitor = site
    await visitor.post(_good())
    number = _question_id(bot)
    with bot.app.uow_factory() as uow:
        rec = uow.catalog.recommendation("HF2-04")
        owner = rec.owner.handle  # type: ignore[union-attr]
    forwarded = await bot.text("koordination", f"frage weiterleiten {number}")
    assert "per Direktnachricht" in forwarded
    prompt = bot.to(f"dm:{owner}")[-1]
    assert "Wann beginnt der nächste Kurs?" in prompt and f"frage antworten {number}" in prompt
    # only the office or the person it went to: the router's one rule (owner_may), refused in her language
    refused = await bot.text("ersatz", f"frage antworten {number} Ich auch.")
    assert "Not allowed" in refused and "coordinator" in refused
    before = len(bot.transport.sent)
    thanks = await bot.text(owner, f"frage antworten {number} Im Februar.")
    assert "Geschäftsstelle prüft" in thanks
    review = [m for m in bot.transport.sent[before:] if m.meta["template"] == "question_answered"]
    assert OFFICE in {m.channel.id for m in review} and "Im Februar." in review[0].text("plain")
    assert review[0].choices[0].value == f"frage veröffentlichen {number}"
    _, page, _ = await visitor.get(PAGE)
    assert "Im Februar." not in page
    await bot.text("koordination", f"frage veröffentlichen {number}")
    _, page, _ = await visitor.get(PAGE)
    assert "Im Februar." in page


async def test_rejected_questions_are_never_published(site: tuple[Bot, Visitor]) -> None:
    bot, visitor = site
    await visitor.post(_good(text="Kaufen Sie Uhren!"))
    number = _question_id(bot)
    assert "abgelehnt" in await bot.text("koordination", f"frage ablehnen {number} Werbung")
    assert "abgelehnt" in await bot.text("koordination", f"frage veröffentlichen {number}")
    _, page, _ = await visitor.get(PAGE)
    assert "Uhren" not in page
    with bot.app.uow_factory() as uow:
        q = uow.questions.get(number)
        assert q is not None and q.state == "rejected" and q.email is None


async def test_email_deleted_after_the_retention_period_and_export_and_erasure(site: tuple[Bot, Visitor]) -> None:
    bot, visitor = site
    await visitor.post(_good())
    await visitor.post(_good(email="other@example.org", text="Zweite Frage"))
    first = _question_id(bot) - 1
    await bot.tick()
    with bot.app.uow_factory() as uow:
        assert uow.questions.get(first).email == "erika@example.org"  # type: ignore[union-attr]
    bot.clock.now += timedelta(days=91)  # [questions] email_retention_days = 90
    await bot.tick()
    with bot.app.uow_factory() as uow:
        q = uow.questions.get(first)
        assert q is not None and q.email is None and q.sender_key is None and q.text  # the question stays

    # export and erasure for the GDPR `person` commands: by address, and a moderator's traces
    await visitor.post(_good(email="Erika@Example.org", text="Dritte Frage"))
    third = _question_id(bot)
    await bot.text("koordination", f"frage antworten {third} Bald.")
    with bot.app.uow_factory() as uow:
        exported = service.export_for(uow, email="erika@example.org")
        assert [(e["id"], e["roles"], e["text"]) for e in exported] == [(third, ["author"], "Dritte Frage")]
        coordinator = uow.people.by_handle("koordination")
        mine = service.export_for(uow, person=coordinator)
        assert [(e["id"], e["roles"]) for e in mine] == [(third, ["answered"])]
        assert service.erase_for(uow, email="erika@example.org") == 1
        assert service.erase_for(uow, person=coordinator) == 0
        uow.commit()
    with bot.app.uow_factory() as uow:
        assert uow.questions.get(third) is None
        assert not service.export_for(uow, person=uow.people.by_handle("koordination"))


async def test_the_static_export_posts_to_the_bot_and_a_second_click_sends(site: tuple[Bot, Visitor], tmp_path: Any) -> None:
    bot, visitor = site
    from bot.public.export import export

    await bot.app.run_sync(export, bot.app, tmp_path)
    exported = (tmp_path / "empfehlungen" / "HF2-04.html").read_text()
    assert '<form method="post" action="http://127.0.0.1:8080/fragen"' in exported  # [web] public_base_url
    assert 'name="token" value=""' in exported
    # posted from the city's static copy: no token, no cookie yet → the form again, values kept
    status, page, _ = await visitor.post(_good(text="Von der statischen Seite"), token="")
    assert status == 403 and ">Von der statischen Seite</textarea>" in page and _stored(bot) == 0
    token = re.search(r'name="token" value="([^"]*)"', page)[1]  # type: ignore[index]
    assert token  # now with this visitor's token: the second click sends
    assert (await visitor.post(_good(text="Von der statischen Seite"), token=token))[0] == 303
    assert _stored(bot) == 1


async def test_the_export_of_the_person_a_question_went_to_holds_no_citizen_data(site: tuple[Bot, Visitor]) -> None:
    """`meine daten` of the owner a question was forwarded to (issue #15): her own role, not the
    citizen's e-mail address or a name the citizen did not want shown."""
    bot, visitor = site
    await visitor.post(_good(name="Verborgene Bürgerin", show_name="", email="buergerin@example.org"))
    number = _question_id(bot)
    with bot.app.uow_factory() as uow:
        owner = uow.catalog.recommendation("HF2-04").owner.handle  # type: ignore[union-attr]
    await bot.text("koordination", f"frage weiterleiten {number}")
    await bot.text(owner, f"frage antworten {number} Im Februar.")
    [export] = [a for m in await bot.say(owner, "meine daten") for a in m.attachments]
    data = json.loads(export.data)
    text = json.dumps(data, ensure_ascii=False)
    assert "buergerin@example.org" not in text and "Verborgene Bürgerin" not in text
    [entry] = [q for q in data["questions"] if q["id"] == number]
    assert "forwarded_to" in entry["roles"] and entry["text"] == "Wann beginnt der nächste Kurs?"
    # the office's export of the citizen's address still has everything about her
    with bot.app.uow_factory() as uow:
        [own] = service.export_for(uow, email="buergerin@example.org")
        assert own["email"] == "buergerin@example.org" and own["name"] == "Verborgene Bürgerin"


async def test_a_name_with_line_breaks_and_tabs_is_stored_on_one_line(site: tuple[Bot, Visitor]) -> None:
    """sec2 F9: `name=Line1%0ALine2%09Tab` and U+2028/U+2029 in a name were kept, so the
    coordinator's notice showed the name over several lines (it could fake a "Von:" line) and
    the page and the feed printed it so; a browser's one-line input cannot send them."""
    bot, visitor = site
    for hostile, stored in (("Line1\nLine2\tTab", "Line1 Line2 Tab"), ("A\u2028B\u2029C", "A B C"),
                            ("Anna\r\nVon: Amt", "Anna Von: Amt")):
        status, _, _ = await visitor.post(_good(name=hostile, text=f"Frage von {stored}?"))
        assert status == 303
        with bot.app.uow_factory() as uow:
            assert uow.session.get(PublicQuestion, _question_id(bot)).name == stored
    await bot.app.settle()
    notices = [text for text in bot.to(OFFICE) if "Anna" in text]
    assert notices and all("\nVon: Amt" not in text for text in notices)
