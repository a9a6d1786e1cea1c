"""Published development defaults, the one copy of each.

They let a fresh clone run (``./kk run`` replaces the secrets with random ones in
``var/secrets.env``). The case service refuses to start outside demo mode with either secret
(``api/core/config.py``), and the logged-in chat channel accepts the demo JWT secret only in demo
mode (``bot/channels/kk.py``).
"""

from __future__ import annotations

# Where the bot and the action server reach the case service (``KK_API_URL``).
DEFAULT_API_URL = "http://127.0.0.1:8000"
# The service credential of the action server and the SMS channel (``KK_SERVICE_TOKEN``).
DEFAULT_SERVICE_TOKEN = "insecure-dev-service-token-change-me"
# The user-token (JWT) secret (``KK_JWT_SECRET``).
DEFAULT_JWT_SECRET = "insecure-dev-secret-change-me"
