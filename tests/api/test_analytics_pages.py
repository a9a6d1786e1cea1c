"""The statistics pages (/statistik) and the JSON report: sign-in, roles, CSRF, bad input, CSV,
and that another person's conversation cannot be picked out (there is no per-person view: the
pages show totals and masked question texts only)."""

from __future__ import annotations

import re

import pytest

from api.routes.analytics_pages import AREA

PAGES = ["/statistik", "/statistik/csv/perioder", "/statistik/csv/ubesvarede"]


def page_headers(auth, username: str) -> dict[str, str]:
    return auth(username)  # the pages take the same bearer token as their session cookie


@pytest.mark.parametrize("path", PAGES)
def test_no_session_redirects_to_the_login(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/statistik/login"


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    "username", ["demo-borger", "demo-sagsbehandler", "demo-jurist"], ids=lambda u: u
)
def test_other_roles_get_403(client, auth, path, username):
    response = client.get(path, headers=page_headers(auth, username))
    assert response.status_code == 403
    assert "kun for redaktører og administratorer" in response.text


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("username", ["demo-redaktoer", "demo-admin"])
def test_editor_and_admin_get_the_pages(client, auth, path, username):
    response = client.get(path, headers=page_headers(auth, username))
    assert response.status_code == 200, response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_a_service_token_is_not_a_page_session(client, demo):
    from api_helpers import service_headers

    response = client.get(
        "/statistik", headers=service_headers(demo.user_id("demo-admin")), follow_redirects=False
    )
    assert response.status_code == 303


def test_update_needs_the_form_token(client, settings, token_for):
    # One token for the header and the form: two made a second apart differ (their iat), and
    # the form token belongs to the session's token.
    token = token_for("demo-redaktoer")
    headers = {"Authorization": f"Bearer {token}"}
    refused = client.post("/statistik/opdater", headers=headers, data={"csrf_token": "forged"})
    assert refused.status_code == 403 and "Ugyldig formular" in refused.text
    # A token of another page area (the jurists' page) is no good here either.
    from api.legal.page_auth import csrf_token as jurist_csrf

    other = client.post(
        "/statistik/opdater", headers=headers, data={"csrf_token": jurist_csrf(settings, token)}
    )
    assert other.status_code == 403
    good = client.post(
        "/statistik/opdater",
        headers=headers,
        data={"csrf_token": AREA.csrf_token(settings, token)},
        follow_redirects=False,
    )
    assert good.status_code == 303 and good.headers["location"].startswith("/statistik?")


def test_update_refuses_other_roles(client, auth, settings, token_for):
    token = token_for("demo-sagsbehandler")
    response = client.post(
        "/statistik/opdater",
        headers={"Authorization": f"Bearer {token}"},
        data={"csrf_token": AREA.csrf_token(settings, token)},
    )
    assert response.status_code == 403


def test_bad_periods_are_explained_in_danish(client, auth):
    headers = auth("demo-redaktoer")
    for query, message in [
        ("fra=2026-13-40", "Fra-datoen skal være en dato"),
        ("fra=2026-12-31&til=2026-01-01", "Fra-datoen skal ligge før"),
        ("fra=2020-01-01&til=2026-01-01", "højst 366 dage"),
        ("periode=maaned", "pr. dag eller pr. uge"),
    ]:
        response = client.get(f"/statistik?{query}", headers=headers)
        assert response.status_code == 400 and message in response.text, query


def test_the_api_explains_bad_periods(client, auth):
    response = client.get("/analytics/report?from=yesterday", headers=auth("demo-admin"))
    assert response.status_code == 422
    assert response.json() == {"detail": "from must be a date like 2026-12-06"}


def test_unknown_csv_table_is_404(client, auth):
    response = client.get("/statistik/csv/brugere", headers=auth("demo-admin"))
    assert response.status_code == 404


def test_csv_is_a_download_and_defuses_formulas(client, auth):
    from api.routes.analytics_pages import _cell

    response = client.get("/statistik/csv/perioder", headers=auth("demo-redaktoer"))
    assert response.headers["content-type"].startswith("text/csv")
    assert re.match(
        r'attachment; filename="statistik-perioder-[0-9-]+\.csv"',
        response.headers["content-disposition"],
    )
    assert response.content.startswith("\ufeff".encode())
    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _cell("hej") == "hej"


def test_assets_are_served_from_the_service(client):
    chart = client.get("/statistik/assets/chart.umd.min.js")
    assert chart.status_code == 200 and "Chart.js v4" in chart.text[:200]
    assert client.get("/statistik/assets/statistik.js").status_code == 200
    assert client.get("/statistik/assets/..%2Fjob.py").status_code == 404


def test_the_served_chart_js_is_the_npm_package(client):
    """api/static/analytics/chart.umd.min.js is the built file of web/package.json's chart.js."""
    import json
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    wanted = json.loads((repo / "web" / "package.json").read_text())["dependencies"]["chart.js"]
    served = (repo / "api" / "static" / "analytics" / "chart.umd.min.js").read_text()
    assert f"Chart.js v{wanted}" in served[:200]
    built = repo / "web" / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"
    if built.exists():
        assert built.read_text() == served, "copy web/node_modules/chart.js/dist/chart.umd.min.js"
