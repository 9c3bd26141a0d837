"""Every ``EHC_*`` setting, read from the environment in one place (pydantic-settings).

``load_settings()`` is called once, by ``services.bootstrap.start``; everything below it
receives the values it needs as arguments. A bad value is refused with the variable's name
and what was expected, never a traceback.

| variable | default | meaning |
|---|---|---|
| ``EHC_DATA_DIR`` | ``.data`` | the SQLite file, the sink's Maildir and Prefect's home |
| ``EHC_DATABASE_URL`` | SQLite in the data dir | e.g. ``postgresql+psycopg://u@host/db`` |
| ``EHC_MIGRATION_DATABASE_URL`` | ``EHC_DATABASE_URL`` | the schema owner, for ``ehc init`` only |
| ``EHC_DB_BUSY_TIMEOUT`` | ``10`` | seconds a SQLite writer waits for another |
| ``EHC_DB_LOCK_RETRY_SECONDS`` | ``30`` | then how long it keeps trying (0: not at all) |
| ``EHC_USER`` | the login name | who the command line records as the actor |
| ``EHC_SMTP_HOST`` / ``_PORT`` | ``127.0.0.1`` / ``8025`` | the mail server (the local sink) |
| ``EHC_SMTP_STARTTLS`` | ``false`` | STARTTLS before log-in |
| ``EHC_SMTP_USERNAME`` / ``_PASSWORD`` | unset | log in (``_PASSWORD_BLOCK``: a Prefect Secret) |
| ``EHC_SMTP_ALLOW_PLAINTEXT_LOGIN`` | ``false`` | allow a log-in without STARTTLS |
| ``EHC_SMTP_TIMEOUT`` | ``30`` | seconds before a silent server counts as down |
| ``EHC_MAIL_FROM`` | ``EHC timescales <ehc-...@localhost>`` | From; Message-IDs use its domain |
| ``EHC_BASE_URL`` | ``http://127.0.0.1:8000`` | links in emails point below this |
| ``EHC_EMAIL_INCLUDE_PERSONAL_DATA`` | ``false`` | children's names and needs in emails |
| ``EHC_DIGEST_WORKING_DAYS`` | ``10`` | "due soon": the digest and worklist horizon |
| ``EHC_ESCALATION_LADDER_FILE`` | unset | per-authority ladders (YAML) |
| ``EHC_ADVISER_TYPES_FILE`` | unset | per-authority extra adviser types (YAML) |
| ``EHC_TIMELINESS_TARGETS_FILE`` | unset | per-authority timeliness targets (YAML) |
| ``EHC_OUTBOX_MAX_ATTEMPTS`` | ``8`` | a message failing this often is marked failed |
| ``EHC_OUTBOX_SENDING_LEASE_SECONDS`` | ``900`` | a message ``sending`` longer was interrupted |
| ``EHC_WEB_SECURE_COOKIES`` | ``true`` | cookies only over HTTPS; ``false`` only on loopback |
| ``EHC_SESSION_IDLE_MINUTES`` / ``_ABSOLUTE_HOURS`` | ``30`` / ``12`` | web session expiry |
| ``EHC_LOGIN_MAX_FAILURES`` / ``_PER_ADDRESS`` | ``5`` / ``20`` | failed log-ins per window |
| ``EHC_LOGIN_WINDOW_MINUTES`` | ``15`` | the log-in rate-limit window |
| ``EHC_AUTHORITY_NAME`` | ``Local authority`` | the header before anyone signs in |
| ``EHC_FAMILY_COMPLAINTS`` | a plain default | the family page: what to do if a date is missed |
| ``EHC_FAMILY_COMPLAINTS_URL`` | unset | the council's complaints page, linked from there |
| ``EHC_FAMILY_SHOW_STAFF_NAMES`` | ``false`` | the family page names the caseworker |
| ``EHC_FAMILY_LINK_DAYS`` | ``28`` | how long a new family link works (1 to 366) |
| ``EHC_FAMILY_STAGE_EMAILS`` | unset | authority codes (comma-separated) that email families |
| ``EHC_API_CALLS_PER_MINUTE`` | ``120`` | each API token's rate limit |
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from notifications.settings import NotifySettings, plaintext_login_refusal
from services.errors import InvalidInput

SQLITE_FILE = "ehc.sqlite3"
PREFIX = "EHC_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=PREFIX, extra="ignore", frozen=True, env_ignore_empty=True
    )

    data_dir: Path = Path(".data")
    database_url: str = ""
    migration_database_url: str = ""
    db_busy_timeout: float = Field(10.0, gt=0)
    db_lock_retry_seconds: float = Field(30.0, ge=0)
    user: str | None = None

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(8025, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_allow_plaintext_login: bool = False
    smtp_password: str | None = Field(None, repr=False)
    smtp_password_block: str | None = None
    smtp_timeout: float = Field(30.0, gt=0)
    mail_from: str = "EHC timescales <ehc-timescales@localhost>"
    base_url: str = "http://127.0.0.1:8000"
    email_include_personal_data: bool = False
    digest_working_days: int = Field(10, ge=1)
    escalation_ladder_file: Path | None = None
    adviser_types_file: Path | None = None
    timeliness_targets_file: Path | None = None
    outbox_max_attempts: int = Field(8, ge=1)
    outbox_sending_lease_seconds: int = Field(900, ge=1)

    web_secure_cookies: bool = True
    session_idle_minutes: int = Field(30, ge=1)
    session_absolute_hours: int = Field(12, ge=1)
    login_max_failures: int = Field(5, ge=1)
    login_max_failures_per_address: int = Field(20, ge=1)
    login_window_minutes: int = Field(15, ge=1)
    authority_name: str = "Local authority"
    family_complaints: str = ""
    family_complaints_url: str = ""
    family_show_staff_names: bool = False
    family_link_days: int = Field(28, ge=1, le=366)
    family_stage_emails: str = ""
    api_calls_per_minute: int = Field(120, ge=1)

    @property
    def resolved_database_url(self) -> str:
        """``EHC_DATABASE_URL``, else the SQLite file in the data directory."""
        if self.database_url.strip():
            return self.database_url.strip()
        return f"sqlite:///{(self.data_dir / SQLITE_FILE).resolve()}"

    @property
    def resolved_migration_url(self) -> str:
        """Who creates and upgrades the schema: ``EHC_MIGRATION_DATABASE_URL`` (the owner
        role), else the application's own URL (one role, as on SQLite)."""
        return self.migration_database_url.strip() or self.resolved_database_url

    def notify(self) -> NotifySettings:
        """What the mail side needs (``notifications`` knows nothing of the environment)."""
        return NotifySettings(
            smtp_host=self.smtp_host,
            smtp_port=self.smtp_port,
            smtp_starttls=self.smtp_starttls,
            smtp_username=self.smtp_username or None,
            smtp_allow_plaintext_login=self.smtp_allow_plaintext_login,
            smtp_password=self.smtp_password or None,
            smtp_password_block=self.smtp_password_block or None,
            smtp_timeout=self.smtp_timeout,
            mail_from=self.mail_from,
            base_url=self.base_url.rstrip("/"),
            include_personal_data=self.email_include_personal_data,
            digest_working_days=self.digest_working_days,
            ladder_file=self.escalation_ladder_file,
            max_attempts=self.outbox_max_attempts,
            sending_lease_seconds=self.outbox_sending_lease_seconds,
        )


