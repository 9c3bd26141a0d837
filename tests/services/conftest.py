from notify_fixtures import smtp_sink  # noqa: F401  (a real SMTP server)
