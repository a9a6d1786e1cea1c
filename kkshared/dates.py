"""The day (and time) a chat message refers to: "i morgen", "på fredag", "den 24.12",
"2. juledag", and in English "tomorrow", "on Friday", "24 December", "December 24th".

Used by the bot's actions to fill date slots (absence reports, reschedule requests, "har I åbent
...?"). Pure Python + stdlib + kkshared; runs on Python 3.10 and 3.11. Nothing here raises on
user text: what cannot be read is ``None``.

Public API
----------
- ``find_day(text, today) -> DayMatch | None``: the ONE day the message refers to.
- ``find_days(text, today) -> list[DayMatch]``: every day expression that could be read, in order.
- ``find_week(text, today) -> WeekMatch | None``: "næste uge", "i denne uge", "uge 12".
- ``find_time(text) -> time | None``: "kl. 10", "kl 10.30", "klokken 9", "10:30".

Matching is done on ``kkshared.normalize.fold`` of the text, so case and æ/ø/å vs ae/oe/aa do not
matter ("NAESTE FREDAG", "i morgen", "2 juledag"); ø/å typed as plain o/a ("lordag", "pa fredag",
"i gar") are accepted where the word is unambiguous. Spans (``start``/``end``) index the ORIGINAL
text, so ``text[m.start:m.end] == m.text``.

What is recognised, and the decisions taken
-------------------------------------------
Relative days: "i dag"/"idag", "i morgen"/"imorgen", "i overmorgen"/"overmorgen",
"i går"/"igår" (past), "i forgårs" (past).

Weekdays (mandag ... søndag):
- "fredag", "på fredag", "til fredag" → the next Friday ON OR AFTER today: on a Friday "på fredag"
  means today. Because people also use it for a week later, such a match has ``ambiguous=True``
  (a form should confirm the date).
- "næste fredag" → the Friday of NEXT calendar week (Monday-Sunday). Danish is genuinely split
  between this and "the coming Friday"; when the two readings differ (e.g. said on a Wednesday)
  the match has ``ambiguous=True``.
- "kommende fredag", "førstkommende fredag" → the first Friday strictly after today.
- "i fredags" → the most recent Friday strictly before today (past). "sidste fredag" → the same,
  ``ambiguous=True`` when that is not in last calendar week.
- "mandag i næste uge", "mandag i denne uge", "mandag i sidste/forrige uge", "i næste uge på
  mandag", "mandag i uge 12" (ISO week; without a year the first such day on or after today),
  "mandag i uge 12 2027" → that exact day, not ambiguous.
- "hver mandag", "mandag til fredag", "mandag-fredag" are not one day: no match.

Dates (day before month, as in Danish):
- numeric: "24.12", "24/12", "den 24.12.", "24.12.26", "24.12.2026", "24-12-2026", "24/12-2026".
  A hyphen is accepted only when a year follows ("3-4 dage" is not a date). Two-digit years are
  20xx. Years must be 1900-2299. A number followed by a unit ("1/2 time", "3/4 af tiden", "2.5
  dage", "kr", "%") is an amount, not a date; a lone fraction ("1/2") is read as a date.
- month names, full or abbreviated, optional dot: "3. marts", "d. 3. marts", "3 mar", "3.marts
  2027", "24. dec.".
- "den 13." / "d. 13." (day of month only, followed by the end, punctuation, "kl", "og", "eller")
  → the next date with that day number on or after today (this month, else the next month
  that has it: "den 31." on 10 April is 31 May). "den 3. gang" is not a date.
- Without a year a date is the next occurrence ON OR AFTER today, looking at most one year ahead:
  "den 2.1" in December is next year; "29.2" resolves only when a 29 February falls within that
  year, otherwise it is invalid. With a year the date is taken as written and may be past.
- "10.30" after "kl."/"klokken", "10:30" and time ranges ("10.00-12.00") are times, never
  dates; a bare "H.MM" that cannot be a date (month > 12 or 0) is ignored as a time. A bare
  "H.MM" right after another day expression ("i morgen 10.10") is read as a time, unless it is
  a date on the weekday just named ("torsdag 24.12" in 2026, when 24.12 is a Thursday).

Holidays and closed days (``kkshared.holidays``): juleaften/juleaftensdag (also "juleafte"),
juledag/1. juledag/første juledag, 2. juledag/anden juledag, nytårsaften(sdag), nytårsdag,
grundlovsdag, skærtorsdag, langfredag, påskedag/påskesøndag, 2. påskedag/anden påskedag/
påskemandag, Kristi himmelfart(sdag)/himmelfartsdag, pinse/pinsedag/pinsesøndag, 2. pinsedag/
anden pinsedag/pinsemandag, store bededag. An optional four-digit year may follow
("juleaften 2025"). Without a year: this year's if on or after today, else next year's. Store
bededag exists only up to 2023, so after that it is invalid (no day). "Påske", "jul" and "nytår"
alone are periods or ambiguous and are not matched; "pinse" is read as pinsedag.

A weekday written next to a date, holiday or relative day ("fredag den 24.12", "i morgen
fredag", "torsdag juleaften") is a check: if it agrees, one match covering both; if not, the
expression is invalid.

``find_day`` returns ``None`` when nothing is found, when some day expression is invalid
("31.02", a contradicting weekday, store bededag 2026), or when the message names different days
("ikke i morgen men fredag") - a form should then ask. Several expressions naming the same day
are fine; the first is returned. ``today`` is a ``date``; a ``datetime`` is taken in Copenhagen
local time (``kkshared.formatting.to_local``). "næste uge" is a week, not a day: ``find_day``
returns ``None`` and ``find_week`` reads it.

English (issue 20: the conversation may be in English): "today", "tomorrow", "the day after
tomorrow", "yesterday"; weekday names with "on", "this", "next", "last" read as their Danish
counterparts ("next friday" like "næste fredag", ambiguous when the readings differ); "every
monday" and "monday to friday" are not one day; month names with the day before ("24 December",
"the 24th of December") or after ("December 24", "dec 24th, 2026"); "this/next/last week" and
"week 12". Numeric dates stay day-first (24.12) as on the job centre's letters.

Not supported (not a single unambiguous day or time): "om 3 dage", "om en uge", "weekenden",
"i morges"/"i aften", "forrige fredag", "halv ti", "kvart over 9", "kl. 3 om eftermiddagen".
"kl. 3" is 03:00: no afternoon is guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kkshared.formatting import to_local
from kkshared.holidays import (
    ANDEN_JULEDAG,
    ANDEN_PAASKEDAG,
    ANDEN_PINSEDAG,
    FOERSTE_JULEDAG,
    GRUNDLOVSDAG,
    JULEAFTENSDAG,
    KRISTI_HIMMELFARTSDAG,
    LANGFREDAG,
    NYTAARSAFTENSDAG,
    NYTAARSDAG,
    PAASKEDAG,
    PINSEDAG,
    SKAERTORSDAG,
    STORE_BEDEDAG,
    ClosedDay,
    closed_day,
    closed_day_named,
)
from kkshared.normalize import fold

__all__ = ["DayMatch", "WeekMatch", "find_day", "find_days", "find_time", "find_week"]

MIN_YEAR = 1900
MAX_YEAR = 2299


@dataclass(frozen=True)
class DayMatch:
    """One day expression: the date, where it is in the text, and how to treat it."""

    day: date
    start: int  # span in the original text
    end: int
    text: str  # the original text of the span
    past: bool  # day < today: a form can say "den dato er passeret"
    kind: str  # "relative" | "weekday" | "date" | "holiday"
    ambiguous: bool = False  # another reading gives another day: confirm with the user
    holiday: ClosedDay | None = None  # the holiday/closed day falling on ``day``, if any


@dataclass(frozen=True)
class WeekMatch:
    """An ISO week (Monday-Sunday) named in the text."""

    monday: date
    sunday: date
    year: int  # ISO year
    week: int  # ISO week number
    start: int
    end: int
    text: str
    past: bool  # the whole week is before today
    current: bool  # today falls in it


# --- folding with an index map back to the original text ---------------------------------------


def _fold_map(text: str) -> tuple[str, list[int], list[int]]:
    """``fold`` applied per character cluster (a base character + combining marks).

    Returns the folded text and, for every folded character, the start and end index of the
    original cluster it came from. Whitespace is kept (one space per whitespace character).
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = text[i:j]
        folded = " " if cluster.isspace() else fold(cluster)
        for ch in folded:
            out.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    return "".join(out), starts, ends


