"""Who may do what: every action a page offers, the roles allowed it, and the one check.

Everything a user sees is scoped to their own local authority. Another authority's case,
team or person does not exist for them: ``authorise`` raises ``NotFound`` with the very
message an unknown one gets, so neither a link, a guessed reference nor a form post can
tell "not yours" from "not there". Inside their own authority, an action their role does
not allow is ``Forbidden``.

The table is data, one row per action; a page that needs a new action adds a row here.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from services.accounts import Account, Role
from services.errors import Forbidden, NotFound


class Action(StrEnum):
    VIEW_CASE = "view_case"
    RECORD_EVENT = "record_event"
    VIEW_TEAM = "view_team"
    VIEW_SERVICE = "view_service"
    REASSIGN_CASE = "reassign_case"
    MANAGE_USERS = "manage_users"


_STAFF = frozenset({Role.CASEWORKER, Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE})
_MANAGERS = frozenset({Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE})

PERMISSIONS: Mapping[Action, frozenset[Role]] = {
    Action.VIEW_CASE: _STAFF,
    Action.RECORD_EVENT: _STAFF,
    Action.VIEW_TEAM: _MANAGERS,
    Action.VIEW_SERVICE: frozenset({Role.HEAD_OF_SERVICE}),
    Action.REASSIGN_CASE: _MANAGERS,
    Action.MANAGE_USERS: frozenset({Role.ADMINISTRATOR}),
}

ACTION_NAMES: Mapping[Action, str] = {
    Action.VIEW_CASE: "see cases",
    Action.RECORD_EVENT: "record events",
    Action.VIEW_TEAM: "see a team's caseload",
    Action.VIEW_SERVICE: "see the whole service's caseload and figures",
    Action.REASSIGN_CASE: "reassign cases",
    Action.MANAGE_USERS: "manage user accounts",
}


def allows(account: Account, action: Action) -> bool:
    """Whether the account's role allows ``action`` at all (for showing links)."""
    return account.active and account.role in PERMISSIONS[action]


def authorise(account: Account, action: Action, *, la_code: str, not_found: str) -> None:
    """Let ``account`` do ``action`` to something of authority ``la_code``, or raise.

    Args:
        account: who is asking.
        action: what they want to do.
        la_code: the authority the case, team or person belongs to.
        not_found: the message an unknown one of these gets (e.g. "unknown case 'X'"),
            given verbatim for another authority's.

    Raises:
        NotFound: another authority's (or the account is no longer active).
        Forbidden: their own authority's, but the role does not allow the action.
    """
    if not account.active or la_code != account.la_code:
        raise NotFound(not_found)
    if account.role not in PERMISSIONS[action]:
        raise Forbidden(f"your role ({account.role.value.replace('_', ' ')}) cannot "
                        f"{ACTION_NAMES[action]}")


def require_role(account: Account, action: Action) -> None:
    """For pages about the account's own authority as a whole (no object to scope)."""
    authorise(account, action, la_code=account.la_code, not_found="not found")
