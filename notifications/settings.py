"""What the mail side needs to know, as one frozen value.

It is built once, from the environment, by ``services.settings.Settings.notify`` (the
``EHC_SMTP_*``, ``EHC_MAIL_FROM``, ``EHC_BASE_URL``, ``EHC_EMAIL_INCLUDE_PERSONAL_DATA``,
``EHC_DIGEST_WORKING_DAYS``, ``EHC_ESCALATION_LADDER_FILE`` and ``EHC_OUTBOX_*``
variables, documented there); nothing in ``notifications`` reads the environment.

A log-in (``smtp_username``) needs STARTTLS unless ``smtp_allow_plaintext_login``
(``EHC_SMTP_ALLOW_PLAINTEXT_LOGIN``) explicitly allows a password in clear -- a relay on
the same machine, say; otherwise the password would cross the network readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path


class InsecureLogin(ValueError):
    """A log-in configured that would send the password in clear."""


@dataclass(frozen=True)
class NotifySettings:
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_allow_plaintext_login: bool = False
    smtp_password: str | None = None
    smtp_password_block: str | None = None
    smtp_timeout: float = 30.0
    mail_from: str = "EHC timescales <ehc-timescales@localhost>"
    base_url: str = "http://127.0.0.1:8000"
    include_personal_data: bool = False
    digest_working_days: int = 10
    ladder_file: Path | None = None
    max_attempts: int = 8
    sending_lease_seconds: int = 900

    def __post_init__(self) -> None:
        refusal = plaintext_login_refusal(
            self.smtp_username, starttls=self.smtp_starttls,
            allowed=self.smtp_allow_plaintext_login,
        )
        if refusal:
            raise InsecureLogin(refusal)

    @property
    def mail_domain(self) -> str:
        """The domain Message-IDs are minted under: the From address's."""
        address = parseaddr(self.mail_from)[1]
        return address.rpartition("@")[2] or "localhost"


def plaintext_login_refusal(username: str | None, *, starttls: bool, allowed: bool) -> str | None:
    """Why logging in as ``username`` must not happen (None: it may)."""
    if not username or starttls or allowed:
        return None
    return (
        "EHC_SMTP_USERNAME is set but EHC_SMTP_STARTTLS is not: the password would cross "
        "the network in clear; set EHC_SMTP_STARTTLS=true, or EHC_SMTP_ALLOW_PLAINTEXT_LOGIN"
        "=true for a relay on this machine"
    )
