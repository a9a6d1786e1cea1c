"""Import of the reviewed YAML, later imports (new releases) with conflicts, and the export."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
import yaml
from api_helpers import make_settings
from catalogue_helpers import (
    ENTRY,
    NEW_ANSWER,
    OTHER,
    REPO,
    import_reviewed,
    reviewed_count,
    reviewed_yaml,
    yaml_entry,
)
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import cli
from api.catalogue import store
from api.catalogue.importer import import_entries, import_if_empty
from api.catalogue.yaml_io import (
    ANSWERS_DIR,
    EXAMPLES_DIR,
    TRANSLATIONS_DIRS,
    YamlCatalogue,
    read_yaml,
    write_yaml,
)
from api.core.config import get_settings
from api.db import migrate
from api.db.session import make_engine
from api.main import create_app
from api.models import CatalogueVersion


def test_first_import(db_session):
    report = import_reviewed(db_session)
    assert len(report.created) == reviewed_count() and report.revision == 1
    assert report.updated == report.conflicts == report.not_in_yaml == []
    versions = db_session.scalars(select(CatalogueVersion)).all()
    assert {(v.version, v.action.value, v.author_user_id, v.revision) for v in versions} == {
        (1, "import", None, 1)
    }
    # Example questions come from nlu_data/faq (faq/<id> blocks).
    entry = store.entry_of(store.get_record(db_session, ENTRY).content)
    assert "hvad er kth" in entry.examples and len(entry.examples) > 10
    # The English version comes from knowledge/citizen_en (same id; source from the Danish entry).
    english = entry.translations["en"]
    assert english.title and english.answer and len(english.examples) >= 6
    assert "kontanthjælp" in english.answer.lower()


def test_importing_the_same_yaml_again_changes_nothing(db_session):
    import_reviewed(db_session)
    report = import_reviewed(db_session)
    assert report.created == report.updated == report.conflicts == []
    assert report.unchanged == reviewed_count() and report.revision == 1


def _release(**changed: object) -> YamlCatalogue:
    """The reviewed YAML with ENTRY and OTHER changed and one new entry."""
    entries = []
    for entry in reviewed_yaml().entries:
        if entry.id in (ENTRY, OTHER):
            entry = replace(entry, answer=entry.answer + " Nyt i denne udgave.")
        entries.append(entry)
    entries.append(replace(yaml_entry(ENTRY), id="brand_new_entry", title="Ny"))
    return YamlCatalogue(tuple(entries))


def test_a_new_release_updates_import_only_entries_and_keeps_edited_ones(client, auth, db_session):
    import_reviewed(db_session)
    # An editor changes OTHER.
    body = {
        **{k: v for k, v in yaml_entry(OTHER).to_json().items() if k not in ("id", "version")},
        "base_version": 1,
        "answer": NEW_ANSWER,
    }
    body.pop("translations")
    r = client.put(f"/catalogue/entries/{OTHER}/draft", json=body, headers=auth("demo-redaktoer"))
    assert r.status_code == 200
    assert (
        client.post(
            f"/catalogue/entries/{OTHER}/publish", headers=auth("demo-redaktoer")
        ).status_code
        == 200
    )
    report = import_entries(db_session, _release())
    assert report.created == ["brand_new_entry"]
    assert report.updated == [ENTRY]
    assert report.conflicts == [OTHER]  # the editor's version is kept
    assert report.revision == 3  # 1 import, 2 the edit, 3 this release (one revision for all)
    assert store.entry_of(store.get_record(db_session, OTHER).content).answer == NEW_ANSWER
    updated = store.get_record(db_session, ENTRY)
    assert updated.version == 2 and updated.content["answer"].endswith("Nyt i denne udgave.")
    # The same release again: the conflict is still reported, nothing else happens.
    again = import_entries(db_session, _release())
    assert again.created == again.updated == [] and again.conflicts == [OTHER]
    assert again.revision == 3


def test_entries_missing_from_the_yaml_are_left_alone(db_session):
    import_reviewed(db_session)
    smaller = YamlCatalogue(tuple(e for e in reviewed_yaml().entries if e.id != ENTRY))
    report = import_entries(db_session, smaller)
    assert report.not_in_yaml == [ENTRY] and report.revision == 1
    assert store.get_record(db_session, ENTRY).status.value == "published"


def test_import_if_empty_imports_once(fresh_database_url):
    url = fresh_database_url("sqlite")  # its own database: this import is committed
    migrate.upgrade(url, rev="heads")
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            first = import_if_empty(session, REPO)
            assert first is not None and first.revision == 1
            assert len(first.created) == reviewed_count()
            assert import_if_empty(session, REPO) is None
            assert store.current_revision(session) == 1
            versions = session.scalar(select(func.count()).select_from(CatalogueVersion))
            assert versions == reviewed_count()
    finally:
        engine.dispose()


def test_the_service_imports_an_empty_catalogue_at_start(fresh_database_url):
    url = fresh_database_url("sqlite")
    migrate.upgrade(url, rev="heads")
    settings = make_settings(database_url=url, catalogue_import_on_start=True)
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").status_code == 200
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            assert (
                store.current_revision(session) == 1
                and len(store.published_entries(session)) == reviewed_count()
            )
    finally:
        engine.dispose()


def test_export_round_trip(db_session, tmp_path):
    import_reviewed(db_session)
    write_yaml(store.published_entries(db_session), tmp_path, store.current_revision(db_session))
    assert read_yaml(tmp_path).entries == reviewed_yaml().entries
    # File by file, the same content as the reviewed YAML (comments and line folding aside).
    for directory in (ANSWERS_DIR, EXAMPLES_DIR):
        for path in sorted((REPO / directory).glob("*.yml")):
            exported = yaml.safe_load((tmp_path / directory / path.name).read_text())
            original = yaml.safe_load(path.read_text())
            if directory == ANSWERS_DIR:  # entries by id, answers with their line folding
                normalised = {
                    e["id"]: {**e, "answer": " ".join(e["answer"].split())} for e in original
                }
                assert {e["id"]: e for e in exported} == normalised, path.name
            else:  # faq/<id> blocks by intent, examples text as it is
                assert exported["version"] == original["version"], path.name
                blocks = {b["intent"]: b for b in original["nlu"]}
                assert {b["intent"]: b for b in exported["nlu"]} == blocks, path.name
    # The English versions, file by file: the same entries, answers with their line folding.
    english_dir = TRANSLATIONS_DIRS["en"]
    originals = sorted((REPO / english_dir).glob("*.yml"))
    assert originals
    for path in originals:
        exported = yaml.safe_load((tmp_path / english_dir / path.name).read_text())
        original = yaml.safe_load(path.read_text())
        normalised = {e["id"]: {**e, "answer": " ".join(e["answer"].split())} for e in original}
        assert {e["id"]: e for e in exported} == normalised, path.name


def test_an_english_version_edited_in_the_yaml_is_a_new_version(db_session, tmp_path):
    import_reviewed(db_session)
    entries = []
    for entry in reviewed_yaml().entries:
        if entry.id == ENTRY:
            english = entry.translations["en"]
            english = replace(english, answer=english.answer + " New in this release.")
            entry = replace(entry, translations={"en": english})
        entries.append(entry)
    report = import_entries(db_session, YamlCatalogue(tuple(entries)))
    assert report.updated == [ENTRY]
    live = store.entry_of(store.get_record(db_session, ENTRY).content)
    assert live.translations["en"].answer.endswith("New in this release.")
    assert live.answer == yaml_entry(ENTRY).answer  # the Danish answer is unchanged


def test_export_writes_edits_and_leaves_out_retired_entries(client, auth, db_session, tmp_path):
    import_reviewed(db_session)
    headers = auth("demo-admin")
    client.post(f"/catalogue/entries/{OTHER}/retire", json={"base_version": 1}, headers=headers)
    write_yaml(store.published_entries(db_session), tmp_path, 2)
    ids = {e.id for e in read_yaml(tmp_path).entries}
    assert OTHER not in ids and ENTRY in ids and len(ids) == reviewed_count() - 1


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    db = tmp_path / "kk.db"
    monkeypatch.setenv("KK_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setattr(cli, "configure_logging", lambda level: None)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def test_cli_import_and_export(cli_env, tmp_path, capsys):
    assert cli.main(["migrate"]) == 0
    assert cli.main(["import-catalogue"]) == 0
    assert f"{reviewed_count()} new" in capsys.readouterr().out
    # A new release of the YAML in another directory: one answer changed.
    release = tmp_path / "release"
    shutil.copytree(REPO / ANSWERS_DIR, release / ANSWERS_DIR)
    shutil.copytree(REPO / EXAMPLES_DIR, release / EXAMPLES_DIR)
    for directory in TRANSLATIONS_DIRS.values():
        shutil.copytree(REPO / directory, release / directory)
    path = release / ANSWERS_DIR / "benefits.yml"
    path.write_text(path.read_text().replace("Kontanthjælp er økonomisk", "Kontanthjælp er penge"))
    assert cli.main(["import-catalogue", str(release)]) == 0
    assert "0 new, 1 updated" in capsys.readouterr().out
    out = tmp_path / "export"
    assert cli.main(["export-catalogue", str(out)]) == 0
    assert f"{reviewed_count()} entries (revision 2)" in capsys.readouterr().out
    exported = {e.id: e for e in read_yaml(out).entries}
    assert exported[ENTRY].answer.startswith("Kontanthjælp er penge")
    engine = make_engine(f"sqlite:///{cli_env}")
    with Session(engine) as session:
        assert store.current_revision(session) == 2
    engine.dispose()


def test_cli_import_of_a_directory_without_entries_fails(cli_env, tmp_path, capsys):
    assert cli.main(["migrate"]) == 0
    assert cli.main(["import-catalogue", str(tmp_path / "nothing")]) == 2
    assert "no catalogue entries" in capsys.readouterr().err
