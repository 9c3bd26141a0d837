"""The web application's view of the settings (``services.settings`` reads them all,
once: ``EHC_WEB_SECURE_COOKIES``, ``EHC_SESSION_*``, ``EHC_LOGIN_*``,
``EHC_AUTHORITY_NAME``, ``EHC_FAMILY_*``, ``EHC_API_CALLS_PER_MINUTE``), and the one check
only the web needs: plain-http cookies are allowed on a loopback address only."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

from services.accounts import AccountPolicy
from services.api_tokens import DEFAULT_PER_MINUTE
from services.family import FamilyPolicy
from services.settings import load_settings

SERVICE_NAME = "EHC timescales"


class SettingsError(ValueError):
    """A setting with a value that cannot be used; the message names it."""


@dataclass(frozen=True)
class WebSettings:
    secure_cookies: bool = True
    policy: AccountPolicy = field(default_factory=AccountPolicy)
    authority_name: str = "Local authority"
    family: FamilyPolicy = field(default_factory=FamilyPolicy)
    api_calls_per_minute: int = DEFAULT_PER_MINUTE

    @property
    def session_cookie(self) -> str:
        # __Host-: the browser only accepts it over HTTPS, for this host, for path /.
        return "__Host-ehc_session" if self.secure_cookies else "ehc_session"

    @property
    def login_csrf_cookie(self) -> str:
        return "__Host-ehc_login" if self.secure_cookies else "ehc_login"

    def check_host(self, host: str) -> None:
        """Refuse plain-http cookies on anything but a loopback address."""
        if self.secure_cookies:
            return
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise SettingsError(
                f"EHC_WEB_SECURE_COOKIES=false is only allowed when serving on 127.0.0.1 "
                f"(not {host}): put TLS in front and keep secure cookies"
            )


def load(environ: Mapping[str, str] | None = None) -> WebSettings:
    """The web settings from ``environ`` (default: the process environment).

    Raises:
        services.errors.InvalidInput: a setting that cannot be used, by name.
    """
    given = load_settings(environ)
    policy = AccountPolicy(
        idle=dt.timedelta(minutes=given.session_idle_minutes),
        absolute=dt.timedelta(hours=given.session_absolute_hours),
        failures_per_account=given.login_max_failures,
        failures_per_address=given.login_max_failures_per_address,
        window=dt.timedelta(minutes=given.login_window_minutes),
    )
    return WebSettings(
        secure_cookies=given.web_secure_cookies,
        policy=policy,
        authority_name=given.authority_name.strip() or "Local authority",
        family=FamilyPolicy(
            complaints=given.family_complaints.strip() or FamilyPolicy.complaints,
            complaints_url=given.family_complaints_url.strip() or None,
            show_staff_names=given.family_show_staff_names,
            link_days=given.family_link_days,
            stage_emails=frozenset(code.strip() for code in given.family_stage_emails.split(",")
                                   if code.strip()),
        ),
        api_calls_per_minute=given.api_calls_per_minute,
    )
