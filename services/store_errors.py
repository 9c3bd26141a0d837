"""The store's errors as the application layer's: one translation, used by every use case.

``db`` raises its own tree (``db.errors``); entry points must only ever see
``services.errors``. The messages are kept as they are: they already say what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from db import errors as db
from services.errors import Conflict, InvalidInput, NotFound, Refused, Unavailable


@contextmanager
def store_errors() -> Iterator[None]:
    """Re-raise ``db.errors`` as ``services.errors`` (same message)."""
    try:
        yield
    except db.NotFound as exc:
        raise NotFound(str(exc)) from exc
    except db.CaseChanged as exc:
        raise Conflict(str(exc)) from exc
    except db.DatabaseUnavailable as exc:
        raise Unavailable(str(exc)) from exc
    except db.EventRefused as exc:
        raise Refused(exc.reason, index=exc.index) from exc
    except db.AlreadyExists as exc:
        raise Refused(str(exc)) from exc
    except db.StoreError as exc:
        raise InvalidInput(str(exc)) from exc
