"""The application layer's one error tree; entry points map it, never the layers below.

ServiceError
├── NotFound        an unknown case, person, team or authority -- or one the caller may
│                   not see (another authority's case is "not found", never "forbidden")
├── Forbidden       the caller's role does not allow this action on something it may see
├── InvalidInput    malformed input refused at the door (bad date, unknown field, too long)
├── Refused         well-formed but refused on the merits (an event illegal in the case's
│   │               state, an impossible history, a name already taken)
│   └── ImportRefused   a bulk import with problems: carries every one of them
├── Conflict        someone else changed the case first: reload and try again
└── Unavailable     the database or the mail relay is down, locked or not set up

``str(error)`` is the message shown to the user as it is; ``field`` names the offending
field where one is known, ``index`` the offending event of a batch (0-based).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from calendars.errors import CalendarError
from db import errors as store
from engine import errors as engine_errors
from engine.escalation import InvalidLadder


class ServiceError(Exception):
    def __init__(self, message: str, *, field: str | None = None, index: int | None = None):
        self.message = message
        self.field = field
        self.index = index
        super().__init__(message)


class NotFound(ServiceError):
    pass


class Forbidden(ServiceError):
    pass


class InvalidInput(ServiceError):
    pass


class Refused(ServiceError):
    pass


class ImportRefused(Refused):
    def __init__(self, message: str, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(message)


class Conflict(ServiceError):
    pass


class Unavailable(ServiceError):
    pass


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise the errors of the layers below as this layer's, with their messages.

    Every service function runs inside it, so the entry points see one tree only.
    """
    try:
        yield
    except store.ImportRejected as exc:
        raise ImportRefused(str(exc), [str(p) for p in exc.problems]) from exc
    except (store.EventRefused, engine_errors.EngineError) as exc:
        bad_input = isinstance(exc, engine_errors.InvalidEvent | InvalidLadder)
        raise (InvalidInput if bad_input else Refused)(exc.reason, index=exc.index) from exc
    except CalendarError as exc:
        raise Refused(str(exc)) from exc
    except store.StoreError as exc:
        raise _LOWER.get(type(exc), Refused)(str(exc)) from exc


_LOWER: dict[type[Exception], type[ServiceError]] = {
    store.NotFound: NotFound,
    store.CaseChanged: Conflict,
    store.ImportCollided: Conflict,
    store.DatabaseUnavailable: Unavailable,
    store.CalendarRejected: InvalidInput,
}
