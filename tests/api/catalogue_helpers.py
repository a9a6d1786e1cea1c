"""Helpers of the catalogue tests (imported as ``catalogue_helpers``)."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.catalogue.importer import ImportReport, import_entries
from api.catalogue.preview import PREVIEW_PATH, PreviewClient
from api.catalogue.yaml_io import YamlCatalogue, read_yaml
from api.core.config import Settings
from kkshared.catalogue import CatalogueEntry, PreviewRequest

REPO = Path(__file__).resolve().parents[2]
ENTRY = "benefit_kontanthjaelp_what"  # imported from knowledge/citizen/benefits.yml
OTHER = "benefit_kontanthjaelp_apply"
HIDDEN_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# Plain Danish (LIX well under 45), no abbreviations, no numbers.
NEW_ANSWER = (
    "Du kan få hjælp til at søge job hos jobcentret. Du skal møde op til dine samtaler. "
    "Spørg din sagsbehandler, hvis du er i tvivl."
)


@lru_cache(maxsize=1)
def reviewed_yaml() -> YamlCatalogue:
    return read_yaml(REPO)


def reviewed_count() -> int:
    """How many entries the reviewed YAML catalogue (knowledge/citizen/) holds."""
    return len(reviewed_yaml().entries)


def import_reviewed(session: Session) -> ImportReport:
    report = import_entries(session, reviewed_yaml())
    session.flush()
    return report


def yaml_entry(entry_id: str) -> CatalogueEntry:
    return next(e for e in reviewed_yaml().entries if e.id == entry_id)


def draft_body(entry: CatalogueEntry, base_version: int, **changes: object) -> dict:
    """The PUT .../draft body for ``entry`` with ``changes`` (answer=..., examples=[...], ...)."""
    data = entry.to_json()
    body = {
        "base_version": base_version,
        "topic": data["topic"],
        "title": data["title"],
        "answer": data["answer"],
        "source": data["source"],
        "examples": data["examples"],
        "related": data["related"],
    }
    body.update(changes)
    return body


def edited(entry: CatalogueEntry, **changes: object) -> CatalogueEntry:
    return replace(entry, **changes)


class FakeRasa:
    """The Rasa side's preview endpoint, as an httpx MockTransport: records the requests and
    answers with ``result`` (a PreviewResult JSON), or fails like an unreachable server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.requests: list[PreviewRequest] = []
        self.headers: list[httpx.Headers] = []
        self.unreachable = False
        self.result: dict | None = None

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.unreachable:
            raise httpx.ConnectError("connection refused", request=request)
        assert request.url.path == PREVIEW_PATH
        self.headers.append(request.headers)
        preview = PreviewRequest.from_json(json.loads(request.content))
        self.requests.append(preview)
        if self.result is not None:
            return httpx.Response(200, json=self.result)
        # Default: the first draft answers with high confidence.
        first = preview.drafts[0] if preview.drafts else None
        return httpx.Response(
            200,
            json={
                "tier": 1 if first else 3,
                "intent": "faq",
                "confidence": 0.91 if first else 0.12,
                "entry_id": first.id if first else None,
                "text": first.answer if first else None,
                "reason": None,
                "candidates": [{"entry_id": OTHER, "title": "Søg kontanthjælp", "score": 0.41}],
            },
        )

    def client(self) -> PreviewClient:
        return PreviewClient(self.settings, transport=httpx.MockTransport(self.handler))


def csrf_of(page: str) -> str:
    match = HIDDEN_CSRF.search(page)
    assert match, "no CSRF field on the page"
    return html.unescape(match.group(1))


def sign_in(browser: TestClient, username: str = "demo-redaktoer") -> httpx.Response:
    page = browser.get("/katalog/login")
    assert page.status_code == 200
    return browser.post(
        "/katalog/login", data={"username": username, "csrf_token": csrf_of(page.text)}
    )


def form_of(page: str, **changes: str) -> dict[str, str]:
    """The edit form's fields as the page filled them in, with ``changes``."""
    values = {"csrf_token": csrf_of(page)}
    for name, value in re.findall(
        r'<input type="(?:hidden|text|url)"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page
    ):
        values.setdefault(name, html.unescape(value))
    for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S
    ):
        values[name] = html.unescape(value)
    checked = re.search(r'name="source_kind" value="([^"]+)" checked', page)
    values["source_kind"] = checked.group(1) if checked else "seed"
    values.update(changes)
    return values
