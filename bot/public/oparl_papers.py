"""Delivered reports as OParl 1.1 papers (issue #21): each report a coordinator released
(`bericht freigeben 3`) is a `Paper` — paper type, date, the organization it is addressed to,
its consultation at the receiving body's next planned meeting — with its PDF as the `File`
(size, SHA-1 and SHA-512 checksums, access and download URL). Reports not released are not
there, nor is their file downloadable.

The file is served at /berichte/<number>/<file name> (also what the public site links to).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storage.models import Meeting, ReportFile

from .oparl_common import SCHEMA, iso as _iso

if TYPE_CHECKING:
    from bot.core.runtime import Runtime
    from storage.uow import UnitOfWork

    from .oparl import OParl

PAPER_TYPE = "Mitteilung"  # a report for information (Kenntnisnahme), not a motion
DOWNLOAD = "berichte"
CORS = {"Access-Control-Allow-Origin": "*"}


def _base(api: OParl) -> str:
    return api.root[: -len("oparl/v1.1/")]


def download_url(api: OParl, f: ReportFile) -> str:
    return f"{_base(api)}{DOWNLOAD}/{f.id}/{f.file_name}"


def file_object(api: OParl, f: ReportFile) -> dict[str, Any]:
    url = download_url(api, f)
    return {"id": f"{api.root}file/{f.id}", "type": SCHEMA + "File", "name": f.title, "fileName": f.file_name,
            "mimeType": f.mime_type, "date": f.data_state.date().isoformat(), "size": f.size,
            "sha1Checksum": f.sha1, "sha512Checksum": f.sha512, "accessUrl": url, "downloadUrl": url,
            "fileLicense": api.licence, "paper": [f"{api.root}paper/{f.id}"], **_stamps(api, f)}


def paper_object(api: OParl, uow: UnitOfWork, f: ReportFile) -> dict[str, Any]:
    paper: dict[str, Any] = {
        "id": f"{api.root}paper/{f.id}", "type": SCHEMA + "Paper", "body": api.body_id, "name": f.title,
        "reference": f"{f.from_body.code}-{f.period}-{f.id}", "date": f.delivered_at.date().isoformat(),
        "paperType": PAPER_TYPE, "mainFile": file_object(api, f),
        "originatorOrganization": [f"{api.root}organization/{f.from_body.code}"],
        "consultation": [consultation_object(api, f, _next_meeting(uow, f))],
        "keyword": [f.kind, f.period], **_stamps(api, f)}
    return paper


def consultation_object(api: OParl, f: ReportFile, meeting: Meeting | None) -> dict[str, Any]:
    """The paper's way to the body it is addressed to (for information): always its organization,
    and its meeting (with the agenda item) once one is planned (finding F9 of the reports' read)."""
    consultation = {"id": f"{api.root}consultation/{f.id}", "type": SCHEMA + "Consultation",
                    "paper": f"{api.root}paper/{f.id}",
                    "organization": [f"{api.root}organization/{f.to_body.code}"], "authoritative": False,
                    "role": "Kenntnisnahme", **_stamps(api, f)}
    if meeting is not None:
        consultation["meeting"] = f"{api.root}meeting/{meeting.id}"
        item = _agenda_item(meeting, f)
        if item is not None:
            consultation["agendaItem"] = f"{api.root}agendaItem/{item.id}"
    return consultation


def _stamps(api: OParl, f: ReportFile) -> dict[str, str]:
    # public from the release on: created is when it was released, modified when it last changed after
    released = f.released_at or f.delivered_at
    return {"license": api.licence, "created": _iso(released), "modified": _iso(max(released, f.updated_at))}


def _next_meeting(uow: UnitOfWork, f: ReportFile) -> Meeting | None:
    """The receiving body's first planned (or invited) meeting after the delivery."""
    return uow.session.scalars(select(Meeting).where(Meeting.body_id == f.to_body_id,
                                                     Meeting.state.in_(("planned", "invited")),
                                                     Meeting.starts_at >= f.delivered_at)
                               .options(selectinload(Meeting.agenda)).order_by(Meeting.starts_at, Meeting.id)
                               .limit(1)).first()


def _agenda_item(meeting: Meeting, f: ReportFile) -> Any:
    """A public agenda item about reports or the state of implementation, if there is one."""
    words = ("bericht", "sachstand")
    return next((a for a in sorted(meeting.agenda, key=lambda a: a.position)
                 if a.public and a.state == "accepted" and any(w in a.title.lower() for w in words)), None)


def _released(uow: UnitOfWork, ident: str) -> ReportFile | None:
    if not ident.isdecimal():
        return None
    found = uow.reports.get(int(ident))
    return found if found is not None and found.released_at is not None else None


# -- the Resolver's hooks (bot/public/oparl.py) ------------------------------------------------
def listing(api: OParl, uow: UnitOfWork) -> list[Any]:
    return [(f.released_at, f.updated_at, lambda f=f: paper_object(api, uow, f)) for f in uow.reports.released()]


def get_paper(api: OParl, uow: UnitOfWork, ident: str) -> dict[str, Any] | None:
    found = _released(uow, ident)
    return paper_object(api, uow, found) if found else None


def get_file(api: OParl, uow: UnitOfWork, ident: str) -> dict[str, Any] | None:
    found = _released(uow, ident)
    return file_object(api, found) if found else None


def get_consultation(api: OParl, uow: UnitOfWork, ident: str) -> dict[str, Any] | None:
    found = _released(uow, ident)
    return consultation_object(api, found, _next_meeting(uow, found)) if found else None


# -- the file ------------------------------------------------------------------------------------
def routes(webapp: web.Application, app: Runtime) -> None:
    async def download(request: web.Request) -> web.StreamResponse:
        found = await app.run_sync(_file, app, request.match_info["number"], request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound(text="Nicht gefunden.", headers=CORS)
        content, mime, name, sha1 = found
        etag = f'"{sha1}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag, **CORS})
        return web.Response(body=content, content_type=mime, headers={
            "Content-Disposition": f'attachment; filename="{name}"', "ETag": etag,
            "Cache-Control": "public, max-age=300", **CORS})

    webapp.router.add_get(f"/{DOWNLOAD}/{{number}}/{{name}}", download)


def _file(app: Runtime, number: str, name: str) -> tuple[bytes, str, str, str] | None:
    with app.uow_factory() as uow:
        found = _released(uow, number)
        if found is None or found.file_name != name:
            return None
        return found.content, found.mime_type, found.file_name, found.sha1


def released_links(base: str, uow: UnitOfWork) -> list[tuple[str, str, int]]:
    """(title, download URL, size in bytes) of every released report, newest first: for a page
    of the public site that links them."""
    return [(f.title, f"{base.rstrip('/')}/{DOWNLOAD}/{f.id}/{f.file_name}", f.size)
            for f in sorted(uow.reports.released(), key=lambda f: (f.released_at, f.id), reverse=True)]