# --- patterns (on folded text) ------------------------------------------------------------------

AE = "(?:ae|a)"
OE = "(?:oe|o)"
AA = "(?:aa|a)"
_WD_NAMES = (
    r"mandag|tirsdag|onsdag|torsdag|fredag|l(?:oe|o)rdag|s(?:oe|o)ndag"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
)
_WD = rf"(?P<wd>{_WD_NAMES})"
_PAA = rf"(?:p{AA}\s+|til\s+|on\s+|this\s+)"
_NAESTE = r"n(?:ae|a|e)ste|next"
_WEEK_SPEC = (
    rf"(?:(?P<rel>denne|{_NAESTE}|sidste|forrige|this|last)\s+(?:uge|week)"
    r"|(?:uge|week)\s*(?P<wk>\d{1,2})(?:\s*,?\s*(?P<y>(?:19|20|21|22)\d\d))?)\b"
)
_YEAR_SUFFIX = r"(?:\s*,?\s*(?P<y>(?:19|20|21|22)\d\d)\b)?"
_PREFIX = r"(?:\b(?:den|d\.)\s*)?"
_NOT_IN_NUMBER = r"(?<!\d)(?<!\d[.,/:-])"

_RELATIVE = [
    (re.compile(r"\bi\s*dag\b"), 0),
    (re.compile(r"\bi\s*morgen\b"), 1),
    (re.compile(r"\b(?:i\s*)?overmorgen\b"), 2),
    (re.compile(rf"\bi\s*g{AA}r\b"), -1),
    (re.compile(rf"\b(?:i\s*)?forg{AA}rs\b"), -2),
    (re.compile(r"\btoday\b"), 0),
    (re.compile(r"\btomorrow\b"), 1),
    (re.compile(r"\b(?:the\s+)?day\s+after\s+tomorrow\b"), 2),
    (re.compile(r"\byesterday\b"), -1),
]

