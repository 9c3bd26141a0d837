from notify_fixtures import auth_smtp_sink, debug_log, smtp_sink  # noqa: F401  (fixtures)
