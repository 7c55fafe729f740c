"""Delivered report files (storage/models/reports.py)."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import ReportFile


class ReportFileRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def store(self, file: ReportFile, content: bytes) -> ReportFile:
        """Size and checksums from the bytes; a file for the same line and period is replaced."""
        found = self.session.scalar(select(ReportFile).where(
            ReportFile.reporting_line_id == file.reporting_line_id, ReportFile.period == file.period,
            ReportFile.mime_type == file.mime_type)) if file.reporting_line_id else None
        target = found or file
        if found is not None:
            for key in ("kind", "title", "from_body_id", "to_body_id", "file_name", "data_state", "delivered_at"):
                setattr(found, key, getattr(file, key))
        target.content, target.size = content, len(content)
        target.sha1, target.sha512 = hashlib.sha1(content).hexdigest(), hashlib.sha512(content).hexdigest()
        self.session.add(target)
        return target

    def get(self, number: int) -> ReportFile | None:
        return self.session.get(ReportFile, number)

    def all(self) -> Sequence[ReportFile]:
        return self.session.scalars(select(ReportFile).order_by(ReportFile.id)
                                    .options(selectinload(ReportFile.to_body), selectinload(ReportFile.from_body))).all()

    def released(self) -> Sequence[ReportFile]:
        return self.session.scalars(select(ReportFile).where(ReportFile.released_at.is_not(None))
                                    .order_by(ReportFile.id)
                                    .options(selectinload(ReportFile.to_body), selectinload(ReportFile.from_body))).all()

    def release(self, file: ReportFile, when: datetime, person_id: int | None) -> None:
        file.released_at, file.released_by_id = when, person_id
