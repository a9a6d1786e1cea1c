"""Human-friendly references: FRA-2026-000123 (absence), FLY-... (reschedule), BSK-... (message).

One counter row per (prefix, year). The UPDATE ... RETURNING takes a row lock on PostgreSQL (and
the write lock on SQLite), so concurrent requests get distinct numbers; the first number of a year
is inserted in a SAVEPOINT and a lost insert race falls back to the UPDATE.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.models.references import ReferenceCounter

ABSENCE = "FRA"
RESCHEDULE = "FLY"
MESSAGE = "BSK"


def next_reference(session: Session, prefix: str, year: int) -> str:
    bump = (
        update(ReferenceCounter)
        .where(ReferenceCounter.prefix == prefix, ReferenceCounter.year == year)
        .values(last_value=ReferenceCounter.last_value + 1)
        .returning(ReferenceCounter.last_value)
        .execution_options(synchronize_session=False)
    )
    value = session.execute(bump).scalar_one_or_none()
    if value is None:
        try:
            with session.begin_nested():
                session.add(ReferenceCounter(prefix=prefix, year=year, last_value=1))
            value = 1
        except IntegrityError:
            value = session.execute(bump).scalar_one()
    return f"{prefix}-{year}-{value:06d}"
