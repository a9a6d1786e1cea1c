"""The editor's entry page shows the English version of an answer (issue 20), read only; the
page's access rules are the catalogue pages' own (tests/api/test_catalogue_pages.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from catalogue_helpers import ENTRY, import_reviewed, sign_in, yaml_entry
from fastapi.testclient import TestClient


@pytest.fixture
def editor(app, db_session) -> Iterator[TestClient]:
    import_reviewed(db_session)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as browser:
        assert sign_in(browser).status_code == 303
        yield browser


def test_the_entry_page_shows_the_english_version(editor: TestClient) -> None:
    page = editor.get(f"/katalog/svar/{ENTRY}")
    assert page.status_code == 200
    english = yaml_entry(ENTRY).translations["en"]
    assert "Den engelske udgave" in page.text
    assert '<div lang="en">' in page.text
    assert english.title.replace("'", "&#39;") in page.text
    assert f"{len(english.examples)} engelske eksempler" in page.text


def test_without_a_sign_in_the_page_shows_nothing_english(app, db_session) -> None:
    import_reviewed(db_session)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as anonymous:
        page = anonymous.get(f"/katalog/svar/{ENTRY}")
    assert page.status_code in (303, 401)
    assert "Den engelske udgave" not in page.text
