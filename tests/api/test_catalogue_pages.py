"""The editors' pages (/katalog) with the TestClient: sign-in, roles, CSRF, edit, preview,
publish, conflicts, retire, rollback, a new entry. In a real browser: tests/web."""

from __future__ import annotations

import pytest
from catalogue_helpers import (
    ENTRY,
    NEW_ANSWER,
    csrf_of,
    draft_body,
    form_of,
    sign_in,
    yaml_entry,
)
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.catalogue import store
from api.models import AuditLogEntry
from api.routes.catalogue_pages import AREA

PAGE = f"/katalog/svar/{ENTRY}"


@pytest.fixture
def browser(app):
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


@pytest.fixture
def editor(browser, catalogue):
    assert sign_in(browser).status_code == 303
    return browser


def test_without_a_session_the_pages_redirect_to_login(browser):
    for path in ("/katalog", PAGE, "/katalog/nyt"):
        r = browser.get(path)
        assert r.status_code == 303 and r.headers["location"] == "/katalog/login"
    for path in (PAGE, f"{PAGE}/status", f"{PAGE}/tilbagerul", "/katalog/nyt", "/katalog/logout"):
        r = browser.post(path, data={"action": "offentliggoer"})
        assert r.status_code == 303 and r.headers["location"] == "/katalog/login"


@pytest.mark.parametrize("username", ["demo-borger", "demo-sagsbehandler", "demo-jurist"])
def test_other_roles_cannot_sign_in_or_use_the_pages(browser, auth, username):
    r = sign_in(browser, username)
    assert r.status_code == 403 and "kun for redaktører" in r.text
    # ... and with their token in the header they get a 403 page.
    r = browser.get("/katalog", headers=auth(username))
    assert r.status_code == 403 and "Ingen adgang" in r.text


def test_a_service_token_is_no_session(browser):
    from api_helpers import service_headers

    assert browser.get("/katalog", headers=service_headers()).status_code == 303


def test_sign_in_sets_a_strict_cookie_for_katalog_only(browser, catalogue):
    r = sign_in(browser)
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(AREA.session_cookie))
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=strict", "path=/katalog"} <= attributes
    page = browser.get("/katalog")
    assert page.status_code == 200 and "Svar til borgerne" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_login_without_the_form_token_is_refused(browser):
    r = browser.post("/katalog/login", data={"username": "demo-redaktoer"})
    assert r.status_code == 403 and "Formularen er udløbet" in r.text


def test_search(editor):
    page = editor.get("/katalog", params={"q": "kontanthjaelp"})
    assert page.status_code == 200 and PAGE in page.text
    assert "Søgeresultat" in page.text
    assert PAGE not in editor.get("/katalog", params={"q": "zzzyyy"}).text


@pytest.mark.parametrize(
    ("path", "data"),
    [
        (PAGE, {"action": "offentliggoer"}),
        (PAGE, {"action": "gem", "answer": "x"}),
        (f"{PAGE}/status", {"action": "udgaa", "base_version": "1"}),
        (f"{PAGE}/tilbagerul", {"base_version": "1"}),
        ("/katalog/nyt", {"id": "x_new"}),
        ("/katalog/logout", {}),
    ],
)
def test_every_form_needs_its_csrf_token(editor, db_session, demo, path, data):
    for token in (None, "wrong", ""):
        sent = dict(data) if token is None else {**data, "csrf_token": token}
        r = editor.post(path, data=sent)
        assert r.status_code == 403 and "Ugyldig formular" in r.text
    # Nothing changed.
    assert store.current_revision(db_session) == 1
    assert store.get_draft(db_session, ENTRY, demo.user_id("demo-redaktoer")) is None


def test_a_csrf_token_of_another_session_is_refused(editor, app, token_for, settings):
    other = AREA.csrf_token(settings, token_for("demo-admin"))
    r = editor.post(
        f"{PAGE}/status", data={"action": "udgaa", "base_version": "1", "csrf_token": other}
    )
    assert r.status_code == 403


