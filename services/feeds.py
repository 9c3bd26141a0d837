"""iCalendar subscriptions: a caseworker's, a team's or one case's statutory deadlines as
an ``.ics`` feed that Outlook, Google Calendar and Apple Calendar can subscribe to.

Each feed has its own secret URL (``/feeds/<token>.ics``; only the token's hash is kept),
revocable at any time. One all-day event per deadline on its due date. The UID is a hash
of the case reference, the deadline key and its instance -- what the deadline *is*, not
when -- so a date that moves updates the event rather than adding a second one. An
instance the engine names by its trigger's date (most clocks: ``engine.clocks``) would
move with a corrected trigger, so there the instance is the clock's place among the case's
clocks of that key (1st, 2nd...); advice requests keep their own stable names. Events
carry the case reference and the family's plain explanation (``engine.plain``): no child's
data is held to put in them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import icalendar
from sqlalchemy import Engine

from db import audit, directory, links
from db.deadline_rows import deadline_from_row
from db.link_schema import FEED_KINDS, FeedToken
from db.session import unit_of_work
from engine.status import Deadline, spoken_for
from services.cases import case_in  # the one authority check of a case
from services.errors import InvalidInput, NotFound, translated
from services.tokens import digest, new_token

PRODID = "-//ehc-timescales//statutory deadlines//EN"
UID_DOMAIN = "ehc-timescales"


@dataclass(frozen=True)
class IssuedFeed:
    """A feed just made: ``token`` is shown once and never stored."""

    id: int
    kind: str
    subject: str
    token: str


@dataclass(frozen=True)
class FeedInfo:
    id: int
    kind: str
    subject: str
    created_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def create_feed(
    engine: Engine, *, kind: str, subject: str, la_code: str | None, actor: str,
    now: dt.datetime,
) -> IssuedFeed:
    """A new feed of ``kind`` (caseworker, team or case) for ``subject`` in ``la_code``
    (None: the subject's own authority, for the ``ehc`` command)."""
    if kind not in FEED_KINDS:
        raise InvalidInput(f"unknown feed kind {kind!r}: expected one of "
                           f"{', '.join(FEED_KINDS)}", field="kind")
    token, hashed = new_token()
    with translated(), unit_of_work(engine, write=True) as session:
        if kind == "caseworker":
            la = directory.get_caseworker(session, subject).team.local_authority
        elif kind == "team":
            la = directory.get_team(session, subject, la_code).local_authority
        else:
            la = case_in(session, subject, la_code).local_authority
        if la_code is not None and la.code != la_code:
            raise NotFound(f"unknown {kind} {subject!r}")  # as if it did not exist
        feed = links.add_feed_token(session, hashed, la, kind=kind, subject=subject,
                                    actor=actor, now=now)
        audit.record(session, actor, "feed_created", la_id=la.id, at=now, feed=feed.id,
                     kind=kind, subject=subject)
        return IssuedFeed(feed.id, kind, subject, token)


def list_feeds(engine: Engine, *, la_code: str) -> tuple[FeedInfo, ...]:
    with translated(), unit_of_work(engine) as session:
        la = directory.get_la(session, la_code)
        return tuple(_info(feed) for feed in links.feeds_of(session, la.id))


def revoke_feed(
    engine: Engine, feed_id: int, *, la_code: str, actor: str, now: dt.datetime
) -> None:
    with translated(), unit_of_work(engine, write=True) as session:
        la = directory.get_la(session, la_code)
        if not links.revoke_feed(session, feed_id, la.id, now=now):
            raise NotFound(f"no live feed {feed_id} in {la_code}")
        audit.record(session, actor, "feed_revoked", la_id=la.id, at=now, feed=feed_id)


def feed_calendar(engine: Engine, token: str) -> bytes:
    """The ``.ics`` of the feed ``token``; ``NotFound`` if unknown or revoked."""
    with translated(), unit_of_work(engine) as session:
        feed = links.feed_by_hash(session, digest(token))
        if feed is None or feed.revoked_at is not None:
            raise NotFound("unknown calendar feed")
        scope: dict[str, str | None] = {"caseworker": None, "team": None, "reference": None}
        scope["reference" if feed.kind == "case" else feed.kind] = feed.subject
        rows = links.feed_deadlines(session, feed.la_id, **scope)
        name = f"Statutory deadlines: {feed.kind} {feed.subject}"
        dated = [(ref, deadline_from_row(row), row.projected_at) for ref, row in rows]
    return calendar_of(name, dated)


def calendar_of(name: str, dated: list[tuple[str, Deadline, dt.datetime]]) -> bytes:
    """The calendar of (case reference, deadline, when last projected) triples."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    repeated = spoken_for((ref, deadline) for ref, deadline, _ in dated)
    places = _places(dated)
    for ref, deadline, projected_at in dated:
        if deadline.due is None or deadline.kind == "date" or \
                (ref, deadline.key, deadline.instance) in repeated:
            continue  # disapplied, a computed fact, or one duty already shown
        uid = event_uid(ref, deadline.key, places[ref, deadline.key, deadline.instance])
        calendar.add_component(_event(uid, ref, deadline, projected_at))
    ics: bytes = calendar.to_ical()
    return ics


def event_uid(reference: str, key: str, instance: str) -> str:
    """Stable across replays and date moves: what the deadline is, never its date."""
    text = f"{reference}\x1f{key}\x1f{instance}"
    return f"{hashlib.sha256(text.encode()).hexdigest()[:32]}@{UID_DOMAIN}"


def _places(dated: list[tuple[str, Deadline, dt.datetime]]) -> dict[tuple[str, str, str], str]:
    """Each deadline's stable instance for its UID (see the module's docstring)."""
    by_key: dict[tuple[str, str], list[Deadline]] = {}
    for ref, deadline, _ in dated:
        by_key.setdefault((ref, deadline.key), []).append(deadline)
    places = {}
    for (ref, key), group in by_key.items():
        ordered = sorted(group, key=lambda d: (d.trigger_date, d.instance))
        for place, deadline in enumerate(ordered, start=1):
            dated_name = deadline.instance.split("#")[0] == deadline.trigger_date.isoformat()
            places[ref, key, deadline.instance] = (f"#{place}" if dated_name
                                                   else deadline.instance)
    return places


def _event(
    uid: str, reference: str, deadline: Deadline, projected_at: dt.datetime
) -> icalendar.Event:
    assert deadline.due is not None
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", projected_at.astimezone(dt.UTC))
    event.add("last-modified", projected_at.astimezone(dt.UTC))
    event.add("dtstart", deadline.due)
    event.add("dtend", deadline.due + dt.timedelta(days=1))
    done = " (done)" if deadline.met_on else ""
    event.add("summary", f"{reference}: {deadline.key.replace('_', ' ')}{done}")
    event.add("description", deadline.plain_explanation or deadline.explanation)
    event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: the day stays free
    event.add("categories", ["Statutory deadline"])
    return event


def _info(feed: FeedToken) -> FeedInfo:
    return FeedInfo(feed.id, feed.kind, feed.subject, feed.created_by, feed.created_at,
                    feed.revoked_at)
