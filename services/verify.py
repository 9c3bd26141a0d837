"""``verify_store``: is the log intact, and does the projection still follow from it?

The use case behind ``ehc verify`` (an auditor's or a data protection officer's check,
and a nightly one worth scheduling). It reads, recomputes and reports; it never repairs:
the log is evidence, and a projection that differs is rebuilt with
``ehc rebuild-projections`` once someone has looked at why.
"""

from __future__ import annotations

from sqlalchemy import Engine

from db.session import unit_of_work
from db.verify import Finding, Verification, verify
from services.errors import translated

__all__ = ["Finding", "Verification", "verify_store"]


def verify_store(engine: Engine, *, case_reference: str | None = None) -> Verification:
    """Check every case (or one): contiguous seqs, the hash chain, the projection.

    Raises:
        NotFound: ``case_reference`` names no case.
        Unavailable: the database is locked, down or not set up.
    """
    with translated(), unit_of_work(engine) as session:
        return verify(session, case_reference)
