"""Concept → field of action → recommendation → measure; target metrics; indicators."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Status, Timestamped, str_enum

if TYPE_CHECKING:
    from .bodies import Body
    from .people import Person

Money = Numeric(14, 2)
Amount = Numeric(18, 4)


class Concept(Timestamped, Base):
    __tablename__ = "concepts"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Level labels are configuration: Köln says Handlungsfeld, Oberhausen Leitziel.
    levels: Mapped[dict] = mapped_column(default=dict)
    example: Mapped[bool] = mapped_column(default=False)
    fields: Mapped[list[Field]] = relationship(back_populates="concept", order_by="Field.position")


class Field(Timestamped, Base):
    __tablename__ = "fields"
    id: Mapped[int] = mapped_column(primary_key=True)
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"))
    concept: Mapped[Concept] = relationship(back_populates="fields")
    body: Mapped[Body | None] = relationship()
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="field", order_by="Recommendation.code")


recommendation_indicators = Table(
    "recommendation_indicators", Base.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True),
)


class Recommendation(Timestamped, Base):
    __tablename__ = "recommendations"
    id: Mapped[int] = mapped_column(primary_key=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("fields.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    owner_unit: Mapped[str] = mapped_column(String(200), default="")
    time_target: Mapped[date | None]
    status: Mapped[Status] = mapped_column(str_enum(Status), default=Status.NOT_STARTED)
    progress: Mapped[int] = mapped_column(default=0)
    progress_from_measures: Mapped[bool] = mapped_column(default=False)
    field: Mapped[Field] = relationship(back_populates="recommendations")
    body: Mapped[Body | None] = relationship()
    owner: Mapped[Person | None] = relationship()
    metrics: Mapped[list[TargetMetric]] = relationship(
        back_populates="recommendation", order_by="TargetMetric.position", cascade="all, delete-orphan")
    measures: Mapped[list[Measure]] = relationship(
        back_populates="recommendation", order_by="Measure.code", cascade="all, delete-orphan")
    indicators: Mapped[list[Indicator]] = relationship(secondary=recommendation_indicators)

    def is_overdue(self, today: date) -> bool:
        return self.time_target is not None and self.time_target < today and not self.status.closed

    def derived_progress(self) -> int | None:
        """The weighted mean of the measures' progress (dropped measures do not count)."""
        counted = [m for m in self.measures if m.status != Status.DROPPED and m.weight > 0]
        total = sum((m.weight for m in counted), Decimal(0))
        if not counted or total == 0:
            return None
        return round(sum((m.weight * m.progress for m in counted), Decimal(0)) / total)


class TargetMetric(Timestamped, Base):
    """Zielerreichungsgröße: a measurable target with baseline and current value, each dated."""

    __tablename__ = "target_metrics"
    __table_args__ = (UniqueConstraint("recommendation_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40), default="")
    baseline: Mapped[Decimal | None] = mapped_column(Amount)
    baseline_date: Mapped[date | None]
    target: Mapped[Decimal | None] = mapped_column(Amount)
    target_date: Mapped[date | None]
    current: Mapped[Decimal | None] = mapped_column(Amount)
    current_date: Mapped[date | None]
    recommendation: Mapped[Recommendation] = relationship(back_populates="metrics")
    values: Mapped[list[MetricValue]] = relationship(
        back_populates="metric", order_by="MetricValue.as_of", cascade="all, delete-orphan")


class MetricValue(Base):
    """Every reported value of a target metric, so trends survive later corrections."""

    __tablename__ = "metric_values"
    id: Mapped[int] = mapped_column(primary_key=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("target_metrics.id", ondelete="CASCADE"), index=True)
    value: Mapped[Decimal] = mapped_column(Amount)
    as_of: Mapped[date]
    status_update_id: Mapped[int | None] = mapped_column(
        ForeignKey("status_updates.id", ondelete="SET NULL"))
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column()
    metric: Mapped[TargetMetric] = relationship(back_populates="values")


class Measure(Timestamped, Base):
    __tablename__ = "measures"
    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    owner_unit: Mapped[str] = mapped_column(String(200), default="")
    start: Mapped[date | None]
    end: Mapped[date | None]
    budget_planned: Mapped[Decimal | None] = mapped_column(Money)
    budget_spent: Mapped[Decimal | None] = mapped_column(Money)
    staff: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))  # full-time equivalents
    status: Mapped[Status] = mapped_column(str_enum(Status), default=Status.NOT_STARTED)
    progress: Mapped[int] = mapped_column(default=0)
    weight: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(1))
    recommendation: Mapped[Recommendation] = relationship(back_populates="measures")
    owner: Mapped[Person | None] = relationship()


class Indicator(Timestamped, Base):
    """Monitoring indicator (Kennziffer) with values per period and breakdown."""

    __tablename__ = "indicators"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(40), default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    periodicity: Mapped[str] = mapped_column(String(20), default="annual")
    description: Mapped[str] = mapped_column(Text, default="")
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator", order_by="IndicatorValue.period", cascade="all, delete-orphan")


class IndicatorValue(Base):
    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("indicator_id", "period", "gender", "district"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(20))
    # Breakdown dimensions; "" means the total over that dimension (keeps the unique key NULL-free).
    gender: Mapped[str] = mapped_column(String(20), default="gesamt")
    district: Mapped[str] = mapped_column(String(80), default="")
    value: Mapped[Decimal] = mapped_column(Amount)
    indicator: Mapped[Indicator] = relationship(back_populates="values")
