"""Who may see which citizen's data, and the audit log of staff/admin reads."""

import pytest
from api_helpers import service_headers
from sqlalchemy import func, select

from api.models import AuditLogEntry

CITIZEN_PATHS = [
    "",
    "/meetings",
    "/payments",
    "/plan",
    "/absence-reports",
    "/reschedule-requests",
    "/messages",
]


def audit_count(db_session, **filters) -> int:
    query = select(func.count()).select_from(AuditLogEntry)
    for column, value in filters.items():
        query = query.where(getattr(AuditLogEntry, column) == value)
    return db_session.scalar(query)


@pytest.mark.parametrize("suffix", CITIZEN_PATHS)
def test_citizen_sees_own_data(client, demo, auth, suffix):
    r = client.get(
        f"/citizens/{demo.citizen_id('demo-borger')}{suffix}", headers=auth("demo-borger")
    )
    assert r.status_code == 200


@pytest.mark.parametrize("suffix", CITIZEN_PATHS)
def test_other_citizens_id_is_404_not_403(client, demo, auth, suffix):
    other = demo.citizen_id("demo-borger-syg")
    r = client.get(f"/citizens/{other}{suffix}", headers=auth("demo-borger"))
    assert r.status_code == 404
    assert r.json() == {"detail": "citizen not found"}
    # Indistinguishable from an id that does not exist.
    missing = client.get(f"/citizens/c-nonexistent{suffix}", headers=auth("demo-borger"))
    assert missing.status_code == 404 and missing.json() == r.json()


@pytest.mark.parametrize("suffix", CITIZEN_PATHS)
def test_caseworker_outside_caseload_is_404(client, demo, auth, suffix):
    outside = demo.citizen_id("demo-borger-2")  # caseworker is demo-sagsbehandler-2
    r = client.get(f"/citizens/{outside}{suffix}", headers=auth("demo-sagsbehandler"))
    assert r.status_code == 404
    r2 = client.get(f"/citizens/{outside}{suffix}", headers=auth("demo-sagsbehandler-2"))
    assert r2.status_code == 200


@pytest.mark.parametrize("suffix", CITIZEN_PATHS)
def test_staff_read_writes_audit_row(client, db_session, demo, auth, suffix):
    citizen_id = demo.citizen_id("demo-borger")
    staff_id = demo.user_id("demo-sagsbehandler")
    before = audit_count(db_session, citizen_id=citizen_id, actor_user_id=staff_id)
    r = client.get(f"/citizens/{citizen_id}{suffix}", headers=auth("demo-sagsbehandler"))
    assert r.status_code == 200
    assert audit_count(db_session, citizen_id=citizen_id, actor_user_id=staff_id) == before + 1
    row = db_session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.id.desc()).limit(1)).one()
    assert row.actor_role == "staff" and row.via == "bearer" and row.action == "read"
    assert row.endpoint == f"GET /citizens/{{citizen_id}}{suffix}"
    assert row.request_id == r.headers["X-Request-ID"]


def test_admin_sees_everyone_and_is_audited(client, db_session, demo, auth):
    for username in ("demo-borger", "demo-borger-syg", "demo-borger-2"):
        citizen_id = demo.citizen_id(username)
        before = audit_count(db_session, citizen_id=citizen_id)
        assert client.get(f"/citizens/{citizen_id}", headers=auth("demo-admin")).status_code == 200
        assert audit_count(db_session, citizen_id=citizen_id) == before + 1


def test_citizen_reading_own_data_is_not_audited(client, db_session, demo, auth):
    before = audit_count(db_session)
    client.get(f"/citizens/{demo.citizen_id('demo-borger')}", headers=auth("demo-borger"))
    client.get("/me/meetings", headers=auth("demo-borger"))
    assert audit_count(db_session) == before


def test_denied_read_is_not_audited(client, db_session, demo, auth):
    before = audit_count(db_session)
    client.get(f"/citizens/{demo.citizen_id('demo-borger-2')}", headers=auth("demo-sagsbehandler"))
    assert audit_count(db_session) == before


def test_staff_read_via_service_subject_is_audited_as_service(client, db_session, demo):
    headers = service_headers(demo.user_id("demo-sagsbehandler"))
    citizen_id = demo.citizen_id("demo-borger-syg")
    assert client.get(f"/citizens/{citizen_id}/meetings", headers=headers).status_code == 200
    row = db_session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.id.desc()).limit(1)).one()
    assert (row.citizen_id, row.via, row.actor_user_id) == (
        citizen_id,
        "service",
        demo.user_id("demo-sagsbehandler"),
    )


def test_caseload_lists_only_own_citizens_and_audits_each(client, db_session, demo, auth):
    before = audit_count(db_session, actor_user_id=demo.user_id("demo-sagsbehandler"))
    r = client.get("/caseload", headers=auth("demo-sagsbehandler"))
    assert r.status_code == 200
    ids = {entry["citizen_id"] for entry in r.json()}
    assert ids == {demo.citizen_id("demo-borger"), demo.citizen_id("demo-borger-syg")}
    assert all(entry["next_meeting_at"] for entry in r.json())
    after = audit_count(db_session, actor_user_id=demo.user_id("demo-sagsbehandler"))
    assert after == before + 2


def test_admin_caseload_is_everyone(client, demo, auth):
    ids = {e["citizen_id"] for e in client.get("/caseload", headers=auth("demo-admin")).json()}
    assert {demo.citizen_id(u) for u in ("demo-borger", "demo-borger-syg", "demo-borger-2")} <= ids


def test_audit_log_endpoint_shows_reads(client, demo, auth):
    citizen_id = demo.citizen_id("demo-borger")
    client.get(f"/citizens/{citizen_id}/payments", headers=auth("demo-sagsbehandler"))
    r = client.get("/audit-log", params={"citizen_id": citizen_id}, headers=auth("demo-admin"))
    assert r.status_code == 200
    newest = r.json()[0]
    assert newest["endpoint"] == "GET /citizens/{citizen_id}/payments"
    assert newest["actor_user_id"] == demo.user_id("demo-sagsbehandler")
    assert newest["actor_role"] == "staff"
    assert client.get("/audit-log", headers=auth("demo-sagsbehandler")).status_code == 403


def test_jurist_has_no_access_to_citizen_data(client, demo, auth):
    r = client.get(f"/citizens/{demo.citizen_id('demo-borger')}", headers=auth("demo-jurist"))
    assert r.status_code == 403
