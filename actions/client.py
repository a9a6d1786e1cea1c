"""The action server's one case-service client, configured from ``actions/settings.py``.

One client per process: it keeps the HTTP session open (keep-alive) and caches the locations
for five minutes (``kkshared.case_service``).
"""

from __future__ import annotations

from actions.settings import load_settings
from kkshared.case_service import CaseServiceClient

_client: CaseServiceClient | None = None


def get_client() -> CaseServiceClient:
    """The process-wide client (built from the settings on first use)."""
    global _client
    if _client is None:
        settings = load_settings()
        _client = CaseServiceClient(settings.api_url, settings.service_token)
    return _client


def reset_client() -> None:
    """Forget the process-wide client (tests change KK_API_URL and build it again)."""
    global _client
    _client = None
