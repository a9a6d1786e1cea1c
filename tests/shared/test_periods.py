"""kkshared.periods: the span of days a message asks about (holiday periods and weeks)."""

from __future__ import annotations

from datetime import date

import pytest

from kkshared.periods import CHRISTMAS, EASTER, NEW_YEAR, WEEK, PeriodMatch, find_period

TODAY = date(2026, 12, 7)  # a Monday


@pytest.mark.parametrize(
    "text",
    [
        "er I åbne i julen",
        "har jobcentret åbent mellem jul og nytår",
        "aabningstider i juleferien",
        "er der lukket i juledagene",
        "hvad med åbningstiderne i jul og nytår",
        "er I åbne over jul",
        "is the job centre open over Christmas",
        "xmas opening hours",
    ],
)
def test_christmas_is_24_december_to_1_january(text: str) -> None:
    assert find_period(text, TODAY) == PeriodMatch(CHRISTMAS, date(2026, 12, 24), date(2027, 1, 1))


def test_the_period_not_yet_over_and_an_explicit_year() -> None:
    assert find_period("i julen", date(2027, 1, 1)).first == date(2026, 12, 24)  # still running
    assert find_period("i julen", date(2027, 1, 2)).first == date(2027, 12, 24)
    assert find_period("julen 2028", TODAY).first == date(2028, 12, 24)
    # Easter 2027 is 28 March: skærtorsdag to 2. påskedag.
    assert find_period("er I åbne i påsken", TODAY) == PeriodMatch(
        EASTER, date(2027, 3, 25), date(2027, 3, 29)
    )
    assert find_period("at Easter", date(2027, 3, 30)).first == date(2028, 4, 13)


def test_new_year_and_weeks() -> None:
    assert find_period("åbent til nytår?", TODAY) == PeriodMatch(
        NEW_YEAR, date(2026, 12, 31), date(2027, 1, 1)
    )
    week = find_period("åbningstider i næste uge", TODAY)
    assert week == PeriodMatch(WEEK, date(2026, 12, 14), date(2026, 12, 20))
    assert len(week.days) == 7 and week.days[0].weekday() == 0
    assert find_period("sidste uge", TODAY).past(TODAY)
    assert find_period("uge 52", TODAY).first == date(2026, 12, 21)


@pytest.mark.parametrize(
    "text",
    [
        "er I åbne juleaften",  # a day (kkshared.dates), not a period
        "nytårsaften",
        "New Year's Eve",
        "den 24. jul",  # the month
        "jul",  # alone: the month abbreviation or the holiday, unclear
        "julefrokost",
        "påsken eller julen",  # two periods
        "hvornår har I åbent",
        "",
        None,
    ],
)
def test_no_period(text: str | None) -> None:
    assert find_period(text, TODAY) is None
