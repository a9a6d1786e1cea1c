"""Editing the English version of an answer (issue 20) on the editor's page and through the API:
the same entry, source and date as the Danish; the page's access rules are the catalogue pages'
own (tests/api/test_catalogue_pages.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from catalogue_helpers import (
    ENTRY,
    draft_body,
    form_of,
    import_reviewed,
    sign_in,
    yaml_entry,
)
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.catalogue import store

PAGE = f"/katalog/svar/{ENTRY}"
# The Danish answer says "Fra 1. juli 2025 ...": the same numbers, 1 and 2025.
NEW_ENGLISH = (
    "Kontanthjælp (social assistance) is money from the municipality when you cannot support "
    "yourself. You must look for work. From 1 July 2025 several benefits are part of it."
)


@pytest.fixture
def editor(app, db_session) -> Iterator[TestClient]:
    import_reviewed(db_session)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as browser:
        assert sign_in(browser).status_code == 303
        yield browser


def _live_english(session: Session) -> dict | None:
    session.expire_all()
    record = store.get_record(session, ENTRY)
    assert record is not None
    return (record.content.get("translations") or {}).get("en")


def test_the_entry_page_shows_the_english_version(editor: TestClient) -> None:
    page = editor.get(PAGE)
    assert page.status_code == 200
    english = yaml_entry(ENTRY).translations["en"]
    assert "Den engelske udgave" in page.text
    assert '<div lang="en">' in page.text
    assert english.title.replace("'", "&#39;") in page.text
    assert f"{len(english.examples)} engelske eksempler" in page.text


def test_without_a_sign_in_the_page_shows_nothing_english(app, db_session) -> None:
    import_reviewed(db_session)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as anonymous:
        page = anonymous.get(PAGE)
    assert page.status_code in (303, 401)
    assert "Den engelske udgave" not in page.text


def test_the_form_carries_the_english_version_and_an_edit_goes_live(
    editor: TestClient, db_session: Session
) -> None:
    english = yaml_entry(ENTRY).translations["en"]
    page = editor.get(PAGE).text
    form = form_of(page)
    assert form["title_en"] == english.title and form["answer_en"] == english.answer
    assert form["examples_en"].splitlines() == list(english.examples)
    assert 'id="answer_en" name="answer_en" lang="en"' in page
    examples = form["examples_en"] + "\nhow much kontanthjælp   can i  get"
    r = editor.post(
        PAGE,
        data=form_of(page, answer_en=NEW_ENGLISH, examples_en=examples, action="offentliggoer"),
    )
    assert r.status_code == 303, r.text
    live = _live_english(db_session)
    assert live is not None and live["answer"] == NEW_ENGLISH
    assert live["title"] == english.title
    assert live["examples"][-1] == "how much kontanthjælp can i get"
    # The Danish answer is untouched, and the page shows the new English answer.
    assert store.get_record(db_session, ENTRY).content["answer"] == yaml_entry(ENTRY).answer
    assert NEW_ENGLISH in editor.get(PAGE).text


def test_emptying_the_english_fields_removes_the_english_version(
    editor: TestClient, db_session: Session
) -> None:
    page = editor.get(PAGE).text
    empty = {"title_en": "", "answer_en": "", "examples_en": ""}
    r = editor.post(PAGE, data=form_of(page, action="offentliggoer", **empty))
    assert r.status_code == 303, r.text
    assert _live_english(db_session) is None
    assert "Svaret har ingen engelsk udgave" in editor.get(PAGE).text


def test_a_half_written_english_version_cannot_be_published(
    editor: TestClient, db_session: Session
) -> None:
    page = editor.get(PAGE).text
    r = editor.post(PAGE, data=form_of(page, title_en="", action="offentliggoer"))
    assert r.status_code == 422
    assert "Skriv en engelsk titel på 3-120 tegn." in r.text and 'href="#title_en"' in r.text
    live = _live_english(db_session)
    assert live is not None and live["title"] == yaml_entry(ENTRY).translations["en"].title


def test_personal_data_in_english_examples_cannot_be_published(
    editor: TestClient, db_session: Session
) -> None:
    page = editor.get(PAGE).text
    form = form_of(page)
    examples = form["examples_en"] + "\ncall me on 20 30 40 50 about kontanthjælp"
    r = editor.post(PAGE, data=form_of(page, examples_en=examples, action="offentliggoer"))
    assert r.status_code == 422
    assert "Eksemplerne må ikke indeholde CPR-numre eller telefonnumre." in r.text
    assert "20 30 40 50" not in "\n".join(_live_english(db_session)["examples"])


def test_other_numbers_than_the_danish_answer_are_a_warning(
    editor: TestClient, db_session: Session
) -> None:
    page = editor.get(PAGE).text
    changed = NEW_ENGLISH.replace("2025", "2026")
    r = editor.post(PAGE, data=form_of(page, answer_en=changed, action="gem"))
    assert r.status_code == 303
    draft_page = editor.get(PAGE).text
    assert "har ikke de samme tal" in draft_page
    # A warning, not a block: publishing works.
    r = editor.post(PAGE, data=form_of(draft_page, action="offentliggoer"))
    assert r.status_code == 303, r.text
    assert _live_english(db_session)["answer"] == changed


def test_the_api_keeps_sets_or_removes_the_english_version(
    client: TestClient, auth, db_session: Session
) -> None:
    import_reviewed(db_session)
    db_session.commit()
    headers = auth("demo-redaktoer")
    entry = yaml_entry(ENTRY)

    def publish(base: int, **changes: object) -> dict:
        body = draft_body(entry, base, **changes)
        r = client.put(f"/catalogue/entries/{ENTRY}/draft", json=body, headers=headers)
        assert r.status_code == 200, r.text
        r = client.post(f"/catalogue/entries/{ENTRY}/publish", headers=headers)
        assert r.status_code == 200, r.text
        return r.json()

    # Left out: the live English version stays.
    publish(1, answer=entry.answer + " Spørg jobcentret.")
    assert _live_english(db_session)["answer"] == entry.translations["en"].answer
    # Given: it is replaced (spaces tidied).
    english = {"title": "Social assistance", "answer": NEW_ENGLISH, "examples": ["what  is it"]}
    publish(2, english=english)
    assert _live_english(db_session) == {
        "title": "Social assistance",
        "answer": NEW_ENGLISH,
        "examples": ["what is it"],
    }
    # null: removed.
    publish(3, english=None)
    assert _live_english(db_session) is None
    # An empty English answer is bad input, with a reason.
    body = draft_body(entry, 4, english={"title": "x", "answer": ""})
    r = client.put(f"/catalogue/entries/{ENTRY}/draft", json=body, headers=headers)
    assert r.status_code == 422 and "english.answer" in r.json()["detail"]