def test_edit_preview_publish_and_roll_back(editor, fake_rasa, db_session, demo):
    page = editor.get(PAGE).text
    assert "Historik" in page and "Indlæst fra de godkendte filer" in page
    examples = form_of(page)["examples"] + "\nfår jeg penge fra kommunen når jeg er ledig"
    # Preview: the draft is saved and sent to Rasa with the question.
    r = editor.post(
        PAGE,
        data=form_of(
            page,
            answer=NEW_ANSWER,
            examples=examples,
            action="forhaandsvis",
            question="kan jeg få hjælp fra kommunen",
        ),
    )
    assert r.status_code == 200, r.text
    assert "Sådan ville assistenten svare" in r.text and "Dette svar" in r.text
    assert "91 %" in r.text and "Søg kontanthjælp" in r.text
    sent = fake_rasa.requests[-1]
    assert sent.question == "kan jeg få hjælp fra kommunen"
    assert sent.drafts[0].answer == NEW_ANSWER and sent.drafts[0].examples[-1].startswith("får jeg")
    assert store.current_revision(db_session) == 1  # nothing is live yet
    # Publish.
    r = editor.post(PAGE, data=form_of(r.text, action="offentliggoer"))
    assert r.status_code == 303 and r.headers["location"] == f"{PAGE}?besked=offentliggjort"
    page = editor.get(r.headers["location"]).text
    assert "Svaret er offentliggjort" in page and NEW_ANSWER in page
    assert "Demo Redaktør" in page or "Rettet" in page
    assert store.get_record(db_session, ENTRY).version == 2
    # Roll back: version 1's answer comes back as version 3.
    r = editor.post(f"{PAGE}/tilbagerul", data={"csrf_token": csrf_of(page), "base_version": "2"})
    assert r.status_code == 303
    record = store.get_record(db_session, ENTRY)
    assert record.version == 3 and record.content["answer"] == yaml_entry(ENTRY).answer
    actions = [
        row.action
        for row in db_session.scalars(
            select(AuditLogEntry).where(
                AuditLogEntry.actor_user_id == demo.user_id("demo-redaktoer")
            )
        )
    ]
    assert actions == ["publish", "rollback"]


PASSAGE = {
    "text": "Man kunne ringe til jobcentret som normalt.",
    "title": "BIF: Bidrag til Københavns Kommunes evaluering af indsatsen, 2020",
    "date": "2020",
}


@pytest.mark.parametrize(
    "tier, shown, not_shown",
    [
        (1, ["Under svaret", "I kilden »BIF: Bidrag", "Teksten er fra 2020."], ["Kilde: BIF"]),
        (2, [f"Kilde: {PASSAGE['title']}<"], ["Under svaret", "Teksten er fra"]),
    ],
)
def test_the_preview_shows_the_source_passage_the_chat_would_show(
    editor, fake_rasa, tier, shown, not_shown
):
    fake_rasa.result = {
        "tier": tier,
        "intent": "faq" if tier == 1 else "source_answer",
        "confidence": 0.8,
        "entry_id": ENTRY if tier == 1 else None,
        "text": "Svaret." if tier == 1 else PASSAGE["text"],
        "reason": None,
        "candidates": [],
        "passage": PASSAGE,
    }
    page = editor.get(PAGE).text
    r = editor.post(PAGE, data=form_of(page, action="forhaandsvis", question="kunne man ringe"))
    assert r.status_code == 200, r.text
    assert PASSAGE["text"] in r.text
    for text in shown:
        assert text in r.text
    for text in not_shown:
        assert text not in r.text


def test_preview_when_rasa_is_down_says_so_in_danish(editor, fake_rasa):
    fake_rasa.unreachable = True
    page = editor.get(PAGE).text
    r = editor.post(PAGE, data=form_of(page, action="forhaandsvis", question="hvad er kth"))
    assert r.status_code == 503
    assert "Forhåndsvisningen virker ikke lige nu" in r.text and "Dit udkast er gemt" in r.text


