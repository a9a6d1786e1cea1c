from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from kkshared.holidays import DayKind


class HolidayOut(BaseModel):
    date: dt.date
    name: str
    kind: DayKind
    legal_holiday: bool


class HolidaysOut(BaseModel):
    year: int
    days: list[HolidayOut]
    note: str
