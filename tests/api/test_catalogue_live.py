"""GET /catalogue/live: what the Rasa side polls (service token only)."""

from __future__ import annotations

import json

import pytest
from api_helpers import service_headers
from catalogue_helpers import ENTRY, NEW_ANSWER, draft_body, reviewed_count, yaml_entry
from sqlalchemy.orm import Session

from api.catalogue import live, store
from api.db import migrate
from api.db.session import make_engine
from kkshared.catalogue import CatalogueSnapshot


def poll(client, since=None):
    params = {} if since is None else {"since": since}
    r = client.get("/catalogue/live", params=params, headers=service_headers())
    assert r.status_code == 200, r.text
    return r.json()


def test_snapshot_then_unchanged(client, catalogue):
    first = poll(client)
    snapshot = CatalogueSnapshot.from_json(first)  # the contract parses it
    assert snapshot.revision == 1 and len(snapshot.entries) == reviewed_count()
    assert snapshot.by_id()[ENTRY] == yaml_entry(ENTRY)  # version 1, examples included
    assert poll(client, since=1) == {"revision": 1, "unchanged": True}
    # An older revision (or none) gets the whole snapshot again.
    assert poll(client, since=0) == first


def test_a_publish_changes_the_snapshot_and_the_revision_only_grows(client, auth, catalogue):
    body = draft_body(yaml_entry(ENTRY), 1, answer=NEW_ANSWER)
    client.put(f"/catalogue/entries/{ENTRY}/draft", json=body, headers=auth("demo-redaktoer"))
    assert poll(client, since=1) == {"revision": 1, "unchanged": True}  # a draft is not live
    client.post(f"/catalogue/entries/{ENTRY}/publish", headers=auth("demo-redaktoer"))
    changed = poll(client, since=1)
    assert changed["revision"] == 2
    entry = CatalogueSnapshot.from_json(changed).by_id()[ENTRY]
    assert entry.answer == NEW_ANSWER and entry.version == 2
    revisions = [2]
    headers = auth("demo-admin")
    for path, base in (("retire", 2), ("restore", 3), ("rollback", 4), ("rollback", 5)):
        client.post(
            f"/catalogue/entries/{ENTRY}/{path}", json={"base_version": base}, headers=headers
        )
        revisions.append(poll(client)["revision"])
    assert revisions == sorted(set(revisions)), revisions  # strictly growing
    # A refused change (stale version) takes no revision.
    r = client.post(f"/catalogue/entries/{ENTRY}/retire", json={"base_version": 1}, headers=headers)
    assert r.status_code == 409
    assert poll(client, since=revisions[-1]) == {"revision": revisions[-1], "unchanged": True}


def test_retired_entries_are_not_live(client, auth, catalogue):
    r = client.post(
        f"/catalogue/entries/{ENTRY}/retire", json={"base_version": 1}, headers=auth("demo-admin")
    )
    assert r.status_code == 200
    snapshot = CatalogueSnapshot.from_json(poll(client, since=1))
    assert ENTRY not in snapshot.by_id() and len(snapshot.entries) == reviewed_count() - 1


def test_the_snapshot_is_built_once_per_revision(client, catalogue, monkeypatch):
    poll(client)
    calls = []
    real = store.published_entries
    monkeypatch.setattr(live.store, "published_entries", lambda s: calls.append(1) or real(s))
    for _ in range(3):
        poll(client)
        poll(client, since=0)
    assert calls == []  # served from the cache


def test_empty_catalogue_is_revision_zero(fresh_database_url):
    url = fresh_database_url("sqlite")
    migrate.upgrade(url, rev="heads")
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            assert store.is_empty(session)
            revision, body = live.LiveSnapshotCache().answer(session, None)
            assert revision == 0 and json.loads(body) == {"revision": 0, "entries": []}
    finally:
        engine.dispose()


@pytest.mark.parametrize("username", ["demo-redaktoer", "demo-admin", "demo-borger"])
def test_user_tokens_are_refused(client, auth, username):
    assert client.get("/catalogue/live", headers=auth(username)).status_code == 403


def test_no_or_wrong_service_token_is_401(client):
    assert client.get("/catalogue/live").status_code == 401
    r = client.get("/catalogue/live", headers={"X-Service-Token": "wrong"})
    assert r.status_code == 401


def test_bad_since_is_422(client):
    r = client.get("/catalogue/live", params={"since": -1}, headers=service_headers())
    assert r.status_code == 422 and "since" in r.json()["detail"]
