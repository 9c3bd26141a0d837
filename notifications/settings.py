"""Email settings, read once from the environment (never from files in the repository).

Variable (default): meaning

- ``EHC_SMTP_HOST`` (``127.0.0.1``): the SMTP server; the default is the local sink
  that ``ehc smtp-sink`` runs.
- ``EHC_SMTP_PORT`` (``8025``): its port.
- ``EHC_SMTP_STARTTLS`` (``false``): upgrade the connection with STARTTLS before login.
- ``EHC_SMTP_USERNAME`` (unset): log in as this user; no login when unset. Logging in
  needs ``EHC_SMTP_STARTTLS``, unless
- ``EHC_SMTP_ALLOW_PLAINTEXT_LOGIN`` (``false``) explicitly allows a password in clear (a
  relay on the same machine, say): otherwise it would cross the network readable.
- ``EHC_SMTP_PASSWORD`` (unset): the password, from the environment, or else
- ``EHC_SMTP_PASSWORD_BLOCK`` (unset): the name of a Prefect ``Secret`` block holding it.
- ``EHC_SMTP_TIMEOUT`` (``30``): seconds before a silent server counts as down.
- ``EHC_MAIL_FROM`` (``EHC timescales <ehc-timescales@localhost>``): the From header;
  Message-IDs are minted under its domain.
- ``EHC_BASE_URL`` (``http://127.0.0.1:8000``): links in emails point below this.
- ``EHC_EMAIL_INCLUDE_PERSONAL_DATA`` (``false``): put children's names and needs in emails.
- ``EHC_DIGEST_WORKING_DAYS`` (``10``): the digest lists deadlines due this soon.
- ``EHC_ESCALATION_LADDER_FILE`` (unset): YAML with per-local-authority ladders.
- ``EHC_OUTBOX_MAX_ATTEMPTS`` (``8``): a message failing this often is marked failed.
- ``EHC_OUTBOX_SENDING_LEASE_SECONDS`` (``900``): a message ``sending`` for longer was
  interrupted (its process died) and is retried once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingError(ValueError):
    """A setting with a value that cannot be used; the message names the variable."""


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
            raise SettingError(refusal)

    @property
    def mail_domain(self) -> str:
        """The domain Message-IDs are minted under: the From address's."""
        address = parseaddr(self.mail_from)[1]
        return address.rpartition("@")[2] or "localhost"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> NotifySettings:
        env = os.environ if environ is None else environ
        default = cls()
        ladder = env.get("EHC_ESCALATION_LADDER_FILE")
        return cls(
            smtp_host=env.get("EHC_SMTP_HOST", default.smtp_host),
            smtp_port=_int(env, "EHC_SMTP_PORT", default.smtp_port),
            smtp_starttls=_bool(env, "EHC_SMTP_STARTTLS", default=False),
            smtp_username=env.get("EHC_SMTP_USERNAME") or None,
            smtp_allow_plaintext_login=_bool(env, "EHC_SMTP_ALLOW_PLAINTEXT_LOGIN",
                                             default=False),
            smtp_password=env.get("EHC_SMTP_PASSWORD") or None,
            smtp_password_block=env.get("EHC_SMTP_PASSWORD_BLOCK") or None,
            smtp_timeout=float(_int(env, "EHC_SMTP_TIMEOUT", int(default.smtp_timeout))),
            mail_from=env.get("EHC_MAIL_FROM", default.mail_from),
            base_url=env.get("EHC_BASE_URL", default.base_url).rstrip("/"),
            include_personal_data=_bool(env, "EHC_EMAIL_INCLUDE_PERSONAL_DATA", default=False),
            digest_working_days=_int(env, "EHC_DIGEST_WORKING_DAYS", default.digest_working_days),
            ladder_file=Path(ladder) if ladder else None,
            max_attempts=_int(env, "EHC_OUTBOX_MAX_ATTEMPTS", default.max_attempts),
            sending_lease_seconds=_int(
                env, "EHC_OUTBOX_SENDING_LEASE_SECONDS", default.sending_lease_seconds
            ),
        )


def plaintext_login_refusal(username: str | None, *, starttls: bool, allowed: bool) -> str | None:
    """Why logging in as ``username`` must not happen (None: it may)."""
    if not username or starttls or allowed:
        return None
    return (
        "EHC_SMTP_USERNAME is set but EHC_SMTP_STARTTLS is not: the password would cross "
        "the network in clear; set EHC_SMTP_STARTTLS=true, or EHC_SMTP_ALLOW_PLAINTEXT_LOGIN"
        "=true for a relay on this machine"
    )


def _bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingError(f"{name}={raw!r}: expected true or false")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r}: expected a whole number") from None
    if value < 1:
        raise SettingError(f"{name}={raw!r}: must be at least 1")
    return value
