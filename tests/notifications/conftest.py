from notify_fixtures import smtp_sink  # noqa: F401  (the real SMTP server fixture)
