"""Engine and session factory. Tables come from Alembic migrations, never from ``create_all``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import Request
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import Settings


def _prepare_sqlite(engine: Engine) -> None:
    """Foreign keys on, and let SQLAlchemy (not pysqlite) emit BEGIN so SAVEPOINTs work.

    See SQLAlchemy's "Serializable isolation / Savepoints / Transactional DDL" notes for pysqlite.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def ensure_sqlite_dir(settings: Settings) -> None:
    path = settings.sqlite_path()
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        _prepare_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: one session per request from the app's session factory."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        yield session
