"""No leaks (issue #7): whatever the database holds, the public outputs show only what is public.

Hypothesis fills the example city's database with random people (with and without publication
consent, some anonymised), status updates with secret free texts, pending and withheld releases
with secret texts, internal agenda items (not public, or public but not accepted) with secret
titles, and meetings with secret minutes and links; then every public output is rendered — every
path of the site (pages, Atom, JSON) and every OParl document (system, body, each list with all
its pages and filters, each object on its own) — and none of the secrets and none of the
non-consenting people's names or e-mail addresses may appear in any of them.

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
from storage.models import (AgendaItem, Body, Meeting, Membership, Person, Recommendation, Release, Status,
                            StatusUpdate)
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
meeting_st = st.fixed_dictionaries({
    "body": st.integers(0, 10_000), "days": st.integers(-400, 400), "minutes": secret(),
    "online_url": secret(), "state": st.sampled_from(["planned", "invited", "held", "cancelled"]),
    "internal": st.lists(item_st, max_size=3), "public_result": secret()})


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    path: Path = tmp_path_factory.mktemp("noleaks") / "sachstand.db"
    application = App(make_settings(f"sqlite:///{path}", general__example_history="true"), transports=[],
                      clock=lambda: NOW)
    application.prepare()
    yield application
    application.engine.dispose()


def _fill(uow: Any, people: list[dict], updates: list[dict], releases: list[dict],
          meetings: list[dict]) -> tuple[set[str], set[str]]:
    """Adds the random rows; returns (secrets, private names and addresses)."""
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
        secrets |= {m["minutes"], m["online_url"], m["public_result"]}
        secrets |= {a["title"] for a in m["internal"]}
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
       releases=st.lists(release_st, max_size=5), meetings=st.lists(meeting_st, max_size=4))
def test_nothing_private_reaches_a_public_output(app: App, people: list[dict], updates: list[dict],
                                                 releases: list[dict], meetings: list[dict]) -> None:
    site = Site(app.services)
    with app.uow_factory() as uow:  # leaves by rolling back: every example starts from the example city
        secrets, private = _fill(uow, people, updates, releases, meetings)
        outputs: dict[str, str] = {}
        for path in site.paths(uow):
            page = site.page(uow, path)
            assert page is not None, path
            outputs[path] = page.body.decode()
        outputs.update(_oparl_documents(app, uow))
        # the rows are there and some public content is rendered around them
        assert any("Öffentlicher Punkt" in text for text in outputs.values()) or not meetings
        consenting_shown = [p["name"] for p in people if p["consent"] and not p["anonymized"]]
        if consenting_shown:
            assert any(consenting_shown[0] in text for text in outputs.values()), "consented names are shown"
    leaks = [(where, needle) for needle in secrets | private for form in _forms(needle)
             for where, text in outputs.items() if form in text]
    assert not leaks, leaks[:5]
