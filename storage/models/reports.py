"""Report files delivered along the reporting lines (issue #21): the PDF as it went out, for the
council's information system (OParl Paper and File) once a coordinator releases it."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped

if TYPE_CHECKING:
    from .bodies import Body


class ReportFile(Timestamped, Base):
    __tablename__ = "report_files"
    __table_args__ = (UniqueConstraint("reporting_line_id", "period", "mime_type"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # sachstand|stand|halbjahr|beirat|integrationsbericht
    period: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    reporting_line_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_lines.id", ondelete="SET NULL"))
    from_body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"))
    to_body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha1: Mapped[str] = mapped_column(String(40))
    sha512: Mapped[str] = mapped_column(String(128))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    data_state: Mapped[datetime]
    delivered_at: Mapped[datetime]
    released_at: Mapped[datetime | None] = mapped_column(index=True)  # public (OParl) from then on
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    from_body: Mapped[Body] = relationship(foreign_keys=[from_body_id])
    to_body: Mapped[Body] = relationship(foreign_keys=[to_body_id])
