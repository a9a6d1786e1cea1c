"""Legal notes in the database: idempotent loading, withdrawal without deletion, the migration,
the command line and demo start-up."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
import yaml
from api_helpers import BACKENDS, make_settings
from fastapi.testclient import TestClient
from legal_helpers import NOTES_DIR, SMALL_SET, small_notes_dir
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from api import cli
from api.core.config import get_settings
from api.db import migrate
from api.db.session import make_engine
from api.legal.notes_store import active_notes, load_knowledge_notes
from api.main import create_app
from api.models import LegalNoteRecord, LegalQuestion, NoteOrigin
from kkshared.knowledge import load_legal_notes


def test_loading_all_notes_twice_is_idempotent(db_session):
    files = load_legal_notes(NOTES_DIR)
    first = load_knowledge_notes(db_session, NOTES_DIR)
    assert (first.inserted, first.updated, first.withdrawn) == (len(files), 0, 0)
    second = load_knowledge_notes(db_session, NOTES_DIR)
    assert (second.inserted, second.updated, second.unchanged, second.withdrawn) == (
        0,
        0,
        len(files),
        0,
    )
    assert db_session.scalar(select(func.count()).select_from(LegalNoteRecord)) == len(files)


def test_notes_read_back_equal_the_knowledge_files(db_session):
    load_knowledge_notes(db_session, NOTES_DIR)
    db_session.expire_all()
    stored = {note.id: note for note in active_notes(db_session)}
    # The note's date is the source's date (the files give it once, at the top).
    files = {
        n.id: replace(n, source=replace(n.source, date=n.date)) for n in load_legal_notes(NOTES_DIR)
    }
    assert (
        stored == files
    )  # every field: title, questions, answer, references, source, date, office, status
    assert all(note.extra["origin"] == "knowledge-file" for note in stored.values())


def test_a_changed_note_is_updated_and_a_removed_one_withdrawn_not_deleted(db_session, tmp_path):
    directory = small_notes_dir(tmp_path)
    load_knowledge_notes(db_session, directory)
    changed_id, removed_id = SMALL_SET[0], SMALL_SET[1]
    path = directory / f"{changed_id}.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["title"] = "Ny titel"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    (directory / f"{removed_id}.yml").unlink()

    summary = load_knowledge_notes(db_session, directory)
    assert (summary.updated, summary.withdrawn, summary.inserted) == (1, 1, 0)
    assert db_session.get(LegalNoteRecord, changed_id).title == "Ny titel"
    removed = db_session.get(LegalNoteRecord, removed_id)
    assert removed is not None and removed.withdrawn_at is not None
    assert removed_id not in {n.id for n in active_notes(db_session)}

    shutil.copy(NOTES_DIR / f"{removed_id}.yml", directory / f"{removed_id}.yml")
    summary = load_knowledge_notes(db_session, directory)
    assert summary.updated == 1 and db_session.get(LegalNoteRecord, removed_id).withdrawn_at is None


def test_the_loader_never_touches_jurist_notes(db_session, tmp_path):
    from api_helpers import today_cph

    from api.legal.jurist_notes import jurist_note
    from api.legal.notes_store import record_fields

    note = jurist_note("JUR-2026-000999", "Titel", ("Spørgsmål?",), "Svar.", (), today_cph())
    db_session.add(LegalNoteRecord(id=note.id, origin=NoteOrigin.JURIST, **record_fields(note)))
    db_session.flush()
    summary = load_knowledge_notes(db_session, small_notes_dir(tmp_path))
    assert summary.withdrawn == 0
    assert db_session.get(LegalNoteRecord, note.id).withdrawn_at is None
    assert note.id in {n.id for n in active_notes(db_session)}


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_migration_adds_and_removes_the_legal_tables(fresh_database_url, backend):
    url = fresh_database_url(backend)
    engine = make_engine(url)
    try:
        migrate.upgrade(url)
        assert {"legal_notes", "legal_questions"} <= set(inspect(engine).get_table_names())
        migrate.downgrade(url, rev="0001")
        assert not {"legal_notes", "legal_questions"} & set(inspect(engine).get_table_names())
        assert "users" in inspect(engine).get_table_names()
        migrate.upgrade(url)
        assert migrate.is_up_to_date(engine)
    finally:
        engine.dispose()


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    db = tmp_path / "var" / "kk.db"
    monkeypatch.setenv("KK_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("KK_DEMO_MODE", "true")
    monkeypatch.setenv("KK_LEGAL_NOTES_DIR", str(small_notes_dir(tmp_path)))
    monkeypatch.setattr(cli, "configure_logging", lambda level: None)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def _count(db) -> int:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as session:
            return session.scalar(select(func.count()).select_from(LegalNoteRecord))
    finally:
        engine.dispose()


def test_cli_load_legal_notes_and_seed_demo(cli_env, capsys, tmp_path):
    assert cli.main(["migrate"]) == 0
    assert cli.main(["load-legal-notes"]) == 0
    assert "'inserted': 8" in capsys.readouterr().out
    assert _count(cli_env) == len(SMALL_SET)
    assert cli.main(["seed-demo"]) == 0  # the run command's seed step loads them too
    assert "'unchanged': 8" in capsys.readouterr().out
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(NOTES_DIR / f"{SMALL_SET[0]}.yml", other)
    assert cli.main(["load-legal-notes", str(other)]) == 0
    assert "'withdrawn': 7" in capsys.readouterr().out
    assert _count(cli_env) == len(SMALL_SET)  # withdrawn, not deleted


def test_demo_start_loads_the_notes_and_builds_the_advisor(tmp_path, monkeypatch):
    import api.main

    monkeypatch.setattr(api.main, "configure_logging", lambda level: None)
    monkeypatch.setenv("KK_LEGAL_NOTES_DIR", str(small_notes_dir(tmp_path)))
    url = f"sqlite:///{tmp_path / 'kk.db'}"
    migrate.upgrade(url)
    app = create_app(make_settings(database_url=url, demo_seed_on_start=True))
    with TestClient(app) as client:
        token = client.post("/auth/demo-login", json={"username": "demo-sagsbehandler"}).json()[
            "access_token"
        ]
        headers = {"Authorization": f"Bearer {token}"}
        for thread in _build_threads():
            thread.join(timeout=120)
        assert app.state.legal.ready
        assert set(app.state.legal.snapshot.notes) == set(SMALL_SET)
        r = client.post(
            "/legal/ask",
            json={"question": "Må jeg gå ind på en borgers Facebook?"},
            headers=headers,
        )
        assert (
            r.status_code == 200
            and r.json()["note_id"] == "bif2017-022-facebook-i-sagsbehandlingen"
        )
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(LegalNoteRecord)) == len(SMALL_SET)
        assert session.scalar(select(func.count()).select_from(LegalQuestion)) == 0
    engine.dispose()


def _build_threads():
    import threading

    return [t for t in threading.enumerate() if t.name == "legal-advisor-build"]
