"""No leaks (issue #7): whatever the database holds, the public outputs show only what is public.

Hypothesis fills the example city's database with random people (with and without publication
consent, some anonymised), status updates with secret free texts, pending and withheld releases
with secret texts, internal agenda items (not public, or public but not accepted) with secret
titles, and meetings with secret minutes and links; then every public output is rendered — every
path of the site (pages, Atom, JSON) and every OParl document (system, body, each list with all
its pages and filters, each object on its own) and every calendar (all bodies, each body) — and
none of the secrets, none of the non-consenting people's names, no e-mail address, no dial-in
link and no name a citizen did not want shown may appear in any of them. The reports (they go to
bodies, not the public, and may quote the answers) are held to the private part: names without
consent, addresses, dial-in links, citizens.

One database for the module (the example catalog with its history); each example adds its rows
in one session, renders from that session and rolls back.
"""
from __future__ import annotations

import html
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.public import data
from bot.public.oparl import OParl, Resolver
from bot.public.site import Site
from bot.meetings.feeds import feed_in
from bot.reports.documents import KINDS
from bot.reports.documents import render as render_report
from storage.models import (AgendaItem, Body, Meeting, Membership, Person, PublicQuestion, Recommendation, Release,
                            Status, StatusUpdate)
from storage.models.base import MemberRole
from tests.helpers.harness import make_settings

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß", min_size=4, max_size=9)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def secret() -> st.SearchStrategy[str]:
    """A text no public page contains by chance (the marker), with random words around it."""
    return st.builds(lambda a, b, n: f"Geheim{n} {a} {b}", WORD, WORD, st.integers(1000, 999_999))


def name() -> st.SearchStrategy[str]:
    return st.builds(lambda a, b: f"Qx{a.capitalize()} Zv{b.capitalize()}", WORD, WORD)


person_st = st.fixed_dictionaries({
    "name": name(), "consent": st.booleans(), "anonymized": st.booleans(),
    "owns": st.integers(0, 10_000), "member_of": st.lists(st.integers(0, 10_000), max_size=3),
    "chair": st.booleans()})
update_st = st.fixed_dictionaries({
    "rec": st.integers(0, 10_000), "happened": secret(), "next_steps": secret(), "blockers": secret(),
    "summary": secret(), "state": st.sampled_from(["pending", "submitted", "no_report"]),
    "status": st.sampled_from(list(Status)), "progress": st.integers(0, 100)})
release_st = st.fixed_dictionaries({
    "rec": st.integers(0, 10_000), "text": secret(), "state": st.sampled_from(["pending", "withheld"]),
    "kind": st.sampled_from(["summary", "status"]), "status": st.none() | st.sampled_from(list(Status)),
    "progress": st.none() | st.integers(0, 100), "with_update": st.booleans()})
item_st = st.fixed_dictionaries({
    "title": secret(), "public": st.booleans(),
    "state": st.sampled_from(["proposed", "accepted", "rejected"])}).filter(
    lambda a: not (a["public"] and a["state"] == "accepted"))
def dial_in() -> st.SearchStrategy[str]:
    """A video-conference link with its PIN, as a chair pastes it into `sitzung anlegen`."""
    return st.builds(lambda n, w: f"https://meet.example.org/j/{n}?pwd=Geheim{w}{n}", st.integers(10**6, 10**9), WORD)


meeting_st = st.fixed_dictionaries({
    "body": st.integers(0, 10_000), "days": st.integers(-400, 400), "minutes": secret(),
    "online_url": dial_in(), "state": st.sampled_from(["planned", "invited", "held", "cancelled"]),
    "internal": st.lists(item_st, max_size=3), "public_result": secret()})
question_st = st.fixed_dictionaries({
    "name": st.builds(lambda a, b: f"Bq{a.capitalize()} Bw{b.capitalize()}", WORD, WORD),  # a citizen
    "show_name": st.booleans(), "text": secret(), "answer": secret(), "rec": st.integers(0, 10_000),
    "state": st.sampled_from(["new", "forwarded", "published", "rejected"])})


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    path: Path = tmp_path_factory.mktemp("noleaks") / "sachstand.db"
    application = App(make_settings(f"sqlite:///{path}", general__example_history="true"), transports=[],
                      clock=lambda: NOW)
    application.prepare()
    yield application
    application.engine.dispose()


