"""The editors' catalogue API: drafts, publish, versions, rollback, optimistic locking, checks,
audit rows, preview (against a fake of the Rasa preview endpoint) and who may call it."""

from __future__ import annotations

import pytest
from api_helpers import service_headers
from catalogue_helpers import (
    ENTRY,
    NEW_ANSWER,
    draft_body,
    reviewed_count,
    yaml_entry,
)
from sqlalchemy import select

from api.catalogue import store
from api.models import AuditLogEntry, CatalogueVersion


def publish_edit(client, auth, username="demo-redaktoer", base=1, **changes):
    body = draft_body(yaml_entry(ENTRY), base, **changes)
    r = client.put(f"/catalogue/entries/{ENTRY}/draft", json=body, headers=auth(username))
    assert r.status_code == 200, r.text
    return client.post(f"/catalogue/entries/{ENTRY}/publish", headers=auth(username))


def test_list_and_search(client, auth, catalogue):
    r = client.get("/catalogue/entries", headers=auth("demo-redaktoer"))
    assert r.status_code == 200 and len(r.json()) == len(catalogue.created) == reviewed_count()
    # Folded search over title, answer and examples: "kontanthjaelp" finds "kontanthjælp".
    found = client.get(
        "/catalogue/entries", params={"q": "kontanthjaelp forsørge"}, headers=auth("demo-admin")
    ).json()
    assert ENTRY in {e["id"] for e in found} and len(found) < 10
    # An example question only ("hvad er kth") finds the entry too.
    by_example = client.get(
        "/catalogue/entries", params={"q": "hvad er kth"}, headers=auth("demo-redaktoer")
    ).json()
    assert by_example[0]["id"] == ENTRY
    assert (
        client.get(
            "/catalogue/entries", params={"q": "zzzyyyxxx"}, headers=auth("demo-redaktoer")
        ).json()
        == []
    )


def test_edit_publish_and_history(client, auth, demo, catalogue, db_session):
    before = store.current_revision(db_session)
    r = publish_edit(client, auth, answer=NEW_ANSWER, examples=["hvad er kontanthjælp", "ny q"])
    assert r.status_code == 200, r.text
    change = r.json()
    assert change["version"] == 2 and change["action"] == "edit"
    assert change["revision"] == before + 1
    detail = client.get(f"/catalogue/entries/{ENTRY}", headers=auth("demo-redaktoer")).json()
    assert detail["version"] == 2 and detail["entry"]["answer"] == NEW_ANSWER
    assert detail["entry"]["examples"] == ["hvad er kontanthjælp", "ny q"]
    assert [v["version"] for v in detail["history"]] == [2, 1]
    assert detail["history"][0]["author_user_id"] == demo.user_id("demo-redaktoer")
    assert detail["history"][1]["action"] == "import"
    assert detail["history"][1]["author_user_id"] is None
    # The draft is gone after publishing.
    r = client.get(f"/catalogue/entries/{ENTRY}/draft", headers=auth("demo-redaktoer"))
    assert r.status_code == 404


def test_a_draft_is_not_live(client, auth, catalogue, db_session):
    body = draft_body(yaml_entry(ENTRY), 1, answer=NEW_ANSWER)
    r = client.put(f"/catalogue/entries/{ENTRY}/draft", json=body, headers=auth("demo-redaktoer"))
    assert r.status_code == 200
    # Only a warning: the English version still has the numbers of the old Danish answer.
    problems = [(p["field"], p["blocking"]) for p in r.json()["problems"]]
    assert problems == [("answer_en", False)]
    live = client.get("/catalogue/live", headers=service_headers()).json()
    assert next(e for e in live["entries"] if e["id"] == ENTRY)["answer"] != NEW_ANSWER
    assert store.current_revision(db_session) == 1


