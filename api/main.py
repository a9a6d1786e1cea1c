"""The case service: ``create_app()`` builds the FastAPI app; ``api.main:app`` is the default one.

Run: ``python -m api.cli migrate && python -m api.cli serve`` (or ``uvicorn api.main:app``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from sqlalchemy import Engine

from api.analytics.job import AnalyticsLoop
from api.core.config import Settings, get_settings
from api.core.logging import configure_logging, register_secret
from api.db.migrate import is_up_to_date
from api.db.session import ensure_sqlite_dir, make_engine, make_session_factory
from api.deps import reject_nul_in_url
from api.errors import install_error_handlers
from api.legal.config import make_encoder
from api.legal.live_advisor import LegalGuidance
from api.legal.startup import start_legal_guidance
from api.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from api.openapi import install_openapi
from api.routes import (
    absence,
    admin_erasure,
    analytics,
    analytics_pages,
    assistant_status,
    assistant_status_pages,
    audit,
    auth,
    catalogue,
    catalogue_pages,
    chat_pages,
    citizens,
    closures,
    closures_pages,
    feedback,
    health,
    holidays,
    jurist_pages,
    legal,
    locations,
    me,
    meetings,
    meetings_pages,
    messages,
    opening_hours,
    opening_hours_pages,
    operations_pages,
    payments,
    plans,
    reminders,
    reminders_analytics,
    reminders_service,
    reschedule,
    service,
)
from api.security import page_routes
from kkshared.rate_limit import SlidingWindowLimiter

log = logging.getLogger("api.main")

DESCRIPTION = """System of record for KK-assistenten (Jobcenter København): citizens, cases,
meetings, payments, plans, requests sent by the bot, locations with opening hours and closures.

Authenticate with a user JWT (`Authorization: Bearer ...`) or, for the action server, with
`X-Service-Token` (+ `X-Subject: <user id>` when acting for a user). Errors are
`{"detail": "<reason>"}`. Times are Europe/Copenhagen; naive input times are local time."""


def startup_checks(app: FastAPI) -> None:
    """Refuse to start with unsafe settings or an unmigrated database; refresh demo data."""
    settings: Settings = app.state.settings
    settings.assert_safe_for_startup()
    register_secret(settings.service_token)
    register_secret(settings.jwt_secret)
    register_secret(settings.oidc_subject_key)
    ensure_sqlite_dir(settings)
    if not is_up_to_date(app.state.engine):
        raise RuntimeError(
            "The database schema is not at the latest migration. Run `python -m api.cli migrate` "
            "first."
        )
    if settings.demo_mode and settings.demo_seed_on_start:
        from api.demo.seed import seed_demo

        with app.state.session_factory() as session:
            summary = seed_demo(session, settings.tz)
            session.commit()
        log.info("demo data refreshed", extra={"summary": vars(summary)})
    if settings.catalogue_import_on_start:  # the reviewed YAML, when the catalogue is empty
        from api.catalogue.importer import import_if_empty

        with app.state.session_factory() as session:
            import_if_empty(session, settings.catalogue_yaml_root)
    # Legal notes (loaded from the knowledge files in demo mode); the advisor builds in background.
    start_legal_guidance(settings, app.state.session_factory, app.state.legal)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    configure_logging(app.state.settings.log_level)
    startup_checks(app)
    log.info("case service started", extra={"demo_mode": app.state.settings.demo_mode})
    # Conversation analytics: the aggregation job, every KK_ANALYTICS_INTERVAL_SECONDS.
    analytics_loop = AnalyticsLoop(
        app.state.session_factory,
        app.state.settings,
        app.state.settings.analytics_interval_seconds,
    )
    analytics_loop.start()
    yield
    analytics_loop.stop()
    app.state.engine.dispose()


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="KK-assistenten case service",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(reject_nul_in_url)],
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    app.state.session_factory = make_session_factory(app.state.engine)
    app.state.feedback_limiter = SlidingWindowLimiter(
        settings.feedback_rate_per_minute,
        storage_uri=settings.redis_url,
        name="feedback",
        socket_timeout=settings.redis_socket_timeout,
    )
    app.state.legal = LegalGuidance(make_encoder(settings), passages=settings.legal_source_passages)

    install_error_handlers(app)
    # Added last = outermost: the request id wraps everything, including 413 answers.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    chat_pages.install_cors(app, settings)  # outermost: answers browsers' CORS preflights

    routers = [
        health,
        locations,
        holidays,
        closures,
        assistant_status,
        assistant_status_pages,
        closures_pages,
        opening_hours,
        opening_hours_pages,
        operations_pages,
        me,
        citizens,
        meetings,
        payments,
        plans,
        absence,
        reschedule,
        messages,
        reminders,
        reminders_service,
        reminders_analytics,
        meetings_pages,
        audit,
        admin_erasure,
        service,
        feedback,
        legal,
        jurist_pages,
        analytics,
        analytics_pages,
        catalogue,
        catalogue_pages,
        chat_pages,
        page_routes,  # the staff pages' stylesheet
    ]
    if settings.demo_mode:
        routers.append(auth)
    for module in routers:
        app.include_router(module.router)
    install_openapi(app)
    return app


_default_app: FastAPI | None = None


def __getattr__(name: str) -> Any:
    """``api.main:app`` is built on first access, so importing this module has no side effects."""
    global _default_app
    if name == "app":
        if _default_app is None:
            _default_app = create_app()
        return _default_app
    raise AttributeError(name)
