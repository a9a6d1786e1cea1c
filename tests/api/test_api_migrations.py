"""The Alembic migration is the schema: it matches the models, and it goes down and up again."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from api_helpers import BACKENDS
from sqlalchemy import inspect

from api.db import migrate
from api.db.base import Base
from api.db.session import make_engine

TABLES = {
    "users",
    "citizens",
    "cases",
    "payments",
    "meetings",
    "plan_items",
    "absence_reports",
    "reschedule_requests",
    "messages",
    "locations",
    "opening_hours",
    "closures",
    "audit_log",
    "feedback",
    "reference_counters",
}


def test_migrated_schema_matches_models(database):
    with database.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []
    assert migrate.is_up_to_date(database.engine)


@pytest.mark.parametrize("backend", BACKENDS)
def test_downgrade_to_base_and_upgrade_again(fresh_database_url, backend):
    url = fresh_database_url(backend)
    engine = make_engine(url)
    try:
        migrate.upgrade(url)
        assert TABLES <= set(inspect(engine).get_table_names())
        migrate.downgrade(url, rev="base")
        assert not TABLES & set(inspect(engine).get_table_names())
        assert not migrate.is_up_to_date(engine)
        migrate.upgrade(url)
        assert migrate.is_up_to_date(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_a_database_with_data_keeps_every_link(fresh_database_url, backend):
    """SQLite alters a table by copying it, dropping the old one and renaming the copy; with
    foreign keys on, dropping ``users`` (0005 widens its role) set every citizen's ``user_id`` to
    NULL, and a later ``seed-demo`` failed on the phone numbers."""
    url = fresh_database_url(backend)
    engine = make_engine(url)
    try:
        migrate.upgrade(url, rev="0004")
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO users (id, username, role, display_name, is_active, created_at)"
                " VALUES ('u-1', 'borger', 'citizen', 'Borger', true, CURRENT_TIMESTAMP)"
            )
            conn.exec_driver_sql(
                "INSERT INTO citizens (id, user_id, name, phone, preferred_channel, sms_opt_out,"
                " created_at) VALUES ('c-1', 'u-1', 'Borger', '+4500000999', 'sms', false,"
                " CURRENT_TIMESTAMP)"
            )
        migrate.upgrade(url)
        with engine.connect() as conn:
            links = conn.exec_driver_sql("SELECT id, user_id FROM citizens").all()
        assert [tuple(row) for row in links] == [("c-1", "u-1")]
    finally:
        engine.dispose()
