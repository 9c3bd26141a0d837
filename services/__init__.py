"""The application layer: one typed function per use case.

Every entry point -- the ``ehc`` command (``cli/``), the Prefect flows (``flows/``), the web
pages and the JSON API (``web/``) -- is a thin shell over these functions. Each takes a unit
of work or the engine it opens one on (and, where the day matters, an explicit ``as_of``),
returns plain frozen dataclasses, and raises only ``services.errors.ServiceError`` and its
subclasses, which the entry points map to exit codes and HTTP statuses.

Nothing here reads the clock or the environment: ``services.bootstrap`` does that once, at
start-up, for the entry points.
"""