_WD_IN_WEEK = [
    re.compile(rf"\b{_PAA}?{_WD}\s*,?\s+(?:i\s+)?{_WEEK_SPEC}"),
    re.compile(rf"\b(?:i\s+)?{_WEEK_SPEC}\s*,?\s+{_PAA}?{_WD}\b"),
]
_WD_NEXT = re.compile(rf"\b{_PAA}?(?:den\s+)?(?P<q>{_NAESTE}|(?:f{OE}rst)?kommende)\s+{_WD}\b")
_WD_AGO = re.compile(rf"\bi\s+{_WD}s\b")
_WD_LAST = re.compile(rf"\b(?:sidste|last)\s+{_WD}\b")
_WD_PLAIN = re.compile(rf"\b{_PAA}?{_WD}\b")
_WD_BLOCK = [
    re.compile(rf"\b(?:hver|every)(?:\s+(?:anden|other))?\s+(?:{_WD_NAMES})\b"),
    re.compile(rf"\b(?:fra\s+|from\s+)?(?:{_WD_NAMES})\s*(?:-|–|—|til|to)\s*(?:{_WD_NAMES})\b"),
]

_MONTHS = {
    "januar": 1,
    "jan": 1,
    "februar": 2,
    "feb": 2,
    "marts": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "maj": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
    # English names that differ from the Danish ones
    "january": 1,
    "february": 2,
    "march": 3,
    "may": 5,
    "june": 6,
    "july": 7,
    "october": 10,
    "oct": 10,
}
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_NUMERIC = re.compile(
    _PREFIX + _NOT_IN_NUMBER + r"(?P<d>\d{1,2})(?P<s1>[./-])(?P<m>\d{1,2})"
    r"(?:(?P<s2>[./-])(?P<y>\d{4}|\d{2})|\.?\s+(?P<y4>(?:19|20|21|22)\d\d))?"
    r"(?!\d|[.,/:-]\d)"
    # "1/2 time", "3/4 af tiden" are amounts, not dates
    r"(?!\s*(?:(?:times?|timer|dage?|uger?|m(?:aa|a)neder?|dele?|gange?|af|kr)\b|%))"
)
_ORDINAL = r"(?:st|nd|rd|th)?(?:\s+of)?"
_DATE_NAMED = re.compile(
    _PREFIX
    + _NOT_IN_NUMBER
    + rf"(?P<d>\d{{1,2}})\.?{_ORDINAL}\s*(?P<mon>{_MONTH_ALT})\b\.?"
    + _YEAR_SUFFIX
)
# English, month first: "December 24", "dec 24th, 2026". English names only ("jul 2 uger" is
# Christmas and two weeks), and not before a unit ("May 3 days" is not a date).
_MONTH_FIRST_ALT = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|aug|sept|sep|oct|nov|dec"
)
_DATE_MONTH_FIRST = re.compile(
    rf"\b(?P<mon>{_MONTH_FIRST_ALT})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?![.:/-]\d)"
    r"(?!\s*(?:days?|weeks?|months?|hours?|times?|dage?|uger?|timer|gange?)\b)" + _YEAR_SUFFIX
)
_DAY_OF_MONTH = re.compile(
    r"\b(?:den|d\.)\s*(?P<d>\d{1,2})\.?(?![.\d])"
    r"(?=\s*(?:$|[?!,;:)]|(?:kl|klokken|og|eller)\b))"
)