def test_rollback_restores_the_previous_version_as_a_new_one(client, auth, catalogue, db_session):
    original = yaml_entry(ENTRY).answer
    assert publish_edit(client, auth, answer=NEW_ANSWER).status_code == 200
    revision = store.current_revision(db_session)
    r = client.post(
        f"/catalogue/entries/{ENTRY}/rollback", json={"base_version": 2}, headers=auth("demo-admin")
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 3 and r.json()["revision"] == revision + 1
    detail = client.get(f"/catalogue/entries/{ENTRY}", headers=auth("demo-redaktoer")).json()
    assert detail["entry"]["answer"] == original and detail["entry"]["version"] == 3
    assert [v["action"] for v in detail["history"]] == ["rollback", "edit", "import"]
    # Rolling back with a stale base version is a conflict.
    r = client.post(
        f"/catalogue/entries/{ENTRY}/rollback", json={"base_version": 2}, headers=auth("demo-admin")
    )
    assert r.status_code == 409 and "version 3" in r.json()["detail"]


def test_rolling_back_a_new_entry_retires_it(client, auth, catalogue):
    entry = yaml_entry(ENTRY)
    body = draft_body(
        entry,
        0,
        title="Hjælp til jobsøgning",
        answer=NEW_ANSWER,
        source={
            "name": "borger.dk: Job og ledighed",
            "url": "https://www.borger.dk",
            "date": "2025",
        },
        examples=["kan jobcentret hjælpe mig med at finde job"],
        related=[],
    )
    headers = auth("demo-redaktoer")
    r = client.put("/catalogue/entries/job_help_new/draft", json=body, headers=headers)
    assert r.status_code == 200 and r.json()["problems"] == [], r.text
    r = client.post("/catalogue/entries/job_help_new/publish", headers=headers)
    assert r.status_code == 200 and r.json()["action"] == "create" and r.json()["version"] == 1
    r = client.post(
        "/catalogue/entries/job_help_new/rollback", json={"base_version": 1}, headers=headers
    )
    assert r.status_code == 200 and r.json()["status"] == "retired"
    live = client.get("/catalogue/live", headers=service_headers()).json()
    assert "job_help_new" not in {e["id"] for e in live["entries"]}


def test_publishing_a_draft_of_an_older_version_is_409(client, auth, catalogue):
    # The editor and the admin both start from version 1; the admin publishes first.
    for username, answer in (("demo-redaktoer", NEW_ANSWER), ("demo-admin", NEW_ANSWER + " Ja.")):
        body = draft_body(yaml_entry(ENTRY), 1, answer=answer)
        r = client.put(f"/catalogue/entries/{ENTRY}/draft", json=body, headers=auth(username))
        assert r.status_code == 200
    assert (
        client.post(f"/catalogue/entries/{ENTRY}/publish", headers=auth("demo-admin")).json()[
            "version"
        ]
        == 2
    )
    r = client.post(f"/catalogue/entries/{ENTRY}/publish", headers=auth("demo-redaktoer"))
    assert r.status_code == 409
    assert "version 2" in r.json()["detail"]
    # Nothing of the stale draft went live, and it is still there to be redone.
    detail = client.get(f"/catalogue/entries/{ENTRY}", headers=auth("demo-redaktoer")).json()
    assert detail["entry"]["answer"] == NEW_ANSWER + " Ja." and detail["version"] == 2
    assert (
        client.get(f"/catalogue/entries/{ENTRY}/draft", headers=auth("demo-redaktoer")).status_code
        == 200
    )


def test_conditional_update_refuses_a_stale_version_in_the_store(db_session, catalogue, demo):
    entry = yaml_entry(ENTRY)
    author = demo.user_id("demo-redaktoer")
    store.publish(
        db_session,
        entry.__class__(**{**entry.__dict__, "answer": NEW_ANSWER}),
        base_version=1,
        author=author,
    )
    with pytest.raises(store.VersionConflict):
        store.write_version(
            db_session,
            entry,
            base_version=1,
            status=store.EntryStatus.PUBLISHED,
            action=store.VersionAction.EDIT,
            author=author,
        )


def test_nothing_changed_is_422(client, auth, catalogue):
    r = publish_edit(client, auth)
    assert r.status_code == 422 and "equals the published version" in r.json()["detail"]


def test_quote_not_in_the_seed_is_refused(client, auth, catalogue):
    source = {
        "file": "002_5e6f3c0d831500e7.txt",
        "date": "2017",
        "quote": "Dette står ikke i kilden",
    }
    r = publish_edit(client, auth, answer=NEW_ANSWER, source=source)
    assert r.status_code == 422
    assert "quote is not found" in r.json()["detail"]
    # The draft itself was saved, with the problem reported.
    draft = client.get(f"/catalogue/entries/{ENTRY}/draft", headers=auth("demo-redaktoer")).json()
    blocking = [p["field"] for p in draft["problems"] if p["blocking"]]
    assert blocking == ["quote"]  # and a warning on the English version's numbers


def test_a_real_seed_quote_is_accepted(client, auth, catalogue):
    seeded = next(
        e for e in __import__("catalogue_helpers").reviewed_yaml().entries if e.source.quote
    )
    r = publish_edit(client, auth, answer=NEW_ANSWER, source=seeded.source.to_json())
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {
                "answer": "Arbejdsmarkedsforanstaltningerne administreres beskæftigelsesfagligt "
                "gennem kommunalbestyrelsesbeslutninger og tværforvaltningssamarbejde."
            },
            "LIX",
        ),
        ({"answer": NEW_ANSWER + " Spørg STAR."}, "abbreviations"),
        ({"answer": NEW_ANSWER + " Ring på 33 66 33 66."}, "no CPR or phone numbers"),
        ({"examples": ["mit cpr er 131180-4425 hvad nu"]}, "examples: no CPR"),
        ({"examples": ["hvad er kth", "Hvad er KTH"]}, "examples: duplicates"),
        ({"source": {"name": "borger.dk", "url": "ftp://x", "date": "2025"}}, "http(s) address"),
        ({"source": {"name": "borger.dk", "url": "https://borger.dk", "date": "i år"}}, "YYYY"),
        ({"source": {"file": "nope.txt", "quote": "x", "date": "2017"}}, "unknown seed file"),
        ({"related": ["does_not_exist"]}, "unknown ids"),
        ({"title": "Ja"}, "title: 3-120"),
    ],
)
def test_rules_before_publishing(client, auth, catalogue, changes, reason):
    changes = {"answer": NEW_ANSWER, **changes}
    r = publish_edit(client, auth, **changes)
    assert r.status_code == 422 and reason in r.json()["detail"], r.text