def _fill(uow: Any, people: list[dict], updates: list[dict], releases: list[dict],
          meetings: list[dict], questions: list[dict] = ()) -> tuple[set[str], set[str]]:  # type: ignore[assignment]
    """Adds the random rows; returns (secrets, private: names, addresses, dial-in links)."""
    s = uow.session
    recs = s.query(Recommendation).order_by(Recommendation.id).all()
    bodies = s.query(Body).order_by(Body.id).all()
    secrets: set[str] = set()
    private: set[str] = set()
    persons = []
    for i, p in enumerate(people):
        email = f"qx{i}.{p['name'].split()[1].lower()}@geheim.example"
        person = Person(handle=f"qxleak{i}", name=p["name"], email=email, org_unit="",
                        publication_consent=p["consent"],
                        consent_changed_at=NOW - timedelta(days=3) if not p["consent"] and i % 2 else None,
                        anonymized_at=NOW - timedelta(days=1) if p["anonymized"] else None)
        s.add(person)
        persons.append(person)
        if not p["consent"] or p["anonymized"]:
            private |= {p["name"], email}
        else:
            secrets.add(email)  # consent covers the name, never the address
    s.flush()
    for person, p in zip(persons, people):
        recs[p["owns"] % len(recs)].owner = person
        for b in {b % len(bodies) for b in p["member_of"]}:
            s.add(Membership(body_id=bodies[b].id, person_id=person.id,
                             role=MemberRole.CHAIR if p["chair"] else MemberRole.MEMBER))
    authors = persons or [None]
    for i, u in enumerate(updates):
        author = authors[i % len(authors)]
        s.add(StatusUpdate(recommendation_id=recs[u["rec"] % len(recs)].id, author=author, asked=author,
                           state=u["state"], status=u["status"], progress=u["progress"], happened=u["happened"],
                           next_steps=u["next_steps"], blockers=u["blockers"], public_summary=u["summary"],
                           publish_ok=False, submitted_at=NOW if u["state"] == "submitted" else None))
        secrets |= {u["happened"], u["next_steps"], u["blockers"], u["summary"]}
    for i, r in enumerate(releases):
        rec = recs[r["rec"] % len(recs)]
        update = None
        if r["with_update"]:
            update = StatusUpdate(recommendation_id=rec.id, state="submitted", status=r["status"],
                                  progress=r["progress"], happened=r["text"] + " A", next_steps=r["text"] + " B",
                                  blockers=r["text"] + " C", public_summary=r["text"], submitted_at=NOW)
            s.add(update)
            s.flush()
        s.add(Release(kind=r["kind"], recommendation_id=rec.id, status_update_id=update.id if update else None,
                      text=r["text"], status=r["status"], progress=r["progress"], state=r["state"],
                      decided_by_id=authors[i % len(authors)].id if authors[0] else None,
                      decided_at=NOW - timedelta(hours=i) if r["state"] == "withheld" else None))
        secrets.add(r["text"])
    for i, m in enumerate(meetings):
        start = NOW + timedelta(days=m["days"])
        meeting = Meeting(body_id=bodies[m["body"] % len(bodies)].id, title=f"Sitzung {i + 1}", starts_at=start,
                          ends_at=start + timedelta(hours=2), place="Rathaus", online_url=m["online_url"],
                          state=m["state"], uid=f"qxleak-{i}@sachstand", minutes=m["minutes"])
        meeting.agenda = [AgendaItem(position=j, title=a["title"], public=a["public"], state=a["state"],
                                     result=a["title"] + " Ergebnis")
                          for j, a in enumerate(m["internal"])]
        meeting.agenda.append(AgendaItem(position=99, title=f"Öffentlicher Punkt {i + 1}", public=True,
                                         state="accepted", result=m["public_result"]))
        s.add(meeting)
        secrets |= {m["minutes"], m["public_result"]}
        secrets |= {a["title"] for a in m["internal"]}
        private.add(m["online_url"])
    for i, q in enumerate(questions):  # the public's questions: e-mail never, the name only if shown
        published = q["state"] == "published"
        email = f"buerger{i}.{q['name'].split()[1].lower()}@geheim.example"
        s.add(PublicQuestion(recommendation_id=recs[q["rec"] % len(recs)].id, text=q["text"], name=q["name"],
                             show_name=q["show_name"], email=email, consent_at=NOW - timedelta(days=2),
                             state=q["state"], answer=q["answer"] if published else "",
                             created_at=NOW - timedelta(days=2),
                             published_at=NOW - timedelta(days=1) if published else None,
                             answered_at=NOW - timedelta(days=1) if published else None))
        private.add(email)
        if not (published and q["show_name"]):
            private.add(q["name"])
        if not published:
            secrets |= {q["text"], q["answer"]}
    s.flush()
    return secrets, private