_FIRST = rf"(?:(?:1|f{OE}rste)\.?\s*)"
_SECOND = r"(?:(?:2|anden)\.?\s*)"
_HOLIDAYS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bjule\s?aften(?:sdag)?(?:en)?\b|\bjuleafte\b"), JULEAFTENSDAG),
    (re.compile(rf"\b{_FIRST}?jule\s?dag(?:en)?\b"), FOERSTE_JULEDAG),
    (re.compile(rf"\b{_SECOND}jule\s?dag(?:en)?\b"), ANDEN_JULEDAG),
    (re.compile(rf"\bnyt{AA}rs\s?aften(?:sdag)?(?:en)?\b"), NYTAARSAFTENSDAG),
    (re.compile(rf"\bnyt{AA}rs\s?dag(?:en)?\b"), NYTAARSDAG),
    (re.compile(r"\bgrundlovs\s?dag(?:en)?\b"), GRUNDLOVSDAG),
    (re.compile(rf"\bsk{AE}r\s?torsdag(?:en)?\b"), SKAERTORSDAG),
    (re.compile(r"\blang\s?fredag(?:en)?\b"), LANGFREDAG),
    (re.compile(rf"\b{_FIRST}?p{AA}ske\s?dag(?:en)?\b|\bp{AA}skes{OE}ndag(?:en)?\b"), PAASKEDAG),
    (re.compile(rf"\b{_SECOND}p{AA}ske\s?dag(?:en)?\b|\bp{AA}skemandag(?:en)?\b"), ANDEN_PAASKEDAG),
    (
        re.compile(r"\b(?:kristi\s+|kr\.?\s*)?himmelfart(?:s\s?dag)?(?:en)?\b"),
        KRISTI_HIMMELFARTSDAG,
    ),
    (re.compile(rf"\b{_FIRST}?pinse(?:\s?dag)?(?:en)?\b|\bpinses{OE}ndag(?:en)?\b"), PINSEDAG),
    (re.compile(rf"\b{_SECOND}pinse\s?dag(?:en)?\b|\bpinsemandag(?:en)?\b"), ANDEN_PINSEDAG),
    (re.compile(r"\b(?:store\s+|st\.?\s*)?bede\s?dag(?:en)?\b"), STORE_BEDEDAG),
]
# Holiday names may carry a year: "juleaften 2025".
_HOLIDAYS = [(re.compile(f"(?:{p.pattern})" + _YEAR_SUFFIX), name) for p, name in _HOLIDAYS]

