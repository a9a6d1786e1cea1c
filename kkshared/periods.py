"""The span of days a chat message asks about: "i julen", "mellem jul og nytår", "i påsken",
"næste uge", "uge 52", and in English "over Christmas", "at Easter", "next week".

Used by the opening-hours action when the message names no single day (``kkshared.dates.find_day``
comes first: "juleaften", "2. påskedag" and "fredag i næste uge" are days). Pure Python; nothing
here raises on user text: what cannot be read is ``None``.

The holiday periods, decided here (the job centre's closed days fall inside them):

- **Christmas** ("jul" after a preposition, "julen", "juleferien", "juledagene", "juletiden",
  "jul og nytår", "Christmas", "Xmas"): 24 December to 1 January, the days people ask about when
  they ask "er I åbne i julen?" (the three Christmas days, the days between and New Year).
  "jul" alone is also the month abbreviation (``kkshared.dates``: "2. jul"), so it counts only
  after i/til/over/om/mellem/efter/før/inden or before "og nytår".
- **New Year** ("nytår", "nytåret", "New Year", not "nytårsaften"/"New Year's Eve", which are
  days): 31 December to 1 January.
- **Easter** ("påske", "påsken", "påskeferien", "Easter"): skærtorsdag to 2. påskedag.
- **Weeks**: ``kkshared.dates.find_week`` (Monday to Sunday).

Without a year the period that has not ended yet is meant (on 1 January, "julen" is the one that
ends that day); a four-digit year may follow ("julen 2027", "påsken 2027").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from kkshared.dates import AA, find_week
from kkshared.holidays import MAX_YEAR, MIN_YEAR, easter_sunday
from kkshared.normalize import fold

CHRISTMAS = "christmas"
NEW_YEAR = "new_year"
EASTER = "easter"
WEEK = "week"

_YEAR = r"(?:\s+(?P<y>(?:19|20|21|22)\d\d)\b)?"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"\b(?:jul(?:en|eferien?|edagene|etiden)"
            r"|(?:i|til|over|om|mellem|efter|foe?r|inden)\s+jul"
            rf"|jul(?=\s+og\s+nyt{AA}r)"
            r"|christmas|xmas)\b" + _YEAR
        ),
        CHRISTMAS,
    ),
    (re.compile(rf"\b(?:nyt{AA}r(?:et)?|new years?)\b(?!\s*(?:'?s)?\s*eve)" + _YEAR), NEW_YEAR),
    (re.compile(rf"\b(?:p{AA}ske(?:n|ferien?)?|easter)\b" + _YEAR), EASTER),
]


@dataclass(frozen=True)
class PeriodMatch:
    """Consecutive days the message asks about, first to last (both included)."""

    kind: str  # CHRISTMAS | NEW_YEAR | EASTER | WEEK
    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def past(self, today: date) -> bool:
        return self.last < today


def _span(kind: str, year: int) -> tuple[date, date]:
    if kind == CHRISTMAS:
        return date(year, 12, 24), date(year + 1, 1, 1)
    if kind == NEW_YEAR:
        return date(year, 12, 31), date(year + 1, 1, 1)
    easter = easter_sunday(year)
    return easter - timedelta(days=3), easter + timedelta(days=1)


def _holiday_period(kind: str, year: int | None, today: date) -> PeriodMatch | None:
    if year is None:
        year = today.year - 1  # the period of last year is still running on 1 January
        while _span(kind, year)[1] < today:
            year += 1
    if not MIN_YEAR <= year < MAX_YEAR:
        return None
    first, last = _span(kind, year)
    return PeriodMatch(kind, first, last)


def find_period(text: str | None, today: date) -> PeriodMatch | None:
    """The one period ``text`` names, or ``None`` (nothing, or different periods)."""
    if not text:
        return None
    folded = fold(text)
    found: set[PeriodMatch] = set()
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(folded):
            period = _holiday_period(kind, int(m.group("y")) if m.group("y") else None, today)
            if period is None:
                return None
            found.add(period)
    if len(found) == 2 and {p.kind for p in found} == {CHRISTMAS, NEW_YEAR}:
        # "jul og nytår", "mellem jul og nytår": Christmas already runs to 1 January.
        found = {p for p in found if p.kind == CHRISTMAS}
    week = find_week(text, today)
    if week is not None:
        found.add(PeriodMatch(WEEK, week.monday, week.sunday))
    return found.pop() if len(found) == 1 else None
