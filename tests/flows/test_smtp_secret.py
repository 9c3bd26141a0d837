"""The SMTP password can live in a Prefect Secret block instead of the environment."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from notifications.transport import SmtpTransport
from services.settings import load_settings


@pytest.mark.prefect
@pytest.mark.smtp
def test_the_smtp_password_is_read_from_the_named_prefect_secret_block(
    prefect_harness, auth_smtp_sink
):
    from prefect.blocks.system import Secret

    Secret(value="s3cret-from-env").save("ehc-smtp-password", overwrite=True)
    settings = _notify({
        "EHC_SMTP_HOST": auth_smtp_sink.host, "EHC_SMTP_PORT": str(auth_smtp_sink.port),
        "EHC_SMTP_USERNAME": "ehc-mailer", "EHC_SMTP_PASSWORD_BLOCK": "ehc-smtp-password",
        "EHC_SMTP_ALLOW_PLAINTEXT_LOGIN": "true",  # the test server is on loopback
    })
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "ehc@x.example", "cw@x", "EHC-1"
    message.set_content("hello")
    with SmtpTransport.from_settings(settings) as transport:
        transport.send(message)
    assert auth_smtp_sink.logins == ["ehc-mailer"]


def _notify(environ):
    return load_settings(environ).notify()