class _GivenOnly(Settings):
    """Settings from a given mapping only, not the process environment (tests, tools)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings from ``environ`` (default: the process environment).

    Raises:
        InvalidInput: a variable whose value cannot be used, named with the reason.
    """
    try:
        if environ is None:
            settings = Settings()
        else:
            values = {
                key[len(PREFIX):].lower(): value
                for key, value in environ.items() if key.startswith(PREFIX)
            }
            # Blank means "not set", as it does for the environment.
            given: dict[str, Any] = {k: v for k, v in values.items() if v != ""}
            settings = _GivenOnly(**given)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = PREFIX + str(error["loc"][0]).upper() if error["loc"] else "setting"
        raw = error.get("input")
        raise InvalidInput(f"{name}={raw!r}: {_plain(error['type'], error['msg'])}",
                           field=name) from None
    refusal = plaintext_login_refusal(settings.smtp_username, starttls=settings.smtp_starttls,
                                      allowed=settings.smtp_allow_plaintext_login)
    if refusal:
        raise InvalidInput(refusal, field="EHC_SMTP_USERNAME")
    return settings


def _plain(kind: str, message: str) -> str:
    if kind.startswith("bool"):
        return "expected true or false"
    if kind.startswith("int"):
        return "expected a whole number"
    if kind == "greater_than_equal":
        return message.replace("Input should be greater than or equal to", "must be at least")
    if kind == "greater_than":
        return message.replace("Input should be", "must be")
    return message
