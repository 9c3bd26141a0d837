"""How a rendered message leaves the building: one narrow port and two adapters.

TransportError
├── TransportUnavailable   the relay cannot be reached, dropped us, or refuses everything
│   │                      (421 anywhere; any refusal of the greeting, STARTTLS, log-in or
│   │                      MAIL FROM, which are the same for every message): stop this run,
│   │                      the rest stay pending
│   └── ConnectionLost     a connection that was working broke mid-conversation: the next
│                          message reconnects (a relay that cannot be reached again stops)
└── MessageRejected        the relay refused this message for its recipient (RCPT) or its
                           content (DATA); ``permanent`` for a 5xx reply: the others go on

``SmtpTransport`` speaks SMTP (stdlib ``smtplib``), one connection carrying many messages;
``another()`` opens a sibling on its own connection, for a pool of them in parallel.
``InMemoryTransport`` is shipped for tests and dry runs; it keeps what it was given.
A message is an ``EmailMessage`` or, from the outbox, an ``Outgoing``: already bytes, sent
as they are.
"""

from __future__ import annotations

import smtplib
import ssl
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Protocol, cast

from notifications.render import Outgoing
from notifications.settings import InsecureLogin, NotifySettings, plaintext_login_refusal

SERVICE_CLOSING = 421  # "closing the channel": about the relay, never one message


class TransportError(Exception):
    """A message was not handed over."""


class TransportUnavailable(TransportError):
    pass


class ConnectionLost(TransportUnavailable):
    pass


class MessageRejected(TransportError):
    def __init__(self, reason: str, *, permanent: bool) -> None:
        self.permanent = permanent
        super().__init__(reason)


class EmailTransport(Protocol):
    def send(self, message: EmailMessage | Outgoing) -> None:
        """Hand ``message`` over, or raise a ``TransportError``."""
        ...

    def close(self) -> None:
        """Release any connection (sending again reopens it)."""
        ...

    def another(self) -> EmailTransport:
        """A transport to the same place that may be used from another thread at once."""
        ...

    def probe(self) -> None:
        """Check the relay answers (connect, NOOP), or raise ``TransportUnavailable``."""
        ...


class InMemoryTransport:
    """Keeps every message it is given in ``sent``; nothing leaves the process."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage | Outgoing) -> None:
        if isinstance(message, Outgoing):  # kept as a reader would parse it
            message = message_from_bytes(message.data, policy=policy.default)
        self.sent.append(message)

    def close(self) -> None:
        return None

    def another(self) -> InMemoryTransport:
        return self  # appending to a list is atomic: one keeper is enough

    def probe(self) -> None:
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
        allow_plaintext: bool = False,
    ) -> None:
        refusal = plaintext_login_refusal(username, starttls=starttls, allowed=allow_plaintext)
        if refusal:
            raise InsecureLogin(refusal)
        self.host, self.port, self.timeout = host, port, timeout
        self.starttls, self.username, self.password = starttls, username, password
        self.allow_plaintext = allow_plaintext
        self._smtp: smtplib.SMTP | None = None
        self._carried = 0  # messages the current connection has taken

    @classmethod
    def from_settings(cls, settings: NotifySettings) -> SmtpTransport:
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=smtp_password(settings),
            timeout=settings.smtp_timeout,
            allow_plaintext=settings.smtp_allow_plaintext_login,
        )

    def send(self, message: EmailMessage | Outgoing) -> None:
        smtp = self._connection()
        where = f"the SMTP server at {self.host}:{self.port}"
        try:
            if isinstance(message, Outgoing):
                # As send_message would: an address that is not ASCII needs SMTPUTF8.
                utf8 = ("SMTPUTF8", "BODY=8BITMIME") if message.international else ()
                refused = smtp.sendmail(message.mail_from, list(message.to), message.data, utf8)
            else:
                refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            replies = list(exc.recipients.values())
            reason = "; ".join(f"{to}: {_reply(code, text)}"
                               for to, (code, text) in exc.recipients.items())
            if any(code == SERVICE_CLOSING for code, _ in replies):
                self.close()
                raise TransportUnavailable(f"{where} is closing: {reason}") from exc
            permanent = all(code >= 500 for code, _ in replies)
            raise MessageRejected(f"recipient refused: {reason}", permanent=permanent) from exc
        except smtplib.SMTPSenderRefused as exc:  # MAIL FROM: the same for every message
            self.close()
            raise TransportUnavailable(
                f"{where} refuses to relay anything ({_reply(exc.smtp_code, exc.smtp_error)} "
                f"for sender {exc.sender})"
            ) from exc
        except smtplib.SMTPResponseException as exc:  # DATA (or a reply out of turn)
            self.close()
            reply = _reply(exc.smtp_code, exc.smtp_error)
            if exc.smtp_code == SERVICE_CLOSING or not isinstance(exc, smtplib.SMTPDataError):
                raise TransportUnavailable(f"{where} stopped: {reply}") from exc
            raise MessageRejected(f"message refused: {reply}",
                                  permanent=exc.smtp_code >= 500) from exc
        except (smtplib.SMTPException, OSError) as exc:
            worked = self._carried
            self.close()
            lost = ConnectionLost if worked else TransportUnavailable
            raise lost(f"lost {where}: {exc}") from exc
        self._carried += 1
        if refused:
            raise MessageRejected(f"recipients refused: {sorted(refused)}", permanent=True)

    def another(self) -> SmtpTransport:
        return SmtpTransport(self.host, self.port, starttls=self.starttls,
                             username=self.username, password=self.password,
                             timeout=self.timeout, allow_plaintext=self.allow_plaintext)

    def probe(self) -> None:
        try:
            code, text = self._connection().noop()
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TransportUnavailable(f"lost the SMTP server at {self.host}:{self.port}: "
                                       f"{exc}") from exc
        if code != 250:
            raise TransportUnavailable(f"the SMTP server at {self.host}:{self.port} answers "
                                       f"NOOP with {_reply(code, text)}")

    def close(self) -> None:
        smtp, self._smtp, self._carried = self._smtp, None, 0
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
        where = f"the SMTP server at {self.host}:{self.port}"
        step, refusal = "reach", "refused the connection"
        try:
            smtp.connect(self.host, self.port)
            if self.starttls:
                step, refusal = "start TLS with", "refused STARTTLS"
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                step, refusal = "log in to", "refused the log-in"
                smtp.login(self.username, self.password or "")
        except smtplib.SMTPResponseException as exc:
            smtp.close()
            reply = _reply(exc.smtp_code, exc.smtp_error)
            raise TransportUnavailable(f"{where} {refusal} ({reply})") from exc
        except (smtplib.SMTPException, OSError) as exc:
            smtp.close()
            raise TransportUnavailable(f"cannot {step} {where}: {exc}") from exc
        self._smtp = smtp
        return smtp


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}"


def smtp_password(settings: NotifySettings) -> str | None:
    """The SMTP password: from the environment, else from the named Prefect Secret block."""
    if settings.smtp_password or not settings.smtp_password_block:
        return settings.smtp_password
    from prefect.blocks.system import Secret  # only when configured: importing costs ~2 s

    # Called from sync code, ``load`` dispatches to its synchronous form.
    block = cast("Secret[str]", Secret.load(settings.smtp_password_block))
    return str(block.get())
