"""Error responses: always JSON ``{"detail": "<reason>"}``; never a stack trace.

The OpenAPI document declares them with ``api.schemas.common.ErrorOut``: a route declares what it
raises itself with ``responses=error_responses(404, ...)``; a dependency that raises is marked with
``@raises(401, ...)`` and its codes are declared on every operation that uses it (``api.openapi``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas.common import ErrorOut

log = logging.getLogger("api.errors")

ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Bad request: a NUL character in the URL, a malformed header (Idempotency-Key, "
    "Content-Length) or a body that cannot be read",
    401: "Not authenticated: no token, a forged or expired one, or a wrong service token",
    403: "Authenticated, but not allowed for this role or kind of caller",
    404: "Not found (another citizen's data answers the same as data that does not exist)",
    409: "Conflicts with the current state",
    413: "Request body too large",
    422: "Invalid input: `detail` names each field and why (the input is not echoed)",
    429: "Too many requests; try again after Retry-After seconds",
    503: "Temporarily unavailable; try again after Retry-After seconds",
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer"},
    }
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: _RETRY_AFTER,
    503: _RETRY_AFTER,
}


def error_response(code: int, description: str | None = None) -> dict[str, Any]:
    """One entry of a route's ``responses=``: the ``ErrorOut`` body with a description."""
    response: dict[str, Any] = {
        "model": ErrorOut,
        "description": description or ERROR_DESCRIPTIONS[code],
    }
    if code in _HEADERS:
        response["headers"] = _HEADERS[code]
    return response


def error_responses(
    *codes: int, descriptions: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for the error statuses a route raises itself (not those of its dependencies,
    nor 400/413/422 for bad input: ``api.openapi`` adds those)."""
    descriptions = descriptions or {}
    return {code: error_response(code, descriptions.get(code)) for code in codes}


ERRORS_ATTRIBUTE = "__kk_error_statuses__"
F = TypeVar("F", bound=Callable[..., Any])


def raises(*codes: int) -> Callable[[F], F]:
    """Mark a dependency with the error statuses it answers with, so that the OpenAPI document
    declares them on every operation that depends on it (directly or through another dependency).
    """

    def mark(func: F) -> F:
        known: frozenset[int] = getattr(func, ERRORS_ATTRIBUTE, frozenset())
        setattr(func, ERRORS_ATTRIBUTE, known | frozenset(codes))
        return func

    return mark


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "request"


def validation_detail(exc: RequestValidationError) -> str:
    """ "body.date: Input should be a valid date ...; body.reason: ..." (input is not echoed)."""
    parts = []
    for error in exc.errors()[:10]:
        message = str(error.get("msg", "invalid value"))
        if error.get("type") == "json_invalid":
            message = "malformed JSON"
        parts.append(f"{_location(tuple(error.get('loc', ())))}: {message}")
    return "; ".join(parts) or "invalid request"


class RequestRefused(Exception):
    """A rule of the domain refuses the request. Wherever nobody catches it (pages do, to show
    their Danish text), it is answered as ``{"detail": reason}`` with the class's status."""

    status_code = 422

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def request_refused_handler(request: Request, exc: RequestRefused) -> JSONResponse:
    return JSONResponse({"detail": exc.reason}, status_code=exc.status_code)


async def http_exception_handler(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else "error"
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


async def validation_exception_handler(
    request: Request, exc: RequestValidationError
) -> JSONResponse:
    return JSONResponse({"detail": validation_detail(exc)}, status_code=422)


async def unhandled_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None) or "-"
    log.error(
        "unhandled error",
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"request_id": request_id},
    )
    return JSONResponse(
        {"detail": "internal server error", "request_id": request_id},
        status_code=500,
        headers={"X-Request-ID": request_id},
    )


def install_error_handlers(app: FastAPI) -> None:
    # FastAPI's decorator form: add_exception_handler's signature only admits handlers of Exception.
    app.exception_handler(StarletteHTTPException)(http_exception_handler)
    app.exception_handler(RequestValidationError)(validation_exception_handler)
    app.exception_handler(RequestRefused)(request_refused_handler)
    app.add_exception_handler(Exception, unhandled_exception_handler)
