"""A database with the Köln example and one more body, EG9, whose recommendations have many
different owners (one each): the shape of a large round, as in bench/round_fanout.py."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
KOELN = ROOT / "examples" / "koeln.yaml"


def seed_owners(db_url: str, owners: int, transport: str, external_id: Callable[[int], str],
                dm_channel: Callable[[int], str] | None = None) -> None:
    """Migrate, import the example catalog, add EG9 with `owners` owners on `transport`
    (with the direct room each already has with the bot, if given)."""
    from storage.catalog_io import import_catalog
    from storage.db import make_engine, make_session_factory, upgrade
    from storage.models import Body, BodyKind, Field, Identity, Person, Recommendation, ReportingLine
    from storage.uow import UnitOfWorkFactory

    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with UnitOfWorkFactory(make_session_factory(engine))() as uow:
            import_catalog(uow, KOELN, progress=False)
            uow.commit()
            office, concept = uow.bodies.office(), uow.catalog.concept()
            assert office is not None and concept is not None
            body = Body(code="EG9", name="Expertengruppe Last", kind=BodyKind.EXPERT_GROUP, cadence_per_year=4)
            fld = Field(concept_id=concept.id, code="HF9", title="Lastfeld", position=9, body=body)
            uow.session.add_all([body, fld, ReportingLine(from_body=body, to_body=office, per_year=4)])
            for i in range(owners):
                person = Person(handle=f"owner{i}", name=f"Owner {i}", locale="de",
                                identities=[Identity(transport=transport, external_id=external_id(i),
                                                     dm_channel=dm_channel(i) if dm_channel else None)])
                uow.session.add_all([person, Recommendation(field=fld, code=f"HF9-{i + 1:03d}",
                                                            title=f"Empfehlung {i}", body=body, owner=person)])
            uow.commit()
    finally:
        engine.dispose()


# A round item without measures or target metrics: these are its questions, in order, and a
# text each answer's reply contains (the next question, or the thanks at the end).
ANSWERS = ("in Umsetzung", "40", "Geschehen {i}", "Weiter {i}", "keine", "keine", "ja")
NEXT = ("Wie weit ist die Umsetzung", "Was ist seit der letzten Meldung geschehen?", "nächsten Schritte",
        "Steht etwas im Weg", "Eine kurze Zusammenfassung", "Bitte prüfen", "Vielen Dank")
