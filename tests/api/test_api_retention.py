"""Retention (``python -m api.retention``) and erasure (``POST /admin/erasure``), on SQLite and
PostgreSQL: rows counted before and after, and on SQLite the database files grepped for a deleted
text (docs/privacy.md)."""

from __future__ import annotations

import secrets
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from api_helpers import BACKENDS, make_settings
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import retention as retention_cli
from api.db import migrate
from api.db.session import make_engine
from api.demo.seed import demo_id, seed_demo
from api.main import create_app
from api.models import (
    AbsenceKind,
    AbsenceReport,
    AuditLogEntry,
    Citizen,
    Feedback,
    IdempotentRequest,
    Meeting,
    Message,
    Rating,
    RescheduleRequest,
    Role,
    User,
)
from api.security.tokens import create_token
from api.services.retention import purge_expired

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
FORM_MODELS = (AbsenceReport, RescheduleRequest, Message)


def _ref() -> str:
    return f"T-{secrets.token_hex(4)}"


def add_form_texts(
    session: Session, citizen_id: str, created_at: datetime, text: str, key: str | None = None
) -> dict[str, str]:
    """One absence report, reschedule request and message with ``text``; their ids."""
    meeting_id = session.scalars(select(Meeting.id).where(Meeting.citizen_id == citizen_id)).first()
    assert meeting_id is not None
    rows = [
        AbsenceReport(
            id=f"fra-{secrets.token_hex(6)}",
            reference=_ref(),
            citizen_id=citizen_id,
            meeting_id=meeting_id,
            absence_date=date(2030, 1, 2),
            kind=AbsenceKind.SYGDOM,
            reason=text,
            created_at=created_at,
        ),
        RescheduleRequest(
            id=f"fly-{secrets.token_hex(6)}",
            reference=_ref(),
            citizen_id=citizen_id,
            meeting_id=meeting_id,
            reason=text,
            preferred_times=[text],
            created_at=created_at,
        ),
        Message(
            id=f"bsk-{secrets.token_hex(6)}",
            reference=_ref(),
            citizen_id=citizen_id,
            text=text,
            created_at=created_at,
        ),
    ]
    session.add_all(rows)
    if key is not None:
        session.add(
            IdempotentRequest(
                citizen_id=citizen_id,
                key=key,
                kind="BSK",
                fingerprint="0" * 64,
                record_id=rows[2].id,
                created_at=created_at,
            )
        )
    session.flush()
    return {type(row).__tablename__: row.id for row in rows}


def add_feedback(session: Session, ref: str, created_at: datetime, comment: str) -> str:
    row = Feedback(
        id=f"fb-{secrets.token_hex(6)}",
        conversation_ref=ref,
        message_id="m1",
        rating=Rating.DOWN,
        comment=comment,
        created_at=created_at,
    )
    session.add(row)
    session.flush()
    return row.id


def add_audit(session: Session, at: datetime, citizen_id: str) -> None:
    session.add(
        AuditLogEntry(
            at=at,
            actor_user_id="u-x",
            actor_role="staff",
            via="bearer",
            citizen_id=citizen_id,
            action="read",
            endpoint="GET /citizens/{citizen_id}",
        )
    )
    session.flush()