# Times: "kl. 10", "kl 10.30", "klokken 9", "10:30". Ranges "kl. 10-12" are not one time.
_TIME_KL = re.compile(r"\b(?:kl\.?|klokken)\s*(?P<h>\d{1,2})(?:[.:](?P<m>\d{2}))?(?!\d|[.:]\d)")
_TIME_COLON = re.compile(r"(?<![\d:.])(?P<h>\d{1,2}):(?P<m>\d{2})(?!\d|:\d)")
_TIME_RANGE_AFTER = re.compile(r"\s*(?:-|–|—)\s*(?:kl\.?\s*)?\d")
# Text that is a time (or time range) and never part of a date.
_TIME_ZONES = re.compile(
    r"\b(?:kl\.?|klokken)\s*\d{1,2}(?:[.:]\d{2})?(?:\s*[-–—]\s*(?:kl\.?\s*)?\d{1,2}(?:[.:]\d{2})?)?"
    r"|(?<![\d:.])\d{1,2}:\d{2}"
    r"|(?<![\d.])(?:[01]?\d|2[0-3])[.:][0-5]\d\s*[-–—]\s*(?:[01]?\d|2[0-3])[.:][0-5]\d(?![\d])"
)

_ADJACENT = re.compile(r"[\s,(]*")

_WEEK_ONLY = [
    re.compile(rf"\b(?:i\s+)?(?P<rel>denne|{_NAESTE}|sidste|forrige|this|last)\s+(?:uge|week)\b"),
    re.compile(
        r"\b(?:i\s+)?(?:uge|week)\s*(?P<wk>\d{1,2})(?:\s*,?\s*(?P<y>(?:19|20|21|22)\d\d))?\b"
    ),
]


# --- candidates -----------------------------------------------------------------------------------


@dataclass
class _Cand:
    start: int  # folded-text span
    end: int
    kind: str  # relative | weekday | date | holiday | block
    day: date | None  # None: a day expression that cannot be resolved (invalid)
    ambiguous: bool = False
    weekday: int | None = None  # set for weekday expressions: usable as a check on a neighbour
    time_like: bool = False  # bare "H.MM" that may be a time of day


# Days from this week's Monday to the named week's ("næste uge", "next week": 7).
_WEEK_OFFSETS = {"denne": 0, "this": 0, "sidste": -7, "forrige": -7, "last": -7}
_ENGLISH_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday_index(name: str) -> int:
    if name in _ENGLISH_WEEKDAYS:
        return _ENGLISH_WEEKDAYS.index(name)
    for i, prefix in enumerate(("ma", "ti", "on", "to", "fr", "l", "s")):
        if name.startswith(prefix):
            return i
    raise ValueError(name)  # pragma: no cover - the patterns only match the fourteen names


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _upcoming(today: date, weekday: int, include_today: bool) -> date:
    delta = (weekday - today.weekday()) % 7
    if delta == 0 and not include_today:
        delta = 7
    return today + timedelta(days=delta)


def _previous(today: date, weekday: int) -> date:
    return today - timedelta(days=(today.weekday() - weekday) % 7 or 7)


