"""Structured JSON logs with personal data masked.

Every record passes through ``PiiMaskingFilter`` (CPR numbers, phone numbers and e-mails replaced by
``kkshared.pii.mask_pii`` placeholders, bearer tokens / JWTs replaced by ``[TOKEN]``) before it is
formatted. Request headers are never logged: the access log (``api.middleware``) writes method,
route template, status, duration and request id only.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from kkshared.pii import mask_pii

TOKEN_PLACEHOLDER = "[TOKEN]"
# JWTs (three base64url segments) and "Bearer <anything>".
_JWT = re.compile(r"eyJ[\w-]*\.[\w-]*\.[\w-]*")
_BEARER = re.compile(r"(?i)bearer\s+\S+")

# LogRecord attributes that are not "extra" fields (color_message: uvicorn's ANSI duplicate).
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}

_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Make ``value`` (e.g. the service token) be replaced by [TOKEN] wherever it is logged."""
    if value:
        _secrets.add(value)


def scrub(text: str) -> str:
    """Mask personal data and credentials in one log string."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, TOKEN_PLACEHOLDER)
    text = _JWT.sub(TOKEN_PLACEHOLDER, text)
    text = _BEARER.sub("Bearer " + TOKEN_PLACEHOLDER, text)
    return mask_pii(text)


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    return value


class PiiMaskingFilter(logging.Filter):
    """Render the message, scrub it and any extra fields, and freeze the result on the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS:
                setattr(record, key, _scrub_value(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_text:
            payload["exc"] = record.exc_text
        return json.dumps(payload, ensure_ascii=False, default=str)


def make_handler(stream: Any = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(PiiMaskingFilter())
    handler.setFormatter(JsonFormatter())
    handler.set_name("kk-json")
    return handler


def configure_logging(level: str = "INFO") -> None:
    """Install the JSON handler on the root logger (idempotent)."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == "kk-json":
            root.removeHandler(existing)
    root.addHandler(make_handler())
    root.setLevel(level.upper())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.captureWarnings(True)  # Python warnings become JSON log lines too
    # uvicorn's own access log prints raw paths (which can hold a phone number); ours replaces it.
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
