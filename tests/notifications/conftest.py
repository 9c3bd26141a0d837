from notify_fixtures import auth_smtp_sink, smtp_sink  # noqa: F401  (real SMTP servers)