def test_general_source_is_kept_but_not_chosen(client, auth, catalogue):
    # ENTRY's source is the general guidance: editing it keeps it ...
    assert publish_edit(client, auth, answer=NEW_ANSWER).status_code == 200
    # ... but a new entry cannot choose it.
    body = draft_body(yaml_entry(ENTRY), 0, answer=NEW_ANSWER, related=[])
    headers = auth("demo-redaktoer")
    client.put("/catalogue/entries/brand_new/draft", json=body, headers=headers)
    r = client.post("/catalogue/entries/brand_new/publish", headers=headers)
    assert r.status_code == 422 and "general" in r.json()["detail"]


def test_a_long_answer_is_a_warning_only(client, auth, catalogue):
    long_answer = " ".join([NEW_ANSWER] * 5)
    body = draft_body(yaml_entry(ENTRY), 1, answer=long_answer)
    r = client.put(f"/catalogue/entries/{ENTRY}/draft", json=body, headers=auth("demo-redaktoer"))
    assert [(p["field"], p["blocking"]) for p in r.json()["problems"]] == [
        ("answer", False),
        ("answer_en", False),  # the English version still has the old answer's numbers
    ]
    assert (
        client.post(
            f"/catalogue/entries/{ENTRY}/publish", headers=auth("demo-redaktoer")
        ).status_code
        == 200
    )


