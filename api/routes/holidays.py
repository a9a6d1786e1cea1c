from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.schemas.holidays import HolidayOut, HolidaysOut
from kkshared.holidays import MAX_YEAR, MIN_YEAR, closed_days

router = APIRouter(tags=["holidays"])

NOTE = (
    "helligdag = legal public holiday; lukkedag = not a legal holiday, but the job centre is "
    "closed (grundlovsdag, juleaftensdag, nytårsaftensdag). Store bededag is a holiday only up to "
    "and including 2023."
)


@router.get("/holidays/{year}", summary="Public holidays and other closed days of a year")
def read_holidays(year: Annotated[int, Path(ge=MIN_YEAR, le=MAX_YEAR)]) -> HolidaysOut:
    return HolidaysOut(
        year=year,
        days=[
            HolidayOut(date=d.day, name=d.name, kind=d.kind, legal_holiday=d.legal_holiday)
            for d in closed_days(year)
        ],
        note=NOTE,
    )
