from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import SessionDep, SettingsDep
from api.schemas.health import HealthOut

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    summary="Liveness and database check",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "The database does not answer"}},
)
def health(session: SessionDep, settings: SettingsDep) -> JSONResponse:
    try:
        session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        database = "unavailable"
    body = {
        "status": "ok" if database == "ok" else "degraded",
        "database": database,
        "demo_mode": settings.demo_mode,
    }
    return JSONResponse(body, status_code=200 if database == "ok" else 503)
