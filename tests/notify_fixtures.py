"""Fixtures and helpers shared by the notification and flow tests (imported by their
conftest files): a real SMTP server on 127.0.0.1 and a small local authority."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from db.deadline_rows import rewrite_deadlines
from db.directory import add_caseworker, add_la, add_team, open_case
from db.session import make_engine, unit_of_work
from engine.status import Deadline
from notifications.settings import NotifySettings

LA = "E10000028"
NOW = dt.datetime(2026, 6, 1, 4, 0, tzinfo=dt.UTC)


def free_port() -> int:
    # aiosmtpd's Controller(port=0) cannot probe its own readiness, so pick a port first.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Sink:
    """What the SMTP server received; ``hold`` makes it stall before accepting DATA."""

    host: str
    port: int
    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[object] = field(default_factory=list)  # who had logged in, per message
    refuse: set[str] = field(default_factory=set)  # recipients answered with 550
    refuse_data: set[str] = field(default_factory=set)  # their messages' DATA gets a 554
    replies: dict[str, str] = field(default_factory=dict)  # "MAIL"/"RCPT" -> reply to everyone
    hold_after: int | None = None  # stall once this many messages were received
    drop_at: int | None = None  # hang up (once) instead of accepting message number N
    drop_message: str | None = None  # ... or the message with this Message-ID
    sessions: set[int] = field(default_factory=set)  # connections that carried a message
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.received]

    def subjects(self) -> list[str]:
        return [m["Subject"] for m in self.received]


class _Handler:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    async def handle_MAIL(self, server, session, envelope, address, options):
        if "MAIL" in self.sink.replies:
            return self.sink.replies["MAIL"]
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        if "RCPT" in self.sink.replies:
            return self.sink.replies["RCPT"]
        if address in self.sink.refuse:
            return "550 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink.refuse_data & set(envelope.rcpt_tos):
            return "554 5.6.0 message content rejected"
        message = message_from_bytes(envelope.content, policy=policy.default)
        dropped = self.sink.drop_message
        if self.sink.drop_at == len(self.sink.received) + 1 or (
                dropped is not None and dropped == message["Message-ID"]):
            self.sink.drop_at = self.sink.drop_message = None
            server.transport.close()
            return "421 closing"
        self.sink.sessions.add(id(session))
        self.sink.received.append(message)
        self.sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.sink.logins.append(session.auth_data if session.authenticated else None)
        if self.sink.hold_after is not None and len(self.sink.received) > self.sink.hold_after:
            self.sink.held.set()
            while not self.sink.release.is_set():  # the client is killed meanwhile
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink() -> Iterator[Sink]:
    sink = Sink("127.0.0.1", free_port())
    controller = Controller(_Handler(sink), hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        sink.release.set()
        controller.stop()


def outbox_rows(engine):
    """Every outbox row, in the order recorded."""
    from sqlalchemy import select

    from db.notify_schema import OutboxRow

    with unit_of_work(engine) as session:
        return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))


def settings_for(sink: Sink | None, **overrides: object) -> NotifySettings:
    """Settings pointing at ``sink`` (or at a port where nothing listens)."""
    port = sink.port if sink else free_port()
    values: dict[str, object] = {
        "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_timeout": 5.0,
        "mail_from": "EHC timescales <ehc@council.example>",
        "base_url": "https://ehc.council.example",
    }
    values.update(overrides)
    return NotifySettings(**values)  # type: ignore[arg-type]


def limit(key: str, due: str | None, *, rule: str = "R06", instance: str = "",
          statutory: bool = True, nominal: str | None = None, met_on: str | None = None,
          kind: str = "limit", premature_on: str | None = None) -> Deadline:
    nominal_day = dt.date.fromisoformat(nominal or due or "2026-06-01")
    return Deadline(
        key=key, instance=instance, rule=rule, kind=kind, statutory=statutory,  # type: ignore[arg-type]
        nominal=nominal_day, due=dt.date.fromisoformat(due) if due else None,
        trigger="request_received", trigger_date=nominal_day - dt.timedelta(weeks=20),
        citation="SEND Regulations 2014 reg 13(2)", explanation="(not in emails)",
        met_on=dt.date.fromisoformat(met_on) if met_on else None,
        premature_on=dt.date.fromisoformat(premature_on) if premature_on else None,
    )


def seed_authority(url: str, *, manager_email: str | None = "manager@council.example",
                   la_code: str = LA, prefix: str = "") -> None:
    """One authority, one team, two caseworkers (the second without an email)."""
    engine = make_engine(url)
    with unit_of_work(engine, write=True) as session:
        add_la(session, la_code, f"Council {la_code}", actor="test",
               head_of_service_name="Hana Head",
               head_of_service_email=f"{prefix}head@council.example")
        add_team(session, la_code, "North", actor="test", manager_name="Mo Manager",
                 manager_email=manager_email and f"{prefix}{manager_email}")
        add_caseworker(session, f"{prefix}cw1", "Cat Worker", team="North", la_code=la_code,
                       actor="test", email=f"{prefix}cw1@council.example")
        add_caseworker(session, f"{prefix}cw2", "Sam Noemail", team="North", la_code=la_code,
                       actor="test", email=None)
    engine.dispose()


def put_case(url: str, reference: str, deadlines: list[Deadline], *, caseworker: str = "cw1",
             la_code: str = LA) -> None:
    """Open ``reference`` (if new) and make its projected deadlines exactly ``deadlines``."""
    from sqlalchemy import select

    from db.schema import Case

    engine = make_engine(url)
    with unit_of_work(engine, write=True) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        if case is None:
            case = open_case(session, reference, process="assessment", caseworker=caseworker,
                             la_code=la_code, actor="test", opened_at=NOW)
        rewrite_deadlines(session, case.id, deadlines, now=NOW)
    engine.dispose()


class _PasswordCheck:
    """aiosmtpd authenticator accepting one user (over plain TCP: loopback tests only)."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == self.user
              and auth_data.password == self.password)
        login = auth_data.login.decode() if ok else None
        return AuthResult(success=ok, handled=False, auth_data=login)


@pytest.fixture
def auth_smtp_sink() -> Iterator[Sink]:
    """An SMTP server that checks logins (ehc-mailer / s3cret-from-env); ``logins`` shows
    who was logged in for each message. AUTH is offered, not required: aiosmtpd warns
    about requiring it without TLS."""
    sink = Sink("127.0.0.1", free_port())
    controller = Controller(
        _Handler(sink), hostname=sink.host, port=sink.port, auth_require_tls=False,
        authenticator=_PasswordCheck("ehc-mailer", "s3cret-from-env"),
    )
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def debug_log():
    """What ``notifications`` logs at DEBUG (a handler of our own: Prefect reconfigures
    the root logger's handlers when a flow starts, caplog's among them)."""
    logger, keep = logging.getLogger("notifications"), _Keep()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(keep)
    yield keep.records
    logger.removeHandler(keep)
    logger.setLevel(level)