def test_problems_are_shown_in_danish_and_block_publishing(editor, db_session):
    page = editor.get(PAGE).text
    data = form_of(
        page,
        action="offentliggoer",
        source_kind="seed",
        source_file="002_5e6f3c0d831500e7.txt",
        quote="Dette citat findes ikke i dokumentet",
        date="2017",
        answer=NEW_ANSWER + " Ring på 33 66 33 66.",
    )
    r = editor.post(PAGE, data=data)
    assert r.status_code == 422
    assert "Citatet findes ikke ordret i kildedokumentet" in r.text
    assert "må ikke indeholde CPR-numre eller telefonnumre" in r.text
    assert store.get_record(db_session, ENTRY).version == 1


def test_a_stale_draft_is_a_409_with_an_explanation(editor, client, auth, db_session):
    page = editor.get(PAGE).text  # the editor starts from version 1 ...
    body = draft_body(yaml_entry(ENTRY), 1, answer=NEW_ANSWER + " Admin.")
    client.put(f"/catalogue/entries/{ENTRY}/draft", json=body, headers=auth("demo-admin"))
    client.post(f"/catalogue/entries/{ENTRY}/publish", headers=auth("demo-admin"))  # ... v2
    r = editor.post(PAGE, data=form_of(page, answer=NEW_ANSWER, action="offentliggoer"))
    assert r.status_code == 409
    assert "Svaret er blevet ændret, mens du arbejdede" in r.text and "version 2" in r.text
    assert "Dit udkast bygger på version 1" in r.text
    assert store.get_record(db_session, ENTRY).content["answer"].endswith("Admin.")
    # Discarding the draft brings the new version into the form.
    page = editor.get(PAGE).text
    r = editor.post(PAGE, data={"csrf_token": csrf_of(page), "action": "kasser"})
    assert r.status_code == 303
    assert "Admin." in editor.get(PAGE).text


def test_retire_and_restore_from_the_page(editor, db_session):
    page = editor.get(PAGE).text
    r = editor.post(
        f"{PAGE}/status", data={"csrf_token": csrf_of(page), "action": "udgaa", "base_version": "1"}
    )
    assert r.status_code == 303
    page = editor.get(r.headers["location"]).text
    assert "Svaret er taget ud af brug" in page and "Tag svaret i brug igen" in page
    r = editor.post(
        f"{PAGE}/status",
        data={"csrf_token": csrf_of(page), "action": "genindsaet", "base_version": "2"},
    )
    assert r.status_code == 303 and store.get_record(db_session, ENTRY).status.value == "published"
    # A stale form (version 1) is a conflict page.
    r = editor.post(
        f"{PAGE}/status", data={"csrf_token": csrf_of(page), "action": "udgaa", "base_version": "1"}
    )
    assert r.status_code == 409 and "version 3" in r.text


def test_a_question_from_the_unanswered_list_becomes_the_first_example(editor):
    """The statistics page's "Skriv et nyt svar" links to /katalog/nyt?spoergsmaal=...; the
    question lands in the examples field, tidied, cut at 300 characters and escaped."""
    page = editor.get(
        "/katalog/nyt",
        params={"spoergsmaal": "  må man  drikke <kaffe>\n i venteværelset " + "x" * 400},
    ).text
    field = page.split('name="examples"', 1)[1].split("</textarea>", 1)[0]
    assert "må man drikke &lt;kaffe&gt; i venteværelset x" in field
    assert "<kaffe>" not in page
    assert len(field.split(">", 1)[1]) <= 300 + len("&lt;&gt;") * 3
    assert (
        'name="examples" rows="8" aria-describedby="examples-hint"></textarea>'
        in editor.get("/katalog/nyt").text
    )


