"""Many rows into PostgreSQL at once: COPY into a temporary table shaped like the target,
for one set-based statement to take them from there (the sweep's escalations, emails and
next nights). COPY sends the values as data; SQL text never carries them."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy.orm import Session


def copy_to_scratch(
    session: Session, table: str, names: Sequence[str], rows: Sequence[dict[str, Any]]
) -> str:
    """COPY ``rows`` (dicts with at least ``names``) into a temporary table
    with ``table``'s columns ``names``, emptied first and at commit; returns its name.

    ``table`` and ``names`` are the caller's own identifiers, never input.
    """
    columns = ", ".join(f'"{name}"' for name in names)
    scratch = f"scratch_{table}_{zlib.crc32(columns.encode()):x}"
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {scratch} ON COMMIT DELETE ROWS AS "
                   f"SELECT {columns} FROM {table} WITH NO DATA")
    cursor.execute(f"TRUNCATE {scratch}")  # rows of an earlier call in this transaction
    with cursor.copy(f"COPY {scratch} ({columns}) FROM STDIN") as copy:
        for row in rows:
            values = [row[name] for name in names]
            copy.write_row([Jsonb(v) if isinstance(v, dict | list) else v for v in values])
    return scratch
