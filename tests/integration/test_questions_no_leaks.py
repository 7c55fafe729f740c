"""No leaks from public questions (issue #8): Hypothesis fills the database with submissions in
every state — with e-mail addresses, names with and without consent to show them, secret texts and
answers of questions not (yet) published — and renders every path of the public site (pages, Atom,
JSON). No address, no name without consent, and nothing of an unpublished question may appear;
published questions and their answers do appear."""
from __future__ import annotations

import html
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.public.site import Site
from storage.models import PublicQuestion, Recommendation
from tests.helpers.harness import make_settings

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=8)
question_st = st.fixed_dictionaries({
    "rec": st.none() | st.integers(0, 10_000), "n": st.integers(100_000, 999_999), "word": WORD,
    "state": st.sampled_from(["new", "forwarded", "published", "rejected"]), "answered": st.booleans(),
    "named": st.booleans(), "show_name": st.booleans(), "email": st.booleans()})


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    path: Path = tmp_path_factory.mktemp("questionleaks") / "sachstand.db"
    application = App(make_settings(f"sqlite:///{path}"), transports=[], clock=lambda: NOW)
    application.prepare()
    yield application
    application.engine.dispose()


def _forms(text: str) -> set[str]:
    return {text, html.escape(text), html.escape(text, quote=False), json.dumps(text, ensure_ascii=False)[1:-1]}


@settings(max_examples=15, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(questions=st.lists(question_st, min_size=1, max_size=8, unique_by=lambda q: q["n"]))
def test_only_published_questions_answers_and_consented_names_are_public(app: App, questions: list[dict]) -> None:
    site = Site(app.services)
    with app.uow_factory() as uow:  # rolled back at the end
        recs = uow.session.query(Recommendation).order_by(Recommendation.id).all()
        private: set[str] = set()
        public: set[str] = set()
        for i, q in enumerate(questions):
            text, answer = f"Frage{q['n']} {q['word']}", f"Antwort{q['n']} <b>{q['word']}</b>"
            name, email = f"Qn{q['n']} Zname", f"qx{q['n']}@geheim.example"
            row = PublicQuestion(recommendation_id=recs[q["rec"] % len(recs)].id if q["rec"] is not None else None,
                                 text=text, name=name if q["named"] else "", show_name=q["show_name"],
                                 email=email if q["email"] else None, consent_at=NOW, state=q["state"],
                                 answer=answer if q["answered"] else "", sender_key=f"key{i}",
                                 published_at=NOW - timedelta(hours=i) if q["state"] == "published" else None,
                                 answered_at=NOW if q["answered"] else None, created_at=NOW, updated_at=NOW)
            uow.session.add(row)
            private |= {email, f"key{i}"}
            if q["state"] == "published":
                public.add(text)
                if q["answered"]:
                    public.add(answer)
                (public if q["named"] and q["show_name"] else private).add(name)
            else:
                private |= {text, answer, name}
        uow.session.flush()
        outputs = {path: site.page(uow, path).body.decode() for path in site.paths(uow)}  # type: ignore[union-attr]
        uow.session.rollback()
    for secret in private:
        leaks = [path for path, body in outputs.items() if any(f in body for f in _forms(secret))]
        assert not leaks, f"{secret!r} appears in {leaks}"
    for shown in public:
        assert any(any(f in body for f in _forms(shown)) for body in outputs.values()), f"{shown!r} is not shown"
