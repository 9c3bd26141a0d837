"""The SQL behind family links, calendar feed tokens and API tokens (``db.link_schema``).

Look-ups are by the token's hash through a unique index: a hit and a miss cost one index
probe each, so the time taken says nothing about how close a guess was.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from db.link_schema import ApiCall, ApiToken, FamilyLink, FeedToken
from db.schema import Case, Caseworker, DeadlineRow, LocalAuthority, Team


def add_family_link(
    session: Session, token_hash: str, case: Case, *, actor: str, now: dt.datetime,
    expires_at: dt.datetime, email: str | None = None,
) -> FamilyLink:
    link = FamilyLink(token_hash=token_hash, case_id=case.id, created_by=actor,
                      created_at=now, expires_at=expires_at, email=email,
                      notified_stage=case.stage)
    session.add(link)
    session.flush()
    return link


def family_link_by_hash(session: Session, token_hash: str) -> FamilyLink | None:
    return session.scalars(select(FamilyLink).where(FamilyLink.token_hash == token_hash)).first()


def family_links_of(session: Session, case_id: int) -> list[FamilyLink]:
    query = select(FamilyLink).where(FamilyLink.case_id == case_id)
    newest_first = query.order_by(FamilyLink.created_at.desc(), FamilyLink.id.desc())
    return list(session.scalars(newest_first))


def links_to_tell(
    session: Session, la_codes: frozenset[str], now: dt.datetime
) -> list[tuple[FamilyLink, Case]]:
    """Live links with an email address whose case has moved on since they were told."""
    query = (
        select(FamilyLink, Case)
        .join(Case, Case.id == FamilyLink.case_id)
        .join(LocalAuthority, LocalAuthority.id == Case.la_id)
        .where(FamilyLink.email.is_not(None), FamilyLink.revoked_at.is_(None),
               FamilyLink.expires_at > now, LocalAuthority.code.in_(sorted(la_codes)),
               Case.stage.is_not(None),
               or_(FamilyLink.notified_stage.is_(None), FamilyLink.notified_stage != Case.stage))
        .order_by(FamilyLink.id)
    )
    return [(link, case) for link, case in session.execute(query).tuples()]


def revoke_family_link(
    session: Session, link_id: int, case_id: int, *, actor: str, now: dt.datetime
) -> bool:
    """Revoke the case's link ``link_id``; False if there is no such (live) link."""
    result = session.execute(
        update(FamilyLink)
        .where(FamilyLink.id == link_id, FamilyLink.case_id == case_id,
               FamilyLink.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by=actor)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def add_feed_token(
    session: Session, token_hash: str, la: LocalAuthority, *, kind: str, subject: str,
    actor: str, now: dt.datetime,
) -> FeedToken:
    feed = FeedToken(token_hash=token_hash, la_id=la.id, kind=kind, subject=subject,
                     created_by=actor, created_at=now)
    session.add(feed)
    session.flush()
    return feed


def feed_by_hash(session: Session, token_hash: str) -> FeedToken | None:
    return session.scalars(select(FeedToken).where(FeedToken.token_hash == token_hash)).first()


def feeds_of(session: Session, la_id: int) -> list[FeedToken]:
    query = select(FeedToken).where(FeedToken.la_id == la_id)
    return list(session.scalars(query.order_by(FeedToken.id)))


def revoke_feed(session: Session, feed_id: int, la_id: int, *, now: dt.datetime) -> bool:
    result = session.execute(
        update(FeedToken)
        .where(FeedToken.id == feed_id, FeedToken.la_id == la_id, FeedToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def feed_deadlines(
    session: Session, la_id: int, *, caseworker: str | None = None, team: str | None = None,
    reference: str | None = None,
) -> list[tuple[str, DeadlineRow]]:
    """(case reference, deadline row) of the cases a feed covers, in its authority only."""
    query = (
        select(Case.reference, DeadlineRow)
        .join(DeadlineRow, DeadlineRow.case_id == Case.id)
        .join(Caseworker, Caseworker.id == Case.caseworker_id)
        .join(Team, Team.id == Caseworker.team_id)
        .where(Case.la_id == la_id)
    )
    if caseworker is not None:
        query = query.where(Caseworker.username == caseworker)
    if team is not None:
        query = query.where(Team.name == team)
    if reference is not None:
        query = query.where(Case.reference == reference)
    query = query.order_by(DeadlineRow.nominal, Case.reference, DeadlineRow.key,
                           DeadlineRow.instance)
    return [(ref, row) for ref, row in session.execute(query).tuples()]


def add_api_token(
    session: Session, token_hash: str, la: LocalAuthority, *, name: str, scope: str,
    actor: str, now: dt.datetime,
) -> ApiToken:
    token = ApiToken(token_hash=token_hash, name=name, la_id=la.id, scope=scope,
                     created_by=actor, created_at=now)
    session.add(token)
    session.flush()
    return token


def api_token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    return session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()


def api_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def api_token_by_id(session: Session, token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)


def count_api_calls(session: Session, token_id: int, since: dt.datetime) -> int:
    query = select(func.count()).select_from(ApiCall).where(
        ApiCall.token_id == token_id, ApiCall.at > since)
    return int(session.scalar(query) or 0)


def oldest_api_call(session: Session, token_id: int, since: dt.datetime) -> dt.datetime | None:
    query = select(func.min(ApiCall.at)).where(ApiCall.token_id == token_id, ApiCall.at > since)
    return session.scalar(query)


def add_api_call(session: Session, token_id: int, now: dt.datetime) -> None:
    session.add(ApiCall(token_id=token_id, at=now))


def delete_api_calls_before(session: Session, token_id: int, before: dt.datetime) -> None:
    session.execute(delete(ApiCall).where(ApiCall.token_id == token_id, ApiCall.at <= before))
