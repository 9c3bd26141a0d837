"""The hash chain over each case's events: what makes an edited past event detectable.

Every ``case_events`` row carries ``chain_hash``: the SHA-256 of the previous row's
``chain_hash`` (``GENESIS`` for a case's first event) and of everything the row records
(case, seq, type, date, payload, schema version, ids, when and by whom). Changing any
past row, removing one or swapping two breaks every hash after it, which ``ehc verify``
recomputes. The triggers and the database roles stop the application rewriting the log;
the chain shows whether anyone with the owner's keys did.

The canonical form below must never change: rows already written were hashed with it
(migration 0004 back-filled older rows the same way). A new algorithm would be a new
column.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS = "0" * 64
# The columns a link covers, in this order.
CHAINED = (
    "case_id", "seq", "type", "event_date", "payload", "schema_version", "client_event_id",
    "natural_key", "recorded_at", "recorded_by",
)


def link(previous: str, row: Mapping[str, Any]) -> str:
    """The ``chain_hash`` of ``row`` (a mapping of the ``CHAINED`` columns) after
    ``previous``."""
    text = json.dumps(
        [previous, *(_plain(row[name]) for name in CHAINED)],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive instant {value!r} cannot be chained")
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
