"""Idempotent creates (``Idempotency-Key``), so that a citizen's report is never made twice.

The action server gives up on a create after a few seconds. When that happens after the case
service committed, the citizen is told the outcome is unknown and tries again; the retry carries
the same key (``actions/forms/submit.py`` derives it from what is sent) and gets the first
record back with 200 instead of a second one with 201. A key sent again with a different body
is refused (422), as the IETF Idempotency-Key draft recommends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Protocol, TypeVar

from fastapi import HTTPException, status
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.models.citizens import Citizen
from api.models.idempotency import IdempotentRequest
from kkshared.pii import mask_pii


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


Record = TypeVar("Record", bound=_HasId)

KEY_REUSED = "Idempotency-Key was already used for a different request"


def fingerprint(body: BaseModel) -> str:
    return hashlib.sha256(mask_pii(body.model_dump_json()).encode("utf-8")).hexdigest()


def _replay(
    session: Session,
    citizen: Citizen,
    key: str,
    kind: str,
    body_fingerprint: str,
    model: type[Record],
) -> Record | None:
    seen = session.get(IdempotentRequest, (citizen.id, key))
    if seen is None:
        return None
    if seen.kind != kind or seen.fingerprint != body_fingerprint:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, KEY_REUSED)
    record = session.get(model, seen.record_id)
    if record is None:  # deleted since; the key cannot make it again
        raise HTTPException(
            status.HTTP_409_CONFLICT, "the request with this Idempotency-Key no longer exists"
        )
    return record


def create_once(
    session: Session,
    citizen: Citizen,
    key: str | None,
    kind: str,
    body: BaseModel,
    model: type[Record],
    create: Callable[[], Record],
) -> tuple[Record, bool]:
    """The record ``create`` makes and commits, True; or, for a key seen before, the record it
    made then, False. ``create`` validates and may raise ``HTTPException``; it runs only when the
    key is new, so a retry after midnight still gets its first answer."""
    if key is None:
        record = create()
        session.add(record)
        session.commit()
        return record, True
    body_fingerprint = fingerprint(body)
    earlier = _replay(session, citizen, key, kind, body_fingerprint, model)
    if earlier is not None:
        return earlier, False
    record = create()
    session.add(record)
    session.add(
        IdempotentRequest(
            citizen_id=citizen.id,
            key=key,
            kind=kind,
            fingerprint=body_fingerprint,
            record_id=record.id,
        )
    )
    try:
        session.commit()
    except IntegrityError:
        # The same key arrived twice at once and the other request committed first.
        session.rollback()
        earlier = _replay(session, citizen, key, kind, body_fingerprint, model)
        if earlier is None:
            raise
        return earlier, False
    return record, True
