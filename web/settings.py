"""The web application's settings, read once from the environment (``EHC_*``).

    EHC_WEB_SECURE_COOKIES      default true: cookies only over HTTPS (``__Host-`` prefix),
                                HSTS sent. ``false`` is for the demo on plain http and is
                                honoured only when serving on a loopback address
    EHC_SESSION_IDLE_MINUTES    default 30: a session unused this long ends
    EHC_SESSION_ABSOLUTE_HOURS  default 12: a session ends this long after log-in, used or not
    EHC_LOGIN_MAX_FAILURES      default 5: failed log-ins per account per window
    EHC_LOGIN_MAX_FAILURES_PER_ADDRESS  default 20: per client address per window
    EHC_LOGIN_WINDOW_MINUTES    default 15: the window (and so the longest wait)
    EHC_AUTHORITY_NAME          shown in the header when nobody is signed in (default:
                                "Local authority"); once signed in, the user's authority
    EHC_FAMILY_COMPLAINTS       the family page's words on what to do if a date is missed
    EHC_FAMILY_COMPLAINTS_URL   the council's complaints page, linked from there
    EHC_FAMILY_SHOW_STAFF_NAMES default false: the family page names the caseworker
    EHC_FAMILY_LINK_DAYS        default 28: how long a new family link works
    EHC_FAMILY_STAGE_EMAILS     authority codes (comma-separated) that email a family when
                                a stage is done (``ehc family-link notify``); default none
    EHC_API_CALLS_PER_MINUTE    default 120: each API token's rate limit

(The lead's ``services/settings.py`` will absorb these; this is the one place they are
read until then.)
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from services.accounts import AccountPolicy
from services.api_tokens import DEFAULT_PER_MINUTE
from services.family import FamilyPolicy

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
    env = os.environ if environ is None else environ
    policy = AccountPolicy(
        idle=dt.timedelta(minutes=_number(env, "EHC_SESSION_IDLE_MINUTES", 30)),
        absolute=dt.timedelta(hours=_number(env, "EHC_SESSION_ABSOLUTE_HOURS", 12)),
        failures_per_account=_number(env, "EHC_LOGIN_MAX_FAILURES", 5),
        failures_per_address=_number(env, "EHC_LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
        window=dt.timedelta(minutes=_number(env, "EHC_LOGIN_WINDOW_MINUTES", 15)),
    )
    return WebSettings(
        secure_cookies=_flag(env, "EHC_WEB_SECURE_COOKIES", default=True),
        policy=policy,
        authority_name=env.get("EHC_AUTHORITY_NAME", "").strip() or "Local authority",
        family=FamilyPolicy(
            complaints=env.get("EHC_FAMILY_COMPLAINTS", "").strip() or FamilyPolicy.complaints,
            complaints_url=env.get("EHC_FAMILY_COMPLAINTS_URL", "").strip() or None,
            show_staff_names=_flag(env, "EHC_FAMILY_SHOW_STAFF_NAMES", default=False),
            link_days=_number(env, "EHC_FAMILY_LINK_DAYS", FamilyPolicy.link_days),
            stage_emails=frozenset(code.strip() for code in
                                   env.get("EHC_FAMILY_STAGE_EMAILS", "").split(",")
                                   if code.strip()),
        ),
        api_calls_per_minute=_number(env, "EHC_API_CALLS_PER_MINUTE", DEFAULT_PER_MINUTE),
    )


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r}: expected true or false")


def _number(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name}={raw!r}: expected a whole number of at least 1")
    return int(raw)
