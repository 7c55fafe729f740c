"""The public side of target metrics, measures and monitoring indicators.

- A target metric's baseline and target are part of the published catalog. Its value is public
  as the office imported it, or as reported in a status update that the office released; a value
  reported in chat and not yet released never shows (the catalog's `current` is the internal value
  and is overwritten by every report, so the imported value is taken from the change log then).
- Measures are the catalog's measures programme, maintained by the office: title, unit, dates,
  status and progress as in the catalog.
- Monitoring indicators are published statistics (imported by the office): all their values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.catalog_edits import unreleased
from bot.core.commands import N_

from storage.models import Change, Indicator, MetricValue, Recommendation, Release, TargetMetric

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

COUNT_UNITS = ("anzahl", "count", "number", "personen", "persons")
GENDERS = ("gesamt", "weiblich", "männlich", "divers")
GENDER_LABELS = {"gesamt": N_("all"), "weiblich": N_("female"), "männlich": N_("male"), "divers": N_("diverse")}


@dataclass
class PublicMetric:
    metric: TargetMetric
    value: Decimal | None  # the latest public value
    as_of: date | None
    history: list[tuple[date | None, Decimal]] = field(default_factory=list)  # public values, oldest first

    @property
    def falling(self) -> bool:
        """Lower is better (a rate of unemployment, weeks of waiting): "13,9 of 12 %" would read as
        beyond the target, so the page says value and target apart (site finding F11)."""
        m = self.metric
        return m.baseline is not None and m.target is not None and m.target < m.baseline

    @property
    def share(self) -> int | None:
        """How far from baseline to target the public value is, 0–100 (None: not computable)."""
        m, value = self.metric, self.value
        if value is None or m.target is None:
            return None
        start = m.baseline if m.baseline is not None else Decimal(0)
        if m.target == start:
            return 100 if value == m.target else 0
        return max(0, min(100, round(float((value - start) / (m.target - start)) * 100)))


def metrics(uow: UnitOfWork, rec: Recommendation) -> list[PublicMetric]:
    released_updates = set(uow.session.scalars(select(Release.status_update_id).where(
        Release.recommendation_id == rec.id, Release.state == "released",
        Release.status_update_id.is_not(None))).all())
    out = []
    hidden = unreleased(uow.session).metrics  # a chair's new metric waits for release
    for metric in rec.metrics:
        if (rec.id, metric.name) in hidden:
            continue
        values = uow.session.scalars(select(MetricValue).where(MetricValue.metric_id == metric.id)
                                     .order_by(MetricValue.recorded_at, MetricValue.id)).all()
        history: list[tuple[date | None, Decimal]] = []
        if not values:
            if metric.current is not None:
                history.append((metric.current_date, metric.current))
        else:
            catalogs = [v for v in values if v.status_update_id is None and v.reported_by_id is None]
            if catalogs:  # the imported value with its date, kept at the first report (site2 F1)
                history.append((catalogs[0].as_of, catalogs[0].value))
            else:
                imported = _imported_value(uow, rec, metric)
                if imported is not None:
                    history.append((None, imported))
            history += [(v.as_of, v.value) for v in values if v.status_update_id in released_updates]
        as_of, value = history[-1] if history else (None, None)
        out.append(PublicMetric(metric, value, as_of, history))
    return out


def _imported_value(uow: UnitOfWork, rec: Recommendation, metric: TargetMetric) -> Decimal | None:
    """The value before the first report in chat: the `old` of the first change of the metric."""
    first = uow.session.scalar(select(Change).where(
        Change.recommendation_id == rec.id, Change.field_name == f"metric:{metric.name}",
        Change.source.in_(("round", "update"))).order_by(Change.at, Change.id).limit(1))
    if first is None or first.old in (None, "", "None"):
        return None
    try:
        return Decimal(first.old)
    except ArithmeticError:
        return None


@dataclass
class PublicIndicator:
    indicator: Indicator
    periods: list[str]  # oldest first
    by_gender: dict[str, dict[str, Decimal]]  # gender → period → value (district-wide)
    by_district: dict[str, dict[str, Decimal]]  # period → district → value (all genders)
    recommendations: list[Recommendation]

    @property
    def latest_period(self) -> str | None:
        return self.periods[-1] if self.periods else None

    @property
    def latest(self) -> Decimal | None:
        period = self.latest_period
        return self.by_gender.get("gesamt", {}).get(period) if period else None

    @property
    def previous_period(self) -> str | None:
        total = self.by_gender.get("gesamt", {})
        earlier = [p for p in self.periods[:-1] if p in total]
        return earlier[-1] if earlier and self.latest is not None else None

    @property
    def change(self) -> Decimal | None:
        """The trend as the chat's `kennzahl` states it: latest minus the period before (site2 F9)."""
        previous, latest = self.previous_period, self.latest
        return None if previous is None or latest is None else latest - self.by_gender["gesamt"][previous]

    @property
    def percent(self) -> bool:
        return self.indicator.unit.strip() in ("%", "Prozent", "percent")

    @property
    def unit_after(self) -> str:
        """The unit as written after a number: none for a plain count ("8.134", not "8.134 Anzahl")."""
        unit = (self.indicator.unit or "").strip()
        return "" if unit.lower() in COUNT_UNITS else unit

    @property
    def decimals(self) -> int:
        """The decimals every value of the indicator is shown with ("11,0" next to "10,9")."""
        values = [v for data in self.by_gender.values() for v in data.values()]
        values += [v for data in self.by_district.values() for v in data.values()]
        return max((max(0, -int(v.normalize().as_tuple().exponent)) for v in values if v.is_finite()), default=0)

    @property
    def genders(self) -> list[str]:
        return [g for g in GENDERS if g in self.by_gender]

    @property
    def district_period(self) -> str | None:
        """The newest period with values per district."""
        return max(self.by_district, default=None)


def indicator(uow: UnitOfWork, ind: Indicator) -> PublicIndicator:
    by_gender: dict[str, dict[str, Decimal]] = {}
    by_district: dict[str, dict[str, Decimal]] = {}
    for v in ind.values:
        if v.district:
            if v.gender == "gesamt":
                by_district.setdefault(v.period, {})[v.district] = v.value
        else:
            by_gender.setdefault(v.gender, {})[v.period] = v.value
    periods = sorted({p for values in by_gender.values() for p in values})
    recs = uow.session.scalars(select(Recommendation).where(Recommendation.indicators.any(Indicator.id == ind.id))
                               .order_by(Recommendation.code)).all()
    return PublicIndicator(ind, periods, by_gender, by_district, list(recs))


def indicators(uow: UnitOfWork) -> list[PublicIndicator]:
    return [indicator(uow, ind) for ind in uow.catalog.indicators()]