def test_a_question_from_the_unanswered_list_joins_an_existing_entrys_examples(editor):
    """ "Tilføj som eksempel på et eksisterende svar" links to /katalog?q=...&eksempel=...: the
    entries link on with the question, and the entry's form has it as its last example (saved
    only when the editor saves; a question it already has is not added twice)."""
    asked = "kan  jeg få <hjælp> til det"
    listing = editor.get("/katalog", params={"eksempel": asked}).text
    assert "»kan jeg få &lt;hjælp&gt; til det«" in listing
    assert f"/katalog/svar/{ENTRY}?eksempel=kan+jeg+f%C3%A5+%3Chj%C3%A6lp%3E+til+det" in listing
    assert 'name="eksempel" value="kan jeg få &lt;hjælp&gt; til det"' in listing  # kept on search
    page = editor.get(f"{PAGE}", params={"eksempel": asked}).text
    field = page.split('name="examples"', 1)[1].split("</textarea>", 1)[0]
    assert field.rstrip().endswith("kan jeg få &lt;hjælp&gt; til det")
    assert "står nu nederst i eksemplerne" in page
    plain = editor.get(PAGE).text
    assert "&lt;hjælp&gt;" not in plain and "står nu nederst" not in plain
    existing = plain.split('name="examples"', 1)[1].split("</textarea>", 1)[0].split(">", 1)[1]
    first = existing.splitlines()[0]
    again = editor.get(PAGE, params={"eksempel": first}).text
    assert "står nu nederst" not in again  # already one of its examples


def test_a_new_entry(editor, db_session):
    page = editor.get("/katalog/nyt").text
    assert "Nyt svar" in page
    bad = {"csrf_token": csrf_of(page), "id": "Ikke gyldigt!", "topic": "benefits"}
    r = editor.post("/katalog/nyt", data=bad)
    assert r.status_code == 422 and "Id&#39;et må kun have små bogstaver" in r.text
    taken = {**bad, "id": ENTRY}
    assert "findes allerede" in editor.post("/katalog/nyt", data=taken).text
    data = {
        "csrf_token": csrf_of(page),
        "id": "job_help_new",
        "topic": "benefits",
        "title": "Hjælp til at finde job",
        "answer": NEW_ANSWER,
        "examples": "kan jobcentret hjælpe mig med at finde job\nhjælp til jobsøgning",
        "source_kind": "external",
        "source_name": "borger.dk: Job og ledighed",
        "source_url": "https://www.borger.dk/arbejde-dagpenge-ferie",
        "date": "2025",
    }
    r = editor.post("/katalog/nyt", data=data)
    assert (
        r.status_code == 303 and r.headers["location"] == "/katalog/svar/job_help_new?besked=gemt"
    )
    page = editor.get(r.headers["location"]).text
    assert "Nyt svar" in page and "Udkastet er gemt" in page
    assert store.get_record(db_session, "job_help_new") is None  # a draft only
    r = editor.post("/katalog/svar/job_help_new", data=form_of(page, action="offentliggoer"))
    assert r.status_code == 303, r.text
    record = store.get_record(db_session, "job_help_new")
    assert record.version == 1 and record.content["source"]["url"].startswith("https://")
    assert record.content["examples"] == [
        "kan jobcentret hjælpe mig med at finde job",
        "hjælp til jobsøgning",
    ]


def test_unknown_entry_page_is_404(editor):
    r = editor.get("/katalog/svar/does_not_exist")
    assert r.status_code == 404 and "Svaret findes ikke" in r.text


def test_logout(editor):
    page = editor.get("/katalog").text
    r = editor.post("/katalog/logout", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 303 and r.headers["location"] == "/katalog/login"
    assert AREA.session_cookie in r.headers["set-cookie"]


def test_jurist_page_still_works_with_the_shared_machinery(browser):
    page = browser.get("/jurist/login")
    r = browser.post(
        "/jurist/login", data={"username": "demo-jurist", "csrf_token": csrf_of(page.text)}
    )
    assert r.status_code == 303 and browser.get("/jurist").status_code == 200
    # A /katalog CSRF token is no good on /jurist and the other way round (own derivation).
    from api.legal import page_auth

    assert page_auth.AREA.name != AREA.name