def count(session: Session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def counts_for(session: Session, citizen_id: str) -> dict[str, int]:
    return {
        model.__tablename__: count(session, model, model.citizen_id == citizen_id)
        for model in (*FORM_MODELS, IdempotentRequest)
    }


# --- settings ------------------------------------------------------------------------------------


def test_default_periods():
    settings = make_settings()
    assert (
        settings.retention_feedback_days,
        settings.retention_form_text_days,
        settings.retention_audit_days,
    ) == (180, 730, 1825)


def test_periods_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("KK_RETENTION_FEEDBACK_DAYS", "90")
    monkeypatch.setenv("KK_RETENTION_AUDIT_DAYS", "3650")
    settings = make_settings()
    assert settings.retention_feedback_days == 90 and settings.retention_audit_days == 3650


@pytest.mark.parametrize(
    "values",
    [
        {"retention_audit_days": 100},  # shorter than the form texts: the audit log is kept longest
        {"retention_feedback_days": 0},
        {"retention_form_text_days": -1},
    ],
)
def test_invalid_periods_are_refused(values):
    with pytest.raises(ValidationError):
        make_settings(**values)


# --- retention ------------------------------------------------------------------------------------


def test_purge_deletes_what_is_older_than_its_period(db_session, demo, settings):
    citizen = demo.citizen_id("demo-borger")
    old_forms = add_form_texts(db_session, citizen, NOW - timedelta(days=731), "gammel", "k-old-1")
    new_forms = add_form_texts(db_session, citizen, NOW - timedelta(days=729), "ny", "k-new-1")
    old_fb = add_feedback(db_session, "r1", NOW - timedelta(days=181), "gammel kommentar")
    new_fb = add_feedback(db_session, "r1", NOW - timedelta(days=179), "ny kommentar")
    add_audit(db_session, NOW - timedelta(days=1826), citizen)
    add_audit(db_session, NOW - timedelta(days=1824), citizen)
    before = counts_for(db_session, citizen)
    feedback_before = count(db_session, Feedback)
    audit_before = count(db_session, AuditLogEntry)

    deleted = purge_expired(db_session, settings, NOW)

    assert deleted == {
        "absence_reports": 1,
        "reschedule_requests": 1,
        "messages": 1,
        "idempotency_keys": 1,
        "feedback": 1,
        "audit_log": 1,
    }
    after = counts_for(db_session, citizen)
    assert {name: before[name] - after[name] for name in before} == {
        "absence_reports": 1,
        "reschedule_requests": 1,
        "messages": 1,
        "idempotent_requests": 1,
    }
    assert count(db_session, Feedback) == feedback_before - 1
    assert count(db_session, AuditLogEntry) == audit_before - 1
    db_session.expire_all()
    for model in FORM_MODELS:
        assert db_session.get(model, old_forms[model.__tablename__]) is None
        assert db_session.get(model, new_forms[model.__tablename__]) is not None
    assert db_session.get(Feedback, old_fb) is None and db_session.get(Feedback, new_fb)
    # Nothing is left to delete on a second run.
    assert set(purge_expired(db_session, settings, NOW).values()) == {0}


def test_purge_follows_the_configured_periods(db_session, demo, database):
    citizen = demo.citizen_id("demo-borger")
    add_form_texts(db_session, citizen, NOW - timedelta(days=40), "fyrre dage")
    add_feedback(db_session, "r2", NOW - timedelta(days=40), "fyrre dage")
    short = make_settings(
        database_url=database.url,
        retention_form_text_days=30,
        retention_feedback_days=30,
        retention_audit_days=60,
    )
    deleted = purge_expired(db_session, short, NOW)
    assert deleted["messages"] == 1 and deleted["feedback"] == 1


def _fresh_database(fresh_database_url, backend: str):
    url = fresh_database_url(backend)
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        seed_demo(session, make_settings().tz)
        session.commit()
    return url, engine


def _database_bytes(url: str) -> bytes:
    path = Path(url.removeprefix("sqlite:///"))
    files = [path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-journal"))]
    return b"".join(p.read_bytes() for p in files if p.exists())


@pytest.mark.parametrize("backend", BACKENDS)
def test_retention_command_deletes_rows_and_leaves_no_text_in_the_files(
    fresh_database_url, backend, capsys
):
    url, engine = _fresh_database(fresh_database_url, backend)
    secret = f"HEMMELIG-FRAVAER-{secrets.token_hex(6)}"
    try:
        with Session(engine) as session:
            citizen = session.scalars(select(Citizen.id)).first()
            now = datetime.now(UTC)
            add_form_texts(session, citizen, now - timedelta(days=800), secret, "k-gammel")
            add_form_texts(session, citizen, now - timedelta(days=10), "stadig aktuel")
            add_feedback(session, "r3", now - timedelta(days=200), secret)
            session.commit()
            before = {m.__tablename__: count(session, m) for m in (*FORM_MODELS, Feedback)}
        if backend == "sqlite":
            assert secret.encode() in _database_bytes(url)

        settings = make_settings(database_url=url)
        deleted = retention_cli.run(settings)

        with Session(engine) as session:
            after = {m.__tablename__: count(session, m) for m in (*FORM_MODELS, Feedback)}
            for model in FORM_MODELS:
                assert count(session, model, model.created_at < now - timedelta(days=730)) == 0
        assert {name: before[name] - after[name] for name in before} == {
            "absence_reports": 1,
            "reschedule_requests": 1,
            "messages": 1,
            "feedback": 1,
        }
        assert deleted["messages"] == 1 and deleted["idempotency_keys"] == 1
        if backend == "sqlite":
            assert secret.encode() not in _database_bytes(url)
    finally:
        engine.dispose()


def test_retention_command_prints_counts(fresh_database_url, monkeypatch, capsys):
    url, engine = _fresh_database(fresh_database_url, "sqlite")
    engine.dispose()
    monkeypatch.setattr(retention_cli, "get_settings", lambda: make_settings(database_url=url))
    assert retention_cli.main([]) == 0
    assert '"deleted": {"absence_reports": 0' in capsys.readouterr().out


def test_retention_command_refuses_an_unmigrated_database(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setattr(retention_cli, "get_settings", lambda: make_settings(database_url=url))
    assert retention_cli.main([]) == 1
    assert "migrate" in capsys.readouterr().err


# --- erasure --------------------------------------------------------------------------------------


def erase(client, headers, body):
    return client.post("/admin/erasure", json=body, headers=headers)


def test_erasure_needs_a_token(client, demo):
    r = erase(client, {}, {"citizen_id": demo.citizen_id("demo-borger")})
    assert r.status_code == 401


@pytest.mark.parametrize("username", ["demo-borger", "demo-sagsbehandler", "demo-jurist"])
def test_erasure_is_for_admins_only(client, db_session, demo, auth, username):
    citizen = demo.citizen_id("demo-borger")
    add_form_texts(db_session, citizen, datetime.now(UTC), "må ikke slettes")
    before = counts_for(db_session, citizen)
    r = erase(client, auth(username), {"citizen_id": citizen})
    assert r.status_code == 403
    assert counts_for(db_session, citizen) == before


def test_erasure_of_an_unknown_citizen_is_404(client, auth, db_session):
    audit_before = count(db_session, AuditLogEntry)
    r = erase(client, auth("demo-admin"), {"citizen_id": "c-findesikke"})
    assert r.status_code == 404 and r.json() == {"detail": "citizen not found"}
    assert count(db_session, AuditLogEntry) == audit_before


@pytest.mark.parametrize(
    "body", [{}, {"citizen_id": ""}, {"citizen_id": "c-1", "other": 1}, {"citizen_id": 5}]
)
def test_erasure_body_is_validated(client, auth, body):
    assert erase(client, auth("demo-admin"), body).status_code == 422


def test_erasure_deletes_one_citizens_texts_and_audits_it(client, db_session, demo, auth):
    target, other = demo.citizen_id("demo-borger"), demo.citizen_id("demo-borger-syg")
    secret = f"HEMMELIG-{secrets.token_hex(4)}"
    now = datetime.now(UTC)
    add_form_texts(db_session, target, now, secret, "k-target")
    add_form_texts(db_session, target, now - timedelta(days=3), secret)
    add_form_texts(db_session, other, now, "den anden borgers tekst", "k-other")
    mine = add_feedback(db_session, "ref-of-target", now, secret)
    anonymous = add_feedback(db_session, "ref-of-someone", now, "anden feedback")
    target_before, other_before = counts_for(db_session, target), counts_for(db_session, other)
    assert target_before["messages"] >= 2

    r = erase(
        client,
        auth("demo-admin"),
        {"citizen_id": target, "feedback_refs": ["ref-of-target", "ref-unknown"]},
    )

    assert r.status_code == 200, r.text
    body = r.json()
    assert body["deleted"] == {
        "absence_reports": target_before["absence_reports"],
        "reschedule_requests": target_before["reschedule_requests"],
        "messages": target_before["messages"],
        "idempotency_keys": target_before["idempotent_requests"],
        "feedback": 1,
    }
    user = db_session.get(User, demo.user_id("demo-borger"))
    citizen = db_session.get(Citizen, target)
    assert body["subject"] == user.id and body["phone"] == citizen.phone
    assert body["bot_command"] == (
        f"python -m bot.retention --erase-subject {user.id} --erase-phone {citizen.phone}"
    )
    db_session.expire_all()
    assert set(counts_for(db_session, target).values()) == {0}
    assert counts_for(db_session, other) == other_before  # another citizen's rows stay
    assert db_session.get(Feedback, mine) is None and db_session.get(Feedback, anonymous)

    entry = db_session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "erasure")).one()
    assert entry.citizen_id == target and entry.actor_user_id == demo.user_id("demo-admin")
    assert entry.actor_role == "admin" and entry.endpoint == "POST /admin/erasure"
    assert entry.detail == (
        f"absence_reports={target_before['absence_reports']} "
        f"reschedule_requests={target_before['reschedule_requests']} "
        f"messages={target_before['messages']} "
        f"idempotency_keys={target_before['idempotent_requests']} feedback=1"
    )
    row_text = " ".join(str(getattr(entry, c.key)) for c in AuditLogEntry.__table__.columns)
    assert secret not in row_text
    # The admin can read it back (counts included).
    log = client.get("/audit-log", params={"citizen_id": target}, headers=auth("demo-admin")).json()
    assert any(e["action"] == "erasure" and e["detail"] == entry.detail for e in log)


def test_erasure_twice_deletes_nothing_more(client, db_session, demo, auth):
    target = demo.citizen_id("demo-borger-syg")
    add_form_texts(db_session, target, datetime.now(UTC), "tekst")
    first = erase(client, auth("demo-admin"), {"citizen_id": target}).json()
    second = erase(client, auth("demo-admin"), {"citizen_id": target}).json()
    assert first["deleted"]["messages"] >= 1
    assert set(second["deleted"].values()) == {0}
    assert count(db_session, AuditLogEntry, AuditLogEntry.action == "erasure") == 2


def test_erasure_via_service_token_needs_an_admin_subject(client, demo):
    from api_helpers import service_headers

    body = {"citizen_id": demo.citizen_id("demo-borger")}
    assert erase(client, service_headers(), body).status_code == 401
    citizen_subject = service_headers(demo.user_id("demo-borger"))
    assert erase(client, citizen_subject, body).status_code == 403
    assert erase(client, service_headers(demo.user_id("demo-admin")), body).status_code == 200


@asynccontextmanager
async def _no_lifespan(_app):
    yield


@pytest.mark.parametrize("backend", BACKENDS)
def test_erasure_endpoint_leaves_no_text_in_the_files(fresh_database_url, backend):
    """The endpoint against a real database (committed, not rolled back)."""
    url, engine = _fresh_database(fresh_database_url, backend)
    settings = make_settings(database_url=url)
    secret = f"HEMMELIG-BESKED-{secrets.token_hex(6)}"
    try:
        with Session(engine) as session:
            admin = session.scalars(select(User).where(User.role == Role.ADMIN)).first()
            citizen = session.get(Citizen, demo_id("c", "demo-borger"))
            add_form_texts(session, citizen.id, datetime.now(UTC), secret, "k-1")
            session.commit()
            before = counts_for(session, citizen.id)
            token = create_token(admin.id, admin.role, settings)
        if backend == "sqlite":
            assert secret.encode() in _database_bytes(url)
        app = create_app(settings, engine=engine)
        app.router.lifespan_context = _no_lifespan
        with TestClient(app) as client:
            r = erase(client, {"Authorization": f"Bearer {token}"}, {"citizen_id": citizen.id})
        assert r.status_code == 200, r.text
        with Session(engine) as session:
            after = counts_for(session, citizen.id)
        assert before["messages"] >= 1 and set(after.values()) == {0}
        if backend == "sqlite":
            assert secret.encode() not in _database_bytes(url)
    finally:
        engine.dispose()
