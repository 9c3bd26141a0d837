"""How a rendered message leaves the building: one narrow port and two adapters.

TransportError
├── TransportUnavailable   the server cannot be reached or dropped us: try later, and stop
│                          this run (every other message would fail the same way)
└── MessageRejected        the server refused this message; ``permanent`` for a 5xx reply

``SmtpTransport`` speaks SMTP (stdlib ``smtplib``), reusing one connection for a run.
``InMemoryTransport`` is shipped for tests and dry runs; it keeps what it was given.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from types import TracebackType
from typing import Protocol, cast

from notifications.settings import NotifySettings


class TransportError(Exception):
    """A message was not handed over."""


class TransportUnavailable(TransportError):
    pass


class MessageRejected(TransportError):
    def __init__(self, reason: str, *, permanent: bool) -> None:
        self.permanent = permanent
        super().__init__(reason)


class EmailTransport(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` over, or raise a ``TransportError``."""
        ...

    def close(self) -> None:
        """Release any connection (sending again reopens it)."""
        ...


class InMemoryTransport:
    """Keeps every message it is given in ``sent``; nothing leaves the process."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)

    def close(self) -> None:
        return None


class SmtpTransport:
    """SMTP to ``host:port``; STARTTLS and login when configured."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.starttls, self.username, self.password = starttls, username, password
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def from_settings(cls, settings: NotifySettings) -> SmtpTransport:
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=smtp_password(settings),
            timeout=settings.smtp_timeout,
        )

    def send(self, message: EmailMessage) -> None:
        smtp = self._connection()
        try:
            refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            reason = f"all recipients refused: {exc.recipients}"
            raise MessageRejected(reason, permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            error = exc.smtp_error
            text = error.decode(errors="replace") if isinstance(error, bytes) else error
            reason = f"{exc.smtp_code} {text}"
            raise MessageRejected(reason, permanent=exc.smtp_code >= 500) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TransportUnavailable(f"lost the SMTP server: {exc}") from exc
        if refused:
            raise MessageRejected(f"recipients refused: {sorted(refused)}", permanent=True)

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        smtp = smtplib.SMTP(timeout=self.timeout)
        try:
            smtp.connect(self.host, self.port)
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
        except (smtplib.SMTPException, OSError) as exc:
            smtp.close()
            raise TransportUnavailable(
                f"cannot reach the SMTP server at {self.host}:{self.port}: {exc}"
            ) from exc
        self._smtp = smtp
        return smtp


def smtp_password(settings: NotifySettings) -> str | None:
    """The SMTP password: from the environment, else from the named Prefect Secret block."""
    if settings.smtp_password or not settings.smtp_password_block:
        return settings.smtp_password
    from prefect.blocks.system import Secret  # only when configured: importing costs ~2 s

    # Called from sync code, ``load`` dispatches to its synchronous form.
    block = cast("Secret[str]", Secret.load(settings.smtp_password_block))
    return str(block.get())
