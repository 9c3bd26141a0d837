"""Start-up: the only two places that touch the outside world.

``start()`` reads the settings from the environment once and hands back a ``Runtime``
that builds the other two things an entry point needs from outside: the mail transport
(SMTP, from those settings) and "today in London". Everything below the entry points
takes these as arguments, so tests and dry runs can pass their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pendulum
from sqlalchemy import Engine

from db.session import get_engine
from notifications.settings import NotifySettings
from notifications.transport import EmailTransport, SmtpTransport
from services.settings import Settings, load_settings


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    notify: NotifySettings = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "notify", self.settings.notify())

    @property
    def engine(self) -> Engine:
        """The process-wide engine for the configured database (made on first use)."""
        return get_engine(self.settings.resolved_database_url,
                          busy_timeout_s=self.settings.db_busy_timeout,
                          lock_retry_s=self.settings.db_lock_retry_seconds)

    @property
    def owner_engine(self) -> Engine:
        """The schema owner's engine (``EHC_MIGRATION_DATABASE_URL``), for ``ehc init``:
        the application's own when no separate owner is configured."""
        url = self.settings.resolved_migration_url
        if url == self.settings.resolved_database_url:
            return self.engine
        return get_engine(url, busy_timeout_s=self.settings.db_busy_timeout,
                          lock_retry_s=self.settings.db_lock_retry_seconds)

    def transport(self) -> EmailTransport:
        return SmtpTransport.from_settings(self.notify)

    def today(self) -> dt.date:
        return london_today()

    def now(self) -> dt.datetime:
        return utc_now()


def start(environ: Mapping[str, str] | None = None) -> Runtime:
    """Read the settings (default: the process environment) once.

    Raises:
        services.errors.InvalidInput: a setting that cannot be used, by name.
    """
    return Runtime(load_settings(environ))


def london_today() -> dt.date:
    """The calendar date in Europe/London now (not the server's UTC date: just after
    midnight in summer they differ)."""
    now = pendulum.now("Europe/London")
    return dt.date(now.year, now.month, now.day)


# A function giving the current instant: the web app takes one so tests can move time.
TimeSource = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The instant now, aware UTC (when a log-in, a session or an account change happened)."""
    return dt.datetime.now(dt.UTC)
