"""The action server: rasa-sdk's, on loopback, answering only the Rasa server.

``python -m actions.server --port 5055`` replaces ``rasa run actions``. The actions trust the
identity that Rasa passes in the message metadata (``actions/identity.py``), so the action
server must only ever be reachable by our Rasa server:

- it listens on 127.0.0.1 (``rasa run actions`` listens on every interface); ``KK_ACTIONS_HOST``
  changes that for a container, where a network policy lets only Rasa reach it (deploy/);
- ``POST /webhook`` requires ``X-KK-Actions-Token`` equal to ``KK_ACTIONS_TOKEN``, which the
  Rasa server sends (``bot/endpoints.yml``); other callers get 401 and nothing runs.
``GET /health`` stays open (it says nothing but "ok").
"""

from __future__ import annotations

import argparse
import hmac
import logging

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.faq_catalogue import get_catalogue
from actions.settings import load_settings
from kkshared.lexicon import is_known_word

TOKEN_HEADER = "X-KK-Actions-Token"
LOOPBACK = ("127.0.0.1", "::1", "localhost")

logger = logging.getLogger(__name__)


def authorised(request: Request, token: str) -> bool:
    given = request.headers.get(TOKEN_HEADER) or ""
    return hmac.compare_digest(given.encode(), token.encode())


def build_app(token: str, package: str = "actions") -> Sanic:
    if len(token) < 16:
        raise SystemExit("KK_ACTIONS_TOKEN must be set (at least 16 characters)")
    app = create_app(package, cors_origins=None)

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path == "/health" or authorised(request, token):
            return None
        logger.warning("action call without a valid %s refused", TOKEN_HEADER)
        return response.json({"detail": "missing or wrong action-server token"}, status=401)

    return app


def main() -> None:
    settings = load_settings()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=settings.actions_port)
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-8s %(name)s - %(message)s"
    )
    app = build_app(settings.actions_token)
    # Load the Danish word list now (about 2 s), not in the first citizen's form answer.
    is_known_word("hej")
    # The citizen catalogue: the repository's now, the live one as soon as the case service
    # answers (actions/faq_catalogue.py polls it from here on).
    get_catalogue()
    host = settings.actions_host
    if host not in LOOPBACK:
        logger.warning(
            "action server listens on %s, not loopback: only the network policy and %s keep "
            "other callers out",
            host,
            TOKEN_HEADER,
        )
    logger.info("action server on http://%s:%s", host, args.port)
    app.run(host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