def _oparl_documents(app: App, uow: Any) -> Iterator[tuple[str, str]]:
    concept = uow.catalog.concept()
    api = OParl(Site(app.services).base, concept.city if concept else "", concept.title if concept else "")
    resolver = Resolver(api, uow, data.last_change(uow))
    seen: set[str] = set()
    todo = [("", {}), ("body", {}), ("body/1", {})]
    todo += [(f"body/1/{name}", q) for name in ("organization", "meeting", "agendaItem", "person", "membership",
                                                  "paper", "legislativeTerm")
             for q in ({}, {"modified_since": "2000-01-01T00:00:00+00:00"})]
    while todo:
        path, query = todo.pop()
        key = path + "?" + json.dumps(query, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        document = resolver.resolve(path, query)
        assert document is not None, path
        yield key, json.dumps(document, ensure_ascii=False)
        if "next" in document.get("links", {}):
            url = urlsplit(document["links"]["next"])
            todo.append((url.path.split("/oparl/v1.1/", 1)[1], dict(parse_qsl(url.query))))
        for obj in document.get("data", []):  # each listed object on its own
            if not obj.get("deleted"):
                todo.append((obj["id"].split("/oparl/v1.1/", 1)[1], {}))


def _forms(text: str) -> set[str]:
    """A string as it may appear in HTML, XML or JSON output."""
    return {text, html.escape(text), html.escape(text, quote=False), json.dumps(text, ensure_ascii=False)[1:-1]}


# no shrinking: a rendering round takes ~0.5 s, and the failure message names the leak and the page
@settings(max_examples=25, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(people=st.lists(person_st, min_size=1, max_size=6, unique_by=lambda p: p["name"].split()[0]),  # no name inside another
       updates=st.lists(update_st, max_size=5),
       releases=st.lists(release_st, max_size=5), meetings=st.lists(meeting_st, max_size=4),
       questions=st.lists(question_st, max_size=4, unique_by=lambda q: q["name"].split()[0]))
def test_nothing_private_reaches_a_public_output(app: App, people: list[dict], updates: list[dict],
                                                 releases: list[dict], meetings: list[dict],
                                                 questions: list[dict]) -> None:
    site = Site(app.services)
    with app.uow_factory() as uow:  # leaves by rolling back: every example starts from the example city
        secrets, private = _fill(uow, people, updates, releases, meetings, questions)
        outputs: dict[str, str] = {}
        for path in site.paths(uow):
            page = site.page(uow, path)
            assert page is not None, path
            outputs[path] = page.body.decode()
        outputs.update(_oparl_documents(app, uow))
        for code in ["all", *(b.code for b in uow.session.query(Body).all())]:  # the subscribable calendars
            found = feed_in(app.services, uow, code)
            assert found is not None, code
            outputs[f"calendar/{code}.ics"] = _unfolded(found[0].decode())
        # the reports go to bodies, not the public: they may quote the answers, but never name a
        # person without consent, an e-mail address, a dial-in link or a citizen
        reports = {f"report/{kind}": render_report(app.services, uow, kind, "2026-H2" if kind == "halbjahr" else "2026",
                                                   "EG2" if kind == "sachstand" else None)
                   for kind in KINDS}
        # the rows are there and some public content is rendered around them
        assert any("Öffentlicher Punkt" in text for text in outputs.values()) or not meetings
        assert any(m["state"] != "cancelled" for m in meetings) <= any(
            "Öffentlicher Punkt" in text for where, text in outputs.items() if where.endswith(".ics"))
        consenting_shown = [p["name"] for p in people if p["consent"] and not p["anonymized"]]
        if consenting_shown:
            assert any(consenting_shown[0] in text for text in outputs.values()), "consented names are shown"
        shown = [q["name"] for q in questions if q["show_name"] and q["state"] == "published"]
        if shown:
            assert any(shown[0] in text for text in outputs.values()), "a name the citizen chose to show is shown"
    leaks = [(where, needle) for needle in secrets | private for form in _forms(needle)
             for where, text in outputs.items() if form in text]
    leaks += [(where, needle) for needle in private for form in _forms(needle)
              for where, text in reports.items() if form in text]
    assert not leaks, leaks[:5]


def _unfolded(ics_text: str) -> str:
    """iCalendar folds long lines (RFC 5545 3.1) and escapes commas: a secret must be found anyway."""
    return ics_text.replace("\r\n ", "").replace("\n ", "").replace("\\,", ",").replace("\\;", ";")
