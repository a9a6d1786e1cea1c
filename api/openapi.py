"""The OpenAPI document, with the error answers the service really gives.

Every error is ``{"detail": "<reason>"}`` (``api.errors``, schema ``ErrorOut``). FastAPI's own
document declares none of them except 422, and that one as ``HTTPValidationError`` (a list), which
this service never sends. ``install_openapi`` builds FastAPI's document once and then, for each
operation:

- adds the codes of its dependencies marked with ``api.errors.raises``, recursively: 400 for a NUL
  in the URL (``api.deps.reject_nul_in_url``, an app-level dependency, so on every operation) or a
  malformed Idempotency-Key, 401 from authentication, 403 from a role check, 404 for a citizen
  that is not the caller's;
- adds 400 (unreadable body, malformed Content-Length), 413 (``api.middleware``) and 422 to every
  operation with a request body;
- declares every 422 as ``ErrorOut``, and drops ``HTTPValidationError``/``ValidationError`` from the
  components when nothing refers to them any more.

What a route raises itself it declares in its decorator: ``responses=error_responses(404)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.errors import ERROR_DESCRIPTIONS, ERRORS_ATTRIBUTE, error_response
from api.schemas.common import ErrorOut

REF_PREFIX = "#/components/schemas/"
ERROR_REF = {"$ref": f"{REF_PREFIX}ErrorOut"}
BODY_ERRORS = frozenset({400, 413, 422})
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def dependency_errors(dependant: Dependant) -> set[int]:
    """The error statuses declared (``@raises``) by the dependencies of a route, recursively."""
    codes: set[int] = set()
    for sub in _walk(dependant):
        codes.update(getattr(sub.call, ERRORS_ATTRIBUTE, ()))
    return codes


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _walk(sub)


def api_routes(routes: list[Any]) -> Iterator[Any]:
    """The app's API routes as the OpenAPI generator sees them (with included routers' settings)."""
    iter_route_contexts = getattr(routing, "iter_route_contexts", None)
    if iter_route_contexts is None:  # older FastAPI: included routes are flat APIRoutes
        yield from (route for route in routes if isinstance(route, APIRoute))
        return
    for context in iter_route_contexts(routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def route_errors(route: Any) -> set[int]:
    codes = dependency_errors(route.dependant)
    if route.body_field is not None:
        codes |= BODY_ERRORS
    return codes


def _error_entry(code: int) -> dict[str, Any]:
    entry = {k: v for k, v in error_response(code).items() if k != "model"}
    entry["content"] = {"application/json": {"schema": dict(ERROR_REF)}}
    return entry


def document_errors(schema: dict[str, Any], routes: list[Any]) -> dict[str, Any]:
    """Declare the real error answers in FastAPI's document (changed in place and returned)."""
    paths = schema.get("paths", {})
    for route in api_routes(routes):
        if not route.include_in_schema:
            continue
        path_item = paths.get(route.path_format, {})
        codes = route_errors(route)
        for method in route.methods:
            operation = path_item.get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(str(code), _error_entry(code))
            if "422" in responses:
                # Validation errors are one string (api.errors.validation_detail), not a list.
                responses["422"]["description"] = ERROR_DESCRIPTIONS[422]
                responses["422"]["content"] = {"application/json": {"schema": dict(ERROR_REF)}}
            operation["responses"] = dict(sorted(responses.items()))

    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "ErrorOut", ErrorOut.model_json_schema(ref_template=REF_PREFIX + "{model}")
    )
    text = json.dumps(paths)
    if not any(f'"{REF_PREFIX}{name}"' in text for name in FASTAPI_VALIDATION_SCHEMAS):
        for name in FASTAPI_VALIDATION_SCHEMAS:
            components.pop(name, None)
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve FastAPI's document with the real error answers (documented once per build)."""
    documented: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        schema = FastAPI.openapi(app)  # FastAPI's cached document, rebuilt when routes change
        if not documented or documented[0] is not schema:
            try:
                document_errors(schema, app.routes)
            except Exception:
                app.openapi_schema = None
                raise
            documented[:] = [schema]
        return schema

    # FastAPI documents replacing app.openapi with a function; mypy forbids assigning to a method.
    app.openapi = openapi  # type: ignore[method-assign]