def test_retire_and_restore(client, auth, catalogue):
    headers = auth("demo-redaktoer")
    r = client.post(f"/catalogue/entries/{ENTRY}/retire", json={"base_version": 1}, headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "retired"
    # Editing a retired entry: restore it first.
    assert publish_edit(client, auth, base=2, answer=NEW_ANSWER).status_code == 409
    again = client.post(
        f"/catalogue/entries/{ENTRY}/retire", json={"base_version": 2}, headers=headers
    )
    assert again.status_code == 409
    r = client.post(
        f"/catalogue/entries/{ENTRY}/restore", json={"base_version": 2}, headers=headers
    )
    assert r.status_code == 200 and r.json()["status"] == "published" and r.json()["version"] == 3


def test_publish_retire_restore_rollback_are_audited(client, auth, demo, catalogue, db_session):
    editor = demo.user_id("demo-redaktoer")
    headers = auth("demo-redaktoer")
    assert publish_edit(client, auth, answer=NEW_ANSWER).status_code == 200
    for path, version in (("retire", 2), ("restore", 3), ("rollback", 4)):
        r = client.post(
            f"/catalogue/entries/{ENTRY}/{path}", json={"base_version": version}, headers=headers
        )
        assert r.status_code == 200, r.text
    rows = db_session.scalars(
        select(AuditLogEntry)
        .where(AuditLogEntry.actor_user_id == editor)
        .order_by(AuditLogEntry.id)
    ).all()
    assert [r.action for r in rows] == ["publish", "retire", "restore", "rollback"]
    assert all(r.actor_role == "editor" and r.via == "bearer" and r.at for r in rows)
    assert rows[0].endpoint == "POST /catalogue/entries/{entry_id}/publish"
    assert rows[0].detail == f"entry={ENTRY} version=2 revision=2"
    versions = db_session.scalars(
        select(CatalogueVersion).where(CatalogueVersion.entry_id == ENTRY)
    ).all()
    assert sorted(v.revision for v in versions) == [1, 2, 3, 4, 5]
    # Saving drafts is not audited (nothing went live).
    body = draft_body(yaml_entry(ENTRY), 5, answer=NEW_ANSWER)
    client.put(f"/catalogue/entries/{ENTRY}/draft", json=body, headers=headers)
    assert db_session.query(AuditLogEntry).filter_by(actor_user_id=editor).count() == 4


def test_preview_sends_the_draft_to_rasa(client, auth, catalogue, fake_rasa, settings):
    body = draft_body(yaml_entry(ENTRY), 1, answer=NEW_ANSWER)
    client.put(f"/catalogue/entries/{ENTRY}/draft", json=body, headers=auth("demo-redaktoer"))
    r = client.post(
        "/catalogue/preview",
        json={"question": "hvad er kontanthjælp", "entry_id": ENTRY},
        headers=auth("demo-redaktoer"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["tier"] == 1 and r.json()["entry_id"] == ENTRY
    assert r.json()["candidates"][0]["score"] == 0.41
    sent = fake_rasa.requests[-1]
    assert sent.question == "hvad er kontanthjælp"
    assert [d.answer for d in sent.drafts] == [NEW_ANSWER]
    assert fake_rasa.headers[-1]["x-service-token"] == settings.service_token
    # Without a draft the live catalogue is ranked as it is.
    client.post("/catalogue/preview", json={"question": "hej"}, headers=auth("demo-admin"))
    assert fake_rasa.requests[-1].drafts == ()


def test_preview_when_rasa_is_unreachable_is_503(client, auth, catalogue, fake_rasa):
    fake_rasa.unreachable = True
    r = client.post(
        "/catalogue/preview", json={"question": "hvad er kontanthjælp"}, headers=auth("demo-admin")
    )
    assert r.status_code == 503 and "cannot be reached" in r.json()["detail"]
    assert r.headers["retry-after"]


def test_preview_with_a_malformed_rasa_answer_is_503(client, auth, catalogue, fake_rasa):
    fake_rasa.result = {"tier": 7}
    r = client.post("/catalogue/preview", json={"question": "x"}, headers=auth("demo-admin"))
    assert r.status_code == 503 and "not a preview" in r.json()["detail"]


EDITOR_CALLS = [
    ("GET", "/catalogue/entries", None),
    ("GET", f"/catalogue/entries/{ENTRY}", None),
    ("PUT", f"/catalogue/entries/{ENTRY}/draft", "draft"),
    ("GET", f"/catalogue/entries/{ENTRY}/draft", None),
    ("DELETE", f"/catalogue/entries/{ENTRY}/draft", None),
    ("POST", f"/catalogue/entries/{ENTRY}/publish", None),
    ("POST", f"/catalogue/entries/{ENTRY}/retire", {"base_version": 1}),
    ("POST", f"/catalogue/entries/{ENTRY}/restore", {"base_version": 1}),
    ("POST", f"/catalogue/entries/{ENTRY}/rollback", {"base_version": 1}),
    ("POST", "/catalogue/preview", {"question": "hej"}),
]


def _call(client, method, path, body, headers):
    if body == "draft":
        body = draft_body(yaml_entry(ENTRY), 1, answer=NEW_ANSWER)
    return client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "body"), EDITOR_CALLS)
def test_editor_routes_refuse_everyone_but_editors_and_admins(
    client, auth, demo, catalogue, fake_rasa, method, path, body
):
    assert _call(client, method, path, body, {}).status_code == 401
    for username in ("demo-borger", "demo-sagsbehandler", "demo-jurist"):
        assert _call(client, method, path, body, auth(username)).status_code == 403
    # The service token: without a subject it is not a user, with one it may still not edit.
    assert _call(client, method, path, body, service_headers()).status_code == 401
    editor_via_service = service_headers(demo.user_id("demo-redaktoer"))
    r = _call(client, method, path, body, editor_via_service)
    assert r.status_code == 403 and "user token" in r.json()["detail"]
    for username in ("demo-redaktoer", "demo-admin"):
        assert _call(client, method, path, body, auth(username)).status_code not in (401, 403)


def test_one_editor_cannot_see_or_publish_another_editors_draft(client, auth, catalogue):
    body = draft_body(yaml_entry(ENTRY), 1, answer=NEW_ANSWER)
    client.put(f"/catalogue/entries/{ENTRY}/draft", json=body, headers=auth("demo-redaktoer"))
    assert (
        client.get(f"/catalogue/entries/{ENTRY}/draft", headers=auth("demo-admin")).status_code
        == 404
    )
    assert (
        client.post(f"/catalogue/entries/{ENTRY}/publish", headers=auth("demo-admin")).status_code
        == 404
    )


def test_bad_input_is_422_with_a_reason(client, auth, catalogue):
    headers = auth("demo-redaktoer")
    r = client.put(f"/catalogue/entries/{ENTRY}/draft", json={"base_version": -1}, headers=headers)
    assert r.status_code == 422 and "base_version" in r.json()["detail"]
    r = client.get("/catalogue/entries/NOT%20AN%20ID", headers=headers)
    assert r.status_code == 422
    r = client.put(
        f"/catalogue/entries/{ENTRY}/draft", json=draft_body(yaml_entry(ENTRY), 0), headers=headers
    )
    assert r.status_code == 409 and "exists already" in r.json()["detail"]
    r = client.put(
        "/catalogue/entries/unknown_x/draft", json=draft_body(yaml_entry(ENTRY), 3), headers=headers
    )
    assert r.status_code == 404
