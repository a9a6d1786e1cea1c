"""A speed fix for Rasa 3.6, installed when the Rasa server loads our channels.

Rasa validates every action-server response with ``jsonschema.validate``, which checks the
schema itself against the JSON-Schema meta-schema on every call: about 80 ms of CPU per custom
action on this machine, more than everything else in a turn together (measured with cProfile,
see docs/load_benchmark.md). The schema never changes, so it is checked once and its validator
reused; the validation of each response stays exactly the same.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_INSTALLED = False


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    if isinstance(error, ValidationError):
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
    raise error


def install() -> None:
    """Replace ``RemoteAction._validate_action_result`` (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    _INSTALLED = True
