"""Demo data: required users and shapes, relative dates, idempotent re-seeding."""

import json
from datetime import timedelta

from api_helpers import make_settings, today_cph
from sqlalchemy import func, select

from api.demo import data
from api.demo.locations import DEMO_LOCATIONS_FILE
from api.demo.seed import last_banking_day, seed_demo, working_day_on_or_after
from api.models import (
    AbsenceReport,
    Case,
    Citizen,
    Closure,
    Location,
    Meeting,
    OpeningHours,
    Payment,
    PlanItem,
    Role,
    User,
)
from kkshared.pii import find_pii

TZ = make_settings().tz
COUNTED = (User, Citizen, Case, Meeting, Payment, PlanItem, Location, OpeningHours, Closure)


def counts(session):
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model)) for model in COUNTED
    }


def test_demo_users_and_roles(demo):
    expected = {
        "demo-borger": Role.CITIZEN,
        "demo-borger-syg": Role.CITIZEN,
        "demo-borger-2": Role.CITIZEN,
        "demo-sagsbehandler": Role.STAFF,
        "demo-sagsbehandler-2": Role.STAFF,
        "demo-jurist": Role.JURIST,
        "demo-admin": Role.ADMIN,
    }
    assert {u: demo.users[u].role for u in expected} == expected


def test_caseloads(db_session, demo):
    def caseworker_of(username):
        return db_session.scalars(
            select(Case.caseworker_id).where(Case.citizen_id == demo.citizen_id(username))
        ).one()

    assert caseworker_of("demo-borger") == demo.user_id("demo-sagsbehandler")
    assert caseworker_of("demo-borger-syg") == demo.user_id("demo-sagsbehandler")
    assert caseworker_of("demo-borger-2") == demo.user_id("demo-sagsbehandler-2")


def test_reseed_moves_dates_forward_without_duplicates(db_session, demo):
    today = today_cph()
    seed_demo(db_session, TZ, today=today)
    before = counts(db_session)
    citizen_id = demo.citizen_id("demo-borger")
    report = AbsenceReport(
        id="fra-test",
        reference="FRA-1999-000001",
        citizen_id=citizen_id,
        absence_date=today,
        kind="sygdom",
        reason="x",
    )
    db_session.add(report)
    db_session.flush()
    first_meeting = min(
        db_session.scalars(select(Meeting.starts_at).where(Meeting.citizen_id == citizen_id))
    )

    later = today + timedelta(days=45)
    seed_demo(db_session, TZ, today=later)
    db_session.expire_all()
    assert counts(db_session) == before
    moved = min(
        db_session.scalars(select(Meeting.starts_at).where(Meeting.citizen_id == citizen_id))
    )
    assert timedelta(days=40) < moved - first_meeting < timedelta(days=50)
    # Upcoming relative to the new "today": at least three planned meetings after it.
    upcoming = db_session.scalars(
        select(Meeting).where(Meeting.citizen_id == citizen_id, Meeting.status == "planned")
    ).all()
    assert len([m for m in upcoming if m.starts_at.astimezone(TZ).date() > later]) >= 3
    assert db_session.get(AbsenceReport, "fra-test") is not None  # bot-made rows are kept


def test_demo_meetings_fall_on_open_days(db_session):
    from kkshared.holidays import closed_day

    for meeting in db_session.scalars(select(Meeting)):
        local = meeting.starts_at.astimezone(TZ)
        assert local.weekday() < 5 and closed_day(local.date()) is None


def test_working_and_banking_days():
    from datetime import date

    assert working_day_on_or_after(date(2026, 12, 24)) == date(2026, 12, 28)
    assert last_banking_day(2026, 5) == date(2026, 5, 29)  # 31st is a Sunday
    assert last_banking_day(2026, 12) == date(2026, 12, 30)  # 31st is nytårsaftensdag


def test_demo_data_is_synthetic():
    texts = [c.name for c in data.CITIZENS] + [u.display_name for u in data.USERS]
    texts += [item.title for c in data.CITIZENS for item in c.plan]
    assert all(not any(m.kind == "cpr" for m in find_pii(text)) for text in texts)
    assert all(c.phone.startswith("+4500") for c in data.CITIZENS)  # not valid DK numbers


def test_location_file_is_marked_unverified():
    content = json.loads(DEMO_LOCATIONS_FILE.read_text(encoding="utf-8"))
    assert "MUST replace" in " ".join(content["_comment"])
    ids = {loc["id"] for loc in content["locations"]}
    assert {"gammel-koege-landevej", "laerkevej", "ydelsesservice"} <= ids
    assert all(loc["verified"] is False for loc in content["locations"])