def _safe_date(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_occurrence(today: date, month: int, day: int) -> date | None:
    """The first ``day``.``month`` on or after today, within a year."""
    for year in (today.year, today.year + 1):
        found = _safe_date(year, month, day)
        if found is not None and found >= today:
            return found
    return None


def _iso_day(year: int, week: int, weekday: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date.fromisocalendar(year, week, weekday + 1)
    except ValueError:
        return None


def _week_day(today: date, m: re.Match[str], weekday: int) -> date | None:
    """The weekday in the week described by ``_WEEK_SPEC`` groups."""
    rel = m.group("rel")
    if rel is not None:
        offset = _WEEK_OFFSETS.get(rel, 7)
        return _monday(today) + timedelta(days=offset + weekday)
    week = int(m.group("wk"))
    if m.group("y"):
        return _iso_day(int(m.group("y")), week, weekday)
    iso_year = today.isocalendar()[0]
    for year in (iso_year, iso_year + 1):
        found = _iso_day(year, week, weekday)
        if found is not None and found >= today:
            return found
    return None


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def _candidates(folded: str, today: date) -> list[_Cand]:
    cands: list[_Cand] = []
    time_zones = [(m.start(), m.end()) for m in _TIME_ZONES.finditer(folded)]

    def in_time(start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in time_zones)

    for pattern, offset in _RELATIVE:
        for m in pattern.finditer(folded):
            cands.append(_Cand(m.start(), m.end(), "relative", today + timedelta(days=offset)))

    for pattern in _WD_IN_WEEK:
        for m in pattern.finditer(folded):
            wd = _weekday_index(m.group("wd"))
            cands.append(_Cand(m.start(), m.end(), "weekday", _week_day(today, m, wd), weekday=wd))
    for m in _WD_NEXT.finditer(folded):
        wd = _weekday_index(m.group("wd"))
        coming = _upcoming(today, wd, include_today=False)
        if m.group("q").endswith("kommende"):
            cands.append(_Cand(m.start(), m.end(), "weekday", coming, weekday=wd))
        else:
            day: date | None = _monday(today) + timedelta(days=7 + wd)
            cands.append(_Cand(m.start(), m.end(), "weekday", day, day != coming, weekday=wd))
    for m in _WD_AGO.finditer(folded):
        wd = _weekday_index(m.group("wd"))
        cands.append(_Cand(m.start(), m.end(), "weekday", _previous(today, wd), weekday=wd))
    for m in _WD_LAST.finditer(folded):
        wd = _weekday_index(m.group("wd"))
        day = _previous(today, wd)
        last_week = _monday(today) - timedelta(days=7 - wd)
        cands.append(_Cand(m.start(), m.end(), "weekday", day, day != last_week, weekday=wd))
    for m in _WD_PLAIN.finditer(folded):
        wd = _weekday_index(m.group("wd"))
        day = _upcoming(today, wd, include_today=True)
        cands.append(_Cand(m.start(), m.end(), "weekday", day, day == today, weekday=wd))
    for pattern in _WD_BLOCK:
        for m in pattern.finditer(folded):
            cands.append(_Cand(m.start(), m.end(), "block", None))

    for m in _DATE_NUMERIC.finditer(folded):
        if in_time(m.start("d"), m.end()):
            continue
        d, mo = int(m.group("d")), int(m.group("m"))
        year_text = m.group("y") or m.group("y4")
        if m.group("s1") == "-" and not year_text:
            continue  # "3-4 dage": a range, not a date
        bare = not year_text and m.group("s1") == "." and m.start() == m.start("d")
        looks_like_time = bare and len(m.group("m")) == 2 and d <= 23 and mo <= 59
        if not (1 <= mo <= 12 and 1 <= d <= 31) and looks_like_time:
            continue  # "9.00", "10.30": a time of day
        if year_text:
            day = _safe_date(_year(year_text), mo, d)
        else:
            day = _next_occurrence(today, mo, d)
        cands.append(_Cand(m.start(), m.end(), "date", day, time_like=looks_like_time))
    for m in (*_DATE_NAMED.finditer(folded), *_DATE_MONTH_FIRST.finditer(folded)):
        if in_time(m.start("d"), m.end()):
            continue
        d, mo = int(m.group("d")), _MONTHS[m.group("mon")]
        if m.group("y"):
            day = _safe_date(int(m.group("y")), mo, d)
        else:
            day = _next_occurrence(today, mo, d)
        cands.append(_Cand(m.start(), m.end(), "date", day))
    for m in _DAY_OF_MONTH.finditer(folded):
        d = int(m.group("d"))
        day = None
        year, month = today.year, today.month
        for _ in range(3):  # "den 31." may skip a month or two
            found = _safe_date(year, month, d)
            if found is not None and found >= today:
                day = found
                break
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        cands.append(_Cand(m.start(), m.end(), "date", day))

    for pattern, name in _HOLIDAYS:
        for m in pattern.finditer(folded):
            if m.group("y"):
                entry = closed_day_named(name, int(m.group("y")))
            else:
                entry = closed_day_named(name, today.year)
                if entry is None or entry.day < today:
                    entry = closed_day_named(name, today.year + 1)
            cands.append(_Cand(m.start(), m.end(), "holiday", entry.day if entry else None))
    return cands


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Leftmost-longest, non-overlapping."""
    chosen: list[_Cand] = []
    for cand in sorted(cands, key=lambda c: (c.start, -(c.end - c.start))):
        if chosen and cand.start < chosen[-1].end:
            continue
        chosen.append(cand)
    return chosen


def _merge(first: _Cand, second: _Cand) -> _Cand | None:
    """Combine two adjacent expressions, or ``None`` when they stay separate."""
    start, end = first.start, second.end
    for wd_cand, other in ((first, second), (second, first)):
        if wd_cand.kind == "weekday" and other.kind in ("date", "holiday", "relative"):
            if other.day is not None and other.day.weekday() == wd_cand.weekday:
                return _Cand(start, end, other.kind, other.day)
            if other.time_like and other is second:
                return wd_cand  # "fredag 10.10": Friday at 10.10
            return _Cand(start, end, other.kind, None)  # contradicting weekday, or invalid date
    if second.time_like and first.kind in ("date", "holiday", "relative") and first.day is not None:
        return first  # "i morgen 10.10": tomorrow at 10.10
    return None


def _resolve(folded: str, today: date) -> list[_Cand]:
    chosen = _select(_candidates(folded, today))
    merged: list[_Cand] = []
    i = 0
    while i < len(chosen):
        cand = chosen[i]
        if i + 1 < len(chosen):
            nxt = chosen[i + 1]
            if _ADJACENT.fullmatch(folded, cand.end, nxt.start):
                combined = _merge(cand, nxt)
                if combined is not None:
                    merged.append(combined)
                    i += 2
                    continue
        merged.append(cand)
        i += 1
    return [c for c in merged if c.kind != "block"]


def _as_date(today: date | datetime) -> date:
    if isinstance(today, datetime):
        return to_local(today).date()
    return today


def _to_match(cand: _Cand, text: str, starts: list[int], ends: list[int], today: date) -> DayMatch:
    assert cand.day is not None
    start, end = starts[cand.start], ends[cand.end - 1]
    return DayMatch(
        day=cand.day,
        start=start,
        end=end,
        text=text[start:end],
        past=cand.day < today,
        kind=cand.kind,
        ambiguous=cand.ambiguous,
        holiday=closed_day(cand.day),
    )


def find_days(text: str | None, today: date) -> list[DayMatch]:
    """Every day expression in ``text`` that resolves to a date, in text order.

    Invalid expressions ("31.02", a contradicting weekday) are left out; use ``find_day`` when
    you need the one day the message means.
    """
    if not text:
        return []
    today = _as_date(today)
    folded, starts, ends = _fold_map(text)
    return [_to_match(c, text, starts, ends, today) for c in _resolve(folded, today) if c.day]


def find_day(text: str | None, today: date) -> DayMatch | None:
    """The one day ``text`` refers to, relative to ``today`` (a date; datetimes are taken in
    Copenhagen time), or ``None``: nothing found, an invalid expression, or different days named.
    """
    if not text:
        return None
    today = _as_date(today)
    folded, starts, ends = _fold_map(text)
    cands = _resolve(folded, today)
    if not cands or any(c.day is None for c in cands):
        return None
    if len({c.day for c in cands}) != 1:
        return None
    return _to_match(cands[0], text, starts, ends, today)


def find_week(text: str | None, today: date) -> WeekMatch | None:
    """The one ISO week ``text`` names: "næste uge", "i denne uge", "sidste/forrige uge",
    "uge 12" (without a year the first week 12 not yet over), "uge 12 2027".

    A week that is part of a day expression ("mandag i næste uge") does not count: call
    ``find_day`` for that. ``None`` when no week, an invalid week (uge 54) or different weeks.
    """
    if not text:
        return None
    today = _as_date(today)
    folded, starts, ends = _fold_map(text)
    day_spans = [(c.start, c.end) for c in _candidates(folded, today) if c.kind == "weekday"]
    found: list[tuple[int, int, date | None]] = []
    for pattern in _WEEK_ONLY:
        for m in pattern.finditer(folded):
            if any(s <= m.start() and m.end() <= e for s, e in day_spans):
                continue
            if "rel" in pattern.groupindex:
                offset = _WEEK_OFFSETS.get(m.group("rel"), 7)
                monday: date | None = _monday(today) + timedelta(days=offset)
            else:
                week = int(m.group("wk"))
                if m.group("y"):
                    monday = _iso_day(int(m.group("y")), week, 0)
                else:
                    monday = None
                    iso_year = today.isocalendar()[0]
                    for year in (iso_year, iso_year + 1):
                        candidate = _iso_day(year, week, 0)
                        if candidate is not None and candidate + timedelta(days=6) >= today:
                            monday = candidate
                            break
            found.append((m.start(), m.end(), monday))
    if not found or any(monday is None for _, _, monday in found):
        return None
    if len({monday for _, _, monday in found}) != 1:
        return None
    fstart, fend, monday = min(found, key=lambda f: f[0])
    assert monday is not None
    start, end = starts[fstart], ends[fend - 1]
    sunday = monday + timedelta(days=6)
    iso = monday.isocalendar()
    return WeekMatch(
        monday=monday,
        sunday=sunday,
        year=iso[0],
        week=iso[1],
        start=start,
        end=end,
        text=text[start:end],
        past=sunday < today,
        current=monday <= today <= sunday,
    )


def find_time(text: str | None) -> time | None:
    """The one clock time in ``text``: "kl. 10", "kl 10.30", "kl.9", "klokken 14.15", "10:30".

    Only unambiguous forms: "kl."/"klokken" + hour[.minutes], or hour:minutes. A bare "10.30" is
    not read (it may be a date); "halv ti", "kvart over" and am/pm guesses are not made ("kl. 3"
    is 03:00). ``None`` when no time, an invalid time ("kl. 25", "24:00"), a range ("kl. 10-12")
    or different times.
    """
    if not text:
        return None
    folded, _, _ = _fold_map(text)
    spans: list[tuple[int, int]] = []
    times: list[time | None] = []
    for pattern in (_TIME_KL, _TIME_COLON):
        for m in pattern.finditer(folded):
            if any(s < m.end() and m.start() < e for s, e in spans):
                continue
            spans.append((m.start(), m.end()))
            if _TIME_RANGE_AFTER.match(folded, m.end()):
                times.append(None)
                continue
            hour, minute = int(m.group("h")), int(m.group("m") or 0)
            times.append(time(hour, minute) if hour <= 23 and minute <= 59 else None)
    if not times or any(t is None for t in times) or len(set(times)) != 1:
        return None
    return times[0]
