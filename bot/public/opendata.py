"""The machine-readable outputs of the public site: the Atom feed and /api/status.json (its
JSON Schema is status_schema.py). The same rules as the pages: only what `data` and
`monitoring` call public."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from feedgen.feed import FeedGenerator

from bot.core.commands import N_
from bot.core.labels import STATUS_LABELS

from . import data, monitoring

if TYPE_CHECKING:
    from bot.core.context import Services
    from storage.uow import UnitOfWork

# of the /api/status.json format (api/status.schema.json): 1.1 added version, license; 1.2 added
# counts, overdue_as_of, body, unit, metrics, measures, indicators; 1.3 the overall progress, progress_basis
STATUS_VERSION = "1.3"


def atom(services: Services, base: str, licence: str, uow: UnitOfWork) -> bytes:
    translations = services.translations
    locale = services.settings.general.locale
    concept = uow.catalog.concept()
    fg = FeedGenerator()
    fg.id(base + "feed.atom")
    fg.title(translations.gettext(locale, N_("Released changes")) + f" – {concept.title if concept else 'Sachstand'}")
    fg.link(href=base + "feed.atom", rel="self")
    fg.link(href=base + "index.html", rel="alternate")
    fg.language(locale)
    fg.updated(data.last_change(uow))
    # RFC 4287 4.1.1: a feed has an author unless every entry has one (published questions may not)
    fg.author({"name": concept.title if concept else "Sachstand", "uri": base})
    fg.rights(licence)
    entries: list[tuple[Any, int, Any]] = [(state.at, 0, (rec, state)) for rec, state in data.feed(uow)]
    entries += [(q.answered_at or q.published_at, 1, q) for q in data.all_questions(uow, limit=50)]
    for _, kind, value in sorted(entries, key=lambda e: (e[0], e[1])):  # feedgen prepends: oldest first
        if kind == 1:
            _question_entry(services, base, fg.add_entry(), value)
            continue
        rec, state = value
        entry = fg.add_entry()
        entry.id(f"{base}empfehlungen/{rec.code}.html#freigabe-{state.release_id}")
        status = translations.gettext(locale, STATUS_LABELS[state.status]) if state.status else ""
        progress = f", {state.progress} %" if state.progress is not None else ""
        entry.title(f"{rec.code} {rec.title}: {status}{progress}")
        entry.link(href=f"{base}empfehlungen/{rec.code}.html")
        entry.updated(state.at)
        entry.published(state.at)
        entry.content(state.text or f"{status}{progress}", type="text")
    return fg.atom_str(pretty=True)


def _question_entry(services: Services, base: str, entry: Any, q: data.PublishedQuestion) -> None:
    """A published question as an Atom entry; the text is type="text": markup stays text."""
    t = services.translations
    locale = services.settings.general.locale
    page = f"empfehlungen/{q.code}.html" if q.code else "index.html"
    entry.id(f"{base}{page}#frage-{q.id}")
    about = t.gettext(locale, N_("Question about {code}"), code=q.code) if q.code else t.gettext(
        locale, N_("Question about the concept"))
    short = " ".join(q.text.split())
    entry.title(f"{about}: {short[:80]}{'…' if len(short) > 80 else ''}")
    entry.link(href=f"{base}{page}#frage-{q.id}")
    entry.published(q.published_at)
    entry.updated(q.answered_at or q.published_at)
    if q.name:
        entry.author({"name": q.name})
    body = t.gettext(locale, N_("Question: {text}"), text=q.text)
    if q.answer:
        body += "\n\n" + t.gettext(locale, N_("Answer: {text}"), text=q.answer)
    entry.content(body, type="text")


def status_json(base: str, licence: str, uow: UnitOfWork, today: Any) -> dict[str, Any]:
    concept = uow.catalog.concept()
    questions: dict[str | None, list[dict[str, Any]]] = {}
    for q in reversed(data.all_questions(uow)):  # oldest first, like a conversation
        questions.setdefault(q.code, []).append(_question_json(q))
    fields = data.overview(uow)
    items = [it for f in fields for it in f.items]
    return {
        "$schema": base + "api/status.schema.json", "version": STATUS_VERSION, "license": licence,
        "concept": {"title": concept.title if concept else "", "city": concept.city if concept else ""},
        "updated": data.last_change(uow).isoformat(),
        "counts": _counts(data.status_counts(items)),
        "progress": data.mean_progress(items), "progress_basis": sum(1 for it in items if data.averaged(it)),
        "fields": [{
            "code": f.field.code, "title": f.field.title, "progress": f.progress,
            "progress_basis": f.progress_basis, "counts": _counts(f.counts()),
            "recommendations": [_item_json(uow, it, questions.get(it.rec.code, []), today) for it in f.items],
        } for f in fields],
        "indicators": [_indicator_json(base, i) for i in monitoring.indicators(uow)],
        "questions": questions.get(None, []),  # about the concept as a whole
    }


def _counts(counts: dict[Any, int]) -> dict[str, int]:
    return {getattr(k, "value", k): v for k, v in counts.items()}


def _question_json(q: data.PublishedQuestion) -> dict[str, Any]:
    return {"id": q.id, "question": q.text, "answer": q.answer or None, "name": q.name or None,
            "published_at": q.published_at.isoformat(),
            "answered_at": q.answered_at.isoformat() if q.answered_at else None}


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _item_json(uow: UnitOfWork, it: data.PublicItem, questions: list[dict[str, Any]], today: Any) -> dict[str, Any]:
    latest, rec = it.latest, it.rec
    return {"questions": questions, "code": rec.code, "title": rec.title, "owner": it.owner or None,
            "unit": rec.owner_unit or None, "body": rec.body.code if rec.body else None,
            "time_target": _day(rec.time_target), "overdue_as_of": _day(it.overdue_as_of(today)),
            "status": latest.status.value if latest and latest.status else None,
            "progress": latest.progress if latest else None, "summary": latest.text if latest else "",
            "released_at": latest.at.isoformat() if latest else None,
            "history": [{"status": s.status.value if s.status else None, "progress": s.progress, "text": s.text,
                         "released_at": s.at.isoformat()} for s in it.history],
            "metrics": [{"name": m.metric.name, "unit": m.metric.unit, "baseline": _number(m.metric.baseline),
                         "baseline_date": _day(m.metric.baseline_date), "target": _number(m.metric.target),
                         "target_date": _day(m.metric.target_date), "value": _number(m.value),
                         "value_date": _day(m.as_of)} for m in monitoring.metrics(uow, rec)],
            "measures": [{"code": m.code, "title": m.title, "unit": m.owner_unit or None, "start": _day(m.start),
                          "end": _day(m.end), "status": m.status.value, "progress": m.progress}
                         for m in it.measures],
            "indicators": [i.code for i in rec.indicators]}


def _indicator_json(base: str, pi: monitoring.PublicIndicator) -> dict[str, Any]:
    ind = pi.indicator
    values = [{"period": v.period, "gender": v.gender, "district": v.district or None, "value": float(v.value)}
              for v in sorted(ind.values, key=lambda v: (v.period, v.district, v.gender))]
    return {"code": ind.code, "name": ind.name, "unit": ind.unit, "source": ind.source,
            "periodicity": ind.periodicity, "updated": ind.updated_at.isoformat(),
            "url": f"{base}kennzahlen/{ind.code}.html", "recommendations": [r.code for r in pi.recommendations],
            "values": values}
