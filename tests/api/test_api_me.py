"""The citizen's own data as the bot sees it (the demo user demo-borger)."""

from datetime import date, datetime

import pytest
from api_helpers import service_headers, today_cph


def test_me_for_citizen_has_profile_case_and_caseworker(client, demo, auth):
    r = client.get("/me", headers=auth("demo-borger"))
    assert r.status_code == 200
    body = r.json()
    assert body["role"] == "citizen" and body["user_id"] == demo.user_id("demo-borger")
    case = body["citizen"]["case"]
    assert case["target_group"] == "jobparat_kontanthjaelp"
    assert case["target_group_label"] == "Jobparat kontanthjælpsmodtager"
    assert case["benefit"] == "kontanthjælp"
    assert case["caseworker"]["id"] == demo.user_id("demo-sagsbehandler")
    assert body["citizen"]["sms_opt_out"] is False


def test_me_for_staff_has_no_citizen(client, auth):
    body = client.get("/me", headers=auth("demo-sagsbehandler")).json()
    assert body["role"] == "staff" and body["citizen"] is None


def test_me_via_service_token_and_subject(client, demo):
    r = client.get("/me", headers=service_headers(demo.user_id("demo-borger-syg")))
    assert r.status_code == 200
    assert r.json()["citizen"]["case"]["target_group"] == "sygedagpenge"


def test_upcoming_meetings_of_demo_borger(client, auth):
    r = client.get("/me/meetings", params={"upcoming": "true"}, headers=auth("demo-borger"))
    assert r.status_code == 200
    meetings = r.json()
    assert len(meetings) >= 3
    now = datetime.now().astimezone()
    starts = [datetime.fromisoformat(m["starts_at"]) for m in meetings]
    assert all(s > now for s in starts) and starts == sorted(starts)
    forms = {m["form"] for m in meetings}
    assert {"fysisk", "telefon"} <= forms
    assert any(m["form"] == "fysisk" and m["location"]["id"] == "laerkevej" for m in meetings)
    first = meetings[0]
    assert first["meeting_type_label"] and first["caseworker"]["display_name"]
    assert datetime.fromisoformat(first["ends_at"]) > datetime.fromisoformat(first["starts_at"])
    # Times are given in local time with the offset.
    assert first["starts_at"][-6:] in ("+01:00", "+02:00")


def test_all_meetings_include_past_ones(client, auth):
    everything = client.get("/me/meetings", headers=auth("demo-borger")).json()
    upcoming = client.get("/me/meetings?upcoming=true", headers=auth("demo-borger")).json()
    assert len(everything) > len(upcoming)
    assert any(m["status"] == "held" for m in everything)


def test_payments_past_and_upcoming(client, auth):
    payments = client.get("/me/payments", headers=auth("demo-borger")).json()
    today = today_cph()
    assert any(
        date.fromisoformat(p["pay_date"]) < today and p["status"] == "paid" for p in payments
    )
    upcoming = client.get("/me/payments?upcoming=true", headers=auth("demo-borger")).json()
    assert upcoming and all(date.fromisoformat(p["pay_date"]) >= today for p in upcoming)
    assert all(p["status"] == "planned" for p in upcoming)
    assert upcoming[0]["amount"] == "11944.00"


def test_plan_has_items(client, auth):
    plan = client.get("/me/plan", headers=auth("demo-borger")).json()
    assert len(plan) >= 3
    assert [p["sort_order"] for p in plan] == sorted(p["sort_order"] for p in plan)
    assert {"goal", "activity"} <= {p["kind"] for p in plan}


def test_caseworker(client, demo, auth):
    r = client.get("/me/caseworker", headers=auth("demo-borger-2"))
    assert r.status_code == 200 and r.json()["id"] == demo.user_id("demo-sagsbehandler-2")


def test_citizen_endpoints_for_staff_are_403(client, auth):
    assert client.get("/me/meetings", headers=auth("demo-sagsbehandler")).status_code == 403


def test_a_citizen_chooses_a_language_and_it_is_kept(client, demo, auth):
    assert client.get("/me/language", headers=auth("demo-borger")).json() == {"language": None}
    assert (
        client.get("/me", headers=auth("demo-borger")).json()["citizen"]["preferred_language"]
        is None
    )
    r = client.put("/me/language", json={"language": "en"}, headers=auth("demo-borger"))
    assert r.status_code == 200 and r.json() == {"language": "en"}
    assert client.get("/me/language", headers=auth("demo-borger")).json() == {"language": "en"}
    me = client.get("/me", headers=auth("demo-borger")).json()
    assert me["citizen"]["preferred_language"] == "en"
    # Another citizen's choice is their own.
    other = client.get("/me/language", headers=auth("demo-borger-syg")).json()
    assert other == {"language": None}
    r = client.put("/me/language", json={"language": "da"}, headers=auth("demo-borger"))
    assert r.json() == {"language": "da"}


def test_the_action_server_sets_the_language_for_the_verified_subject(client, demo, auth):
    subject = demo.user_id("demo-borger-syg")
    r = client.put("/me/language", json={"language": "en"}, headers=service_headers(subject))
    assert r.status_code == 200
    assert client.get("/me/language", headers=auth("demo-borger-syg")).json() == {"language": "en"}
    assert client.get("/me/language", headers=auth("demo-borger")).json() == {"language": None}


@pytest.mark.parametrize(
    "body",
    [
        {"language": "fr"},
        {"language": ""},
        {"language": None},
        {},
        {"language": "en", "citizen_id": "c-demo-borger-syg"},
    ],
)
def test_a_language_the_assistant_does_not_write_is_refused_with_a_reason(client, auth, body):
    r = client.put("/me/language", json=body, headers=auth("demo-borger"))
    assert r.status_code == 422
    assert r.json()["detail"]
    assert client.get("/me/language", headers=auth("demo-borger")).json() == {"language": None}


def test_only_citizens_have_a_language_choice(client, auth):
    for user in ("demo-sagsbehandler", "demo-admin"):
        r = client.put("/me/language", json={"language": "en"}, headers=auth(user))
        assert r.status_code == 403
    assert client.put("/me/language", json={"language": "en"}).status_code == 401
