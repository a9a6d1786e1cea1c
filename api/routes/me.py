"""Who am I (any authenticated user), who is my caseworker and which language do I want (citizens).

``PUT /me/language``: the language a citizen chose in the assistant (its language switch, "ENGLISH"
by SMS; the action server sends it with the citizen's verified subject). The reminder job writes
their SMS reminders in it (docs/english.md).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, status

from api.deps import CurrentPrincipal, SessionDep
from api.errors import error_responses
from api.models.users import Role, User
from api.schemas.citizens import CitizenOut, LanguagePreferenceIn, LanguagePreferenceOut, MeOut
from api.schemas.users import CaseworkerOut
from api.services.access import MyCitizen, citizen_of_user

router = APIRouter(tags=["me"])
log = logging.getLogger("api.me")


@router.get("/me", summary="The calling user; for citizens also the profile and case")
def read_me(principal: CurrentPrincipal, session: SessionDep) -> MeOut:
    user = session.get(User, principal.user_id)
    assert user is not None  # resolved by the principal dependency
    citizen = None
    if user.role is Role.CITIZEN:
        row = citizen_of_user(session, user.id)
        citizen = CitizenOut.model_validate(row) if row else None
    return MeOut(user_id=user.id, role=user.role, display_name=user.display_name, citizen=citizen)


@router.get(
    "/me/caseworker",
    summary="The citizen's caseworker",
    responses=error_responses(404, descriptions={404: "No citizen profile, or no caseworker"}),
)
def read_my_caseworker(citizen: MyCitizen) -> CaseworkerOut:
    if citizen.case is None or citizen.case.caseworker is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no caseworker assigned")
    return CaseworkerOut.model_validate(citizen.case.caseworker)


@router.get("/me/language", summary="The language I chose in the assistant (null: none)")
def read_my_language(citizen: MyCitizen) -> LanguagePreferenceOut:
    return LanguagePreferenceOut(language=citizen.preferred_language)


@router.put(
    "/me/language",
    summary="Choose the language of my SMS reminders (the assistant keeps it when I switch)",
)
def set_my_language(
    body: LanguagePreferenceIn, citizen: MyCitizen, session: SessionDep
) -> LanguagePreferenceOut:
    if citizen.preferred_language != body.language:
        citizen.preferred_language = body.language
        session.commit()
        log.info(
            "language preference changed",
            extra={"citizen_id": citizen.id, "language": body.language},
        )
    return LanguagePreferenceOut(language=body.language)
