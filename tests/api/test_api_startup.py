"""Start-up: refuse unsafe settings outside demo mode, refuse an unmigrated database, demo-only
login, demo data refreshed on start, and the command line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from api_helpers import make_settings
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import cli
from api.core.config import (
    DEFAULT_JWT_SECRET,
    DEFAULT_SERVICE_TOKEN,
    UnsafeSettingsError,
    get_settings,
)
from api.db import migrate
from api.db.session import make_engine
from api.demo.data import USERS as DEMO_USERS_SEEDED
from api.main import create_app
from api.models import Meeting, User

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _keep_test_logging(monkeypatch):
    """The real start-up installs the JSON log handler on the root logger; not inside pytest."""
    import api.main

    monkeypatch.setattr(api.main, "configure_logging", lambda level: None)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"jwt_secret": DEFAULT_JWT_SECRET}, "KK_JWT_SECRET is the published default"),
        ({"service_token": DEFAULT_SERVICE_TOKEN}, "KK_SERVICE_TOKEN is the published default"),
        ({"jwt_secret": "short"}, "KK_JWT_SECRET is shorter than 32"),
    ],
)
def test_refuses_to_start_outside_demo_mode_with_unsafe_secrets(overrides, message):
    app = create_app(make_settings(demo_mode=False, **overrides))
    with pytest.raises(UnsafeSettingsError, match=message):
        with TestClient(app):
            pass


def test_defaults_are_fine_in_demo_mode(tmp_path):
    url = f"sqlite:///{tmp_path / 'kk.db'}"
    migrate.upgrade(url)
    settings = make_settings(
        demo_mode=True,
        jwt_secret=DEFAULT_JWT_SECRET,
        service_token=DEFAULT_SERVICE_TOKEN,
        database_url=url,
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").status_code == 200


def test_refuses_to_start_on_unmigrated_database(tmp_path):
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(RuntimeError, match="api.cli migrate"):
        with TestClient(create_app(settings)):
            pass


def test_demo_login_is_404_outside_demo_mode(tmp_path):
    app = create_app(make_settings(demo_mode=False))
    r = TestClient(app).post("/auth/demo-login", json={"username": "demo-borger"})
    assert r.status_code == 404


def test_demo_login_in_demo_mode(client, settings, demo):
    from api.security.tokens import verify_token

    r = client.post("/auth/demo-login", json={"username": "demo-borger"})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    claims = verify_token(body["access_token"], settings)
    assert claims.sub == demo.user_id("demo-borger") and claims.role == "citizen"
    assert (claims.expires_at - claims.issued_at).total_seconds() == 3600
    assert client.post("/auth/demo-login", json={"username": "nobody"}).status_code == 401
    assert client.post("/auth/demo-login", json={}).status_code == 422


def test_start_in_demo_mode_seeds_demo_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'kk.db'}"
    migrate.upgrade(url)
    settings = make_settings(database_url=url, demo_seed_on_start=True)
    with TestClient(create_app(settings)) as client:
        assert client.post("/auth/demo-login", json={"username": "demo-borger"}).status_code == 200
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(User)) == len(DEMO_USERS_SEEDED)
        assert session.scalar(select(func.count()).select_from(Meeting)) >= 3
    engine.dispose()


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    db = tmp_path / "var" / "kk.db"
    monkeypatch.setenv("KK_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("KK_DEMO_MODE", "true")
    monkeypatch.setattr(cli, "configure_logging", lambda level: None)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def test_cli_migrate_and_seed_twice(cli_env, capsys):
    assert cli.main(["migrate"]) == 0
    assert cli_env.exists()  # the var/ directory is created
    assert cli.main(["seed-demo"]) == 0
    assert cli.main(["seed-demo"]) == 0
    out = capsys.readouterr().out
    assert out.count("demo data seeded") == 2
    engine = make_engine(f"sqlite:///{cli_env}")
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(User)) == len(DEMO_USERS_SEEDED)
    engine.dispose()


def test_cli_seed_refused_outside_demo_mode(cli_env, monkeypatch):
    monkeypatch.setenv("KK_DEMO_MODE", "false")
    get_settings.cache_clear()
    assert cli.main(["seed-demo"]) == 2


def test_cli_serve_refuses_default_secrets_outside_demo_mode(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KK_")}
    env.update({"KK_DEMO_MODE": "false", "KK_DATABASE_URL": f"sqlite:///{tmp_path / 'kk.db'}"})
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--port", "18099"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Refusing to start" in result.stderr and "KK_JWT_SECRET" in result.stderr
