"""Fixtures for the case-service tests.

- The schema is created once per backend per session by running the Alembic migrations (so the
  migration itself is under test), then the demo data is seeded and committed.
- Each test runs inside a transaction that is rolled back: the session joins the outer
  transaction with ``join_transaction_mode="create_savepoint"``, so the routes' ``commit()`` only
  releases a SAVEPOINT.
- Backends: SQLite always; PostgreSQL too when ``KK_TEST_POSTGRES_URL`` is set (a throwaway
  database is created in that cluster and dropped afterwards). ``KK_REQUIRE_POSTGRES=1`` without
  the URL makes the PostgreSQL tests fail instead of being left out.
- Legal guidance: ``legal`` (the app's guidance answering from the real notes), ``full_db_notes``
  and ``small_db_notes`` (notes in the test's database); helpers are in ``legal_helpers.py``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from api_helpers import BACKENDS, POSTGRES_URL, make_settings
from catalogue_helpers import FakeRasa, import_reviewed
from fastapi import FastAPI
from fastapi.testclient import TestClient
from legal_helpers import NOTES_DIR, install_from_db, real_snapshot, small_notes_dir
from sqlalchemy import Engine, create_engine, make_url, select, text
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.db import migrate
from api.db.session import get_session, make_engine
from api.demo.seed import seed_demo
from api.legal.live_advisor import LegalGuidance
from api.legal.notes_store import load_knowledge_notes
from api.main import create_app
from api.models import Citizen, Closure, Role, User
from api.security.tokens import create_token
from kkshared.rate_limit import SlidingWindowLimiter


@dataclass
class Database:
    backend: str
    url: str
    engine: Engine


def _create_postgres_database() -> tuple[str, str]:
    if not POSTGRES_URL:
        pytest.fail("KK_REQUIRE_POSTGRES=1 but KK_TEST_POSTGRES_URL is not set")
    name = f"kk_api_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return name, make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(name: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def fresh_database_url(tmp_path_factory: pytest.TempPathFactory):
    """Factory: an empty database URL for the given backend (cleaned up at session end)."""
    created: list[str] = []

    def factory(backend: str) -> str:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("db") / f"kk-{secrets.token_hex(3)}.db"
            return f"sqlite:///{path}"
        name, url = _create_postgres_database()
        created.append(name)
        return url

    yield factory
    for name in created:
        _drop_postgres_database(name)


@pytest.fixture(scope="session", params=BACKENDS)
def database(request: pytest.FixtureRequest, fresh_database_url) -> Iterator[Database]:
    backend = request.param
    url = fresh_database_url(backend)
    migrate.upgrade(url)  # the migration is the schema
    engine = make_engine(url)
    with Session(engine) as session:
        seed_demo(session, make_settings().tz)
        session.commit()
    yield Database(backend, url, engine)
    engine.dispose()


@pytest.fixture
def db_session(database: Database) -> Iterator[Session]:
    connection = database.engine.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        if transaction.is_active:
            transaction.rollback()
        connection.close()


@pytest.fixture(scope="session")
def settings(database: Database) -> Settings:
    return make_settings(database_url=database.url)


@asynccontextmanager
async def _no_lifespan(_app: FastAPI) -> AsyncIterator[None]:
    yield


@pytest.fixture(scope="session")
def session_app(settings: Settings, database: Database) -> FastAPI:
    """One app per backend: FastAPI builds its route models on first use, which is slow."""
    application = create_app(settings, engine=database.engine)
    # Start-up checks are tested on their own (test_api_startup.py); here the lifespan is a no-op.
    application.router.lifespan_context = _no_lifespan
    return application


@pytest.fixture(scope="session")
def session_client(session_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(session_app) as test_client:
        yield test_client


@pytest.fixture
def app(session_app: FastAPI, settings: Settings, db_session: Session) -> Iterator[FastAPI]:
    session_app.dependency_overrides[get_session] = lambda: db_session
    session_app.state.feedback_limiter = SlidingWindowLimiter(settings.feedback_rate_per_minute)
    yield session_app
    session_app.dependency_overrides.clear()


@pytest.fixture
def client(app: FastAPI, session_client: TestClient) -> TestClient:
    return session_client


@dataclass
class Demo:
    users: dict[str, User]
    citizens: dict[str, Citizen]
    closure_id: str

    def user_id(self, username: str) -> str:
        return self.users[username].id

    def citizen_id(self, username: str) -> str:
        return self.citizens[username].id


@pytest.fixture
def demo(db_session: Session) -> Demo:
    users = {u.username: u for u in db_session.scalars(select(User))}
    citizens = {
        username: db_session.scalars(select(Citizen).where(Citizen.user_id == user.id)).one()
        for username, user in users.items()
        if user.role is Role.CITIZEN
    }
    closure = db_session.scalars(select(Closure)).first()
    assert closure is not None
    return Demo(users=users, citizens=citizens, closure_id=closure.id)


@pytest.fixture
def token_for(settings: Settings, demo: Demo):
    def make(username: str, **kwargs: object) -> str:
        user = demo.users[username]
        return create_token(user.id, user.role, settings, **kwargs)

    return make


@pytest.fixture
def auth(token_for):
    """Headers for a demo user's bearer token."""

    def make(username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_for(username)}"}

    return make


@pytest.fixture
def legal(app) -> Iterator[LegalGuidance]:
    """The app's legal guidance answering from the real notes (restored after the test)."""
    guidance: LegalGuidance = app.state.legal
    guidance.install(real_snapshot())
    yield guidance
    guidance.install(real_snapshot())


@pytest.fixture
def full_db_notes(legal, db_session) -> LegalGuidance:
    """All knowledge-file notes in the database (this test's transaction) + the real advisor."""
    load_knowledge_notes(db_session, NOTES_DIR)
    db_session.flush()
    return legal


@pytest.fixture
def small_db_notes(legal, db_session, tmp_path) -> LegalGuidance:
    """Only ``SMALL_SET`` in the database, and an advisor built from them (fast rebuilds)."""
    load_knowledge_notes(db_session, small_notes_dir(tmp_path))
    install_from_db(legal, db_session)
    return legal


@pytest.fixture
def catalogue(db_session):
    """The reviewed YAML catalogue imported into this test's database (``catalogue_helpers``)."""
    return import_reviewed(db_session)


@pytest.fixture
def fake_rasa(app, settings) -> Iterator[FakeRasa]:
    """The editors' preview answered by a fake of the Rasa preview endpoint."""
    fake = FakeRasa(settings)
    app.state.catalogue_preview = fake.client()
    yield fake
    del app.state.catalogue_preview
