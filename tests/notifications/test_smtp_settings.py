"""SMTP settings from the environment, and logging in to a real SMTP server."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from notifications.settings import InsecureLogin, NotifySettings
from notifications.transport import SmtpTransport, TransportUnavailable
from services.errors import InvalidInput as SettingError
from services.settings import load_settings

pytestmark = pytest.mark.smtp


def message():
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "ehc@council.example", "cw1@x", "EHC-1: test"
    msg.set_content("hello")
    return msg


def env_for(sink, **extra):
    return {"EHC_SMTP_HOST": sink.host, "EHC_SMTP_PORT": str(sink.port), **extra}


def login_env(sink, password):
    """A log-in over plain TCP: allowed explicitly (the test server is on loopback)."""
    return env_for(sink, EHC_SMTP_USERNAME="ehc-mailer", EHC_SMTP_PASSWORD=password,
                   EHC_SMTP_ALLOW_PLAINTEXT_LOGIN="true")


def test_defaults_point_at_the_local_sink_without_personal_data():
    settings = _notify({})
    assert (settings.smtp_host, settings.smtp_port) == ("127.0.0.1", 8025)
    assert settings.include_personal_data is False
    assert settings.smtp_starttls is False
    assert settings.mail_domain == "localhost"


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("EHC_EMAIL_INCLUDE_PERSONAL_DATA", "perhaps", "expected true or false"),
        ("EHC_SMTP_PORT", "25x", "expected a whole number"),
        ("EHC_OUTBOX_MAX_ATTEMPTS", "0", "must be at least 1"),
    ],
)
def test_a_bad_setting_is_refused_naming_the_variable(name, value, reason):
    with pytest.raises(SettingError, match=f"{name}=.*{reason}"):
        _notify({name: value})


def test_logs_in_with_credentials_from_the_environment(auth_smtp_sink):
    settings = _notify(login_env(auth_smtp_sink, "s3cret-from-env"))
    with SmtpTransport.from_settings(settings) as transport:
        transport.send(message())
    assert auth_smtp_sink.subjects() == ["EHC-1: test"]
    assert auth_smtp_sink.logins == ["ehc-mailer"]


def test_a_refused_login_is_unavailable_and_sends_nothing(auth_smtp_sink):
    settings = _notify(login_env(auth_smtp_sink, "wrong"))
    with SmtpTransport.from_settings(settings) as transport, pytest.raises(
        TransportUnavailable, match=r"SMTP server at 127.0.0.1:\d+ refused the log-in \(535 "
    ):
        transport.send(message())
    assert auth_smtp_sink.received == []


def test_a_log_in_without_starttls_is_refused_unless_explicitly_allowed(auth_smtp_sink):
    env = env_for(auth_smtp_sink, EHC_SMTP_USERNAME="ehc-mailer",
                  EHC_SMTP_PASSWORD="s3cret-from-env")
    with pytest.raises(SettingError, match="EHC_SMTP_USERNAME is set but EHC_SMTP_STARTTLS "
                       "is not: the password would cross the network in clear"):
        _notify(env)
    with pytest.raises(InsecureLogin, match="EHC_SMTP_ALLOW_PLAINTEXT_LOGIN"):
        SmtpTransport(auth_smtp_sink.host, auth_smtp_sink.port, username="ehc-mailer",
                      password="s3cret-from-env")
    with pytest.raises(InsecureLogin):
        NotifySettings(smtp_username="ehc-mailer")
    assert auth_smtp_sink.received == []
    assert _notify({**env, "EHC_SMTP_STARTTLS": "true"}).smtp_starttls
    allowed = _notify({**env, "EHC_SMTP_ALLOW_PLAINTEXT_LOGIN": "true"})
    with SmtpTransport.from_settings(allowed) as transport:
        transport.send(message())
    assert auth_smtp_sink.logins == ["ehc-mailer"]


def _notify(environ):
    return load_settings(environ).notify()
