"""Each local authority's escalation ladder: ``engine.escalation.LADDER`` unless the file
named by ``EHC_ESCALATION_LADDER_FILE`` says otherwise.

The file is YAML; ``default`` replaces the ladder for every authority not listed under
``local_authorities`` (keyed by ONS code). Rows are validated by
``engine.escalation.parse_ladder``::

    local_authorities:
      E10000028:
        - {level: reminder_15, track: statutory, when: before, working_days: 15,
           roles: [caseworker]}
        - {level: breach, track: statutory, when: breach, working_days: 0,
           roles: [caseworker, team_manager, head_of_service]}
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from engine.escalation import LADDER, InvalidLadder, Ladder, parse_ladder
from notifications.settings import NotifySettings


def ladder_for(la_code: str, settings: NotifySettings) -> Ladder:
    """The ladder for ``la_code`` under ``settings``.

    Raises:
        InvalidLadder: the ladder file is unreadable or a row in it is invalid.
    """
    if settings.ladder_file is None:
        return LADDER
    default, by_la = _load(settings.ladder_file)
    return by_la.get(la_code, default)


@cache
def _load(path: Path) -> tuple[Ladder, dict[str, Ladder]]:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidLadder(f"cannot read the ladder file {path}: {exc}") from None
    if not isinstance(data, dict) or not set(data) <= {"default", "local_authorities"}:
        raise InvalidLadder(f"{path}: expected 'default' and/or 'local_authorities'")
    try:
        default = parse_ladder(data["default"]) if "default" in data else LADDER
        by_la = {
            str(code): parse_ladder(rows)
            for code, rows in (data.get("local_authorities") or {}).items()
        }
    except InvalidLadder as exc:
        raise InvalidLadder(f"{path}: {exc}") from None
    return default, by_la
