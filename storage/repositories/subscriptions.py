"""Who follows what, and where (rooms and DMs on any transport)."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..models import Recommendation, Subscription


class SubscriptionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, sub: Subscription) -> Subscription:
        self.session.add(sub)
        return sub

    def find(self, transport: str, channel_id: str, kind: str, ref: str) -> Subscription | None:
        return self.session.scalar(select(Subscription).where(
            Subscription.transport == transport, Subscription.channel_id == channel_id,
            Subscription.scope_kind == kind, Subscription.scope_ref == ref))

    def of_channel(self, transport: str, channel_id: str) -> Sequence[Subscription]:
        return self.session.scalars(select(Subscription).where(
            Subscription.transport == transport, Subscription.channel_id == channel_id)
            .order_by(Subscription.scope_kind, Subscription.scope_ref)).all()

    def reader_language(self, channels: set[tuple[str, str]], locale: str) -> None:
        """A person's DMs follow in the language they read: set when it changes (finding F20:
        the digest stayed German after `sprache en`); a later `folgen … de` there still wins."""
        for transport, channel_id in channels:
            for sub in self.of_channel(transport, channel_id):
                sub.locale = locale

    def all(self, what: str) -> Sequence[Subscription]:
        """Every subscription that receives `what` (digests | meetings | changes)."""
        return self.session.scalars(select(Subscription).where(getattr(Subscription, what).is_(True))
                                    .order_by(Subscription.id)).all()

    def following(self, rec: Recommendation, what: str) -> Sequence[Subscription]:
        """Subscriptions whose scope covers a recommendation and that receive `what`."""
        scopes = [Subscription.scope_kind == "all",
                  and_(Subscription.scope_kind == "recommendation", Subscription.scope_ref == rec.code),
                  and_(Subscription.scope_kind == "field", Subscription.scope_ref == rec.field.code)]
        if rec.body is not None:
            scopes.append(and_(Subscription.scope_kind == "body", Subscription.scope_ref == rec.body.code))
        return self.session.scalars(select(Subscription).where(
            or_(*scopes), getattr(Subscription, what).is_(True)).order_by(Subscription.id)).all()

    def following_body(self, body_code: str, field_codes: list[str], what: str) -> Sequence[Subscription]:
        """Subscriptions that cover a body: everything, the body, or a field it works on."""
        scopes = [Subscription.scope_kind == "all",
                  and_(Subscription.scope_kind == "body", Subscription.scope_ref == body_code)]
        if field_codes:
            scopes.append(and_(Subscription.scope_kind == "field", Subscription.scope_ref.in_(field_codes)))
        return self.session.scalars(select(Subscription).where(
            or_(*scopes), getattr(Subscription, what).is_(True)).order_by(Subscription.id)).all()
