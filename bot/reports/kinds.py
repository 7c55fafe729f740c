"""Which report a reporting line delivers: an expert group its Sachstand; a body without
recommendations of its own what its cadence asks for (yearly the Beirat's pack, half-yearly the
half-yearly report, otherwise the report on the state). Used by the documents (whom a report
goes to) and the delivery (what to send)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.models import ReportingLine
    from storage.uow import UnitOfWork


def kind_for(uow: UnitOfWork, line: ReportingLine, bodies_with_recs: set[int] | None = None) -> str:
    """`bodies_with_recs`: the bodies that have recommendations, when the caller knows them."""
    if (line.from_body_id in bodies_with_recs if bodies_with_recs is not None
            else uow.catalog.recommendations_of_body(line.from_body_id)):
        return "sachstand"
    return {1: "beirat", 2: "halbjahr"}.get(line.per_year, "stand")
