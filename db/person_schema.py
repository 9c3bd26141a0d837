"""The protected person records: one per case, apart from the log and its projections.

The record (``engine.person.PersonRecord`` as JSON) is the only place a child's name,
date of birth, UPN or placements are held. Nothing else reads this table except
``db.person``, which ``services.person`` and ``services.sen2`` call after checking who
is asking; it is never joined into the worklist, the sweep, the digests or the outbox.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.schema import JsonDoc


class PersonRow(Base):
    __tablename__ = "person_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    record: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str] = mapped_column(String(100))
