"""The action server's own copy of the live citizen catalogue, which ``action_answer_faq``
renders answers from (actions/faq_answer.py).

At start it holds the catalogue in the repository (``knowledge/citizen/*.yml``, the reviewed
seed), so answers never depend on the case service being up. A daemon thread then polls the case
service's ``GET /catalogue/live`` every ``KK_CATALOGUE_POLL_SECONDS`` (``kkshared.catalogue_sync``,
the same client as the Rasa server's classifier) and swaps in each new revision with one
assignment. When the classifier has already ranked against a newer revision than this copy (it
says which in ``kk_answer.revision``), the copy asks right away and waits briefly, so an entry
published a moment ago is not answered with "don't know".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from actions.settings import load_settings
from kkshared.catalogue import CatalogueEntry, CatalogueSnapshot
from kkshared.catalogue_sync import FETCH_TIMEOUT_SECONDS, CatalogueClient, CatalogueSync
from kkshared.catalogue_yaml import CatalogueYamlError, read_seed

logger = logging.getLogger(__name__)

RETRIEVAL_INTENT = "faq"
# How long an answer may wait for a revision the classifier has and this copy not yet.
REFRESH_WAIT_SECONDS = FETCH_TIMEOUT_SECONDS + 0.5


def selected_faq(latest_message: Mapping[str, Any]) -> str | None:
    """The entry id the NLU picked for a message (``faq/<id>`` -> ``<id>``), if any."""
    selector = latest_message.get("response_selector") or {}
    selected = (selector.get(RETRIEVAL_INTENT) or {}).get("response") or {}
    key = str(selected.get("intent_response_key") or "")
    prefix = f"{RETRIEVAL_INTENT}/"
    return key[len(prefix) :] if key.startswith(prefix) else None


def ranked_revision(latest_message: Mapping[str, Any]) -> int | None:
    """The catalogue revision the classifier ranked a message against (tier 1 answers)."""
    revision = (latest_message.get("kk_answer") or {}).get("revision")
    return revision if isinstance(revision, int) else None


def _seed() -> CatalogueSnapshot:
    try:
        return read_seed(with_examples=False)
    except (CatalogueYamlError, OSError) as error:
        logger.error("catalogue in the repository not readable (%s)", type(error).__name__)
        return CatalogueSnapshot(0, ())


class LiveCatalogue:
    """The entries this process answers from; ``snapshot`` is replaced whole, never changed."""

    def __init__(self, snapshot: CatalogueSnapshot) -> None:
        self._take(snapshot)
        self.sync: CatalogueSync | None = None

    def _take(self, snapshot: CatalogueSnapshot) -> None:
        # One assignment: an answer reads one whole revision.
        self._state = (snapshot, snapshot.by_id())

    @property
    def revision(self) -> int:
        return self._state[0].revision

    def get(self, entry_id: str) -> CatalogueEntry | None:
        return self._state[1].get(entry_id)

    def start(self, api_url: str, service_token: str, interval: float) -> None:
        """Poll the case service in a daemon thread (no-op when ``interval`` is 0)."""
        if interval <= 0 or self.sync is not None:
            return
        self.sync = CatalogueSync(
            CatalogueClient(api_url, service_token, timeout=FETCH_TIMEOUT_SECONDS),
            self._take,
            interval=interval,
            revision=self.revision,
            name="kk-catalogue-actions",
        )
        self.sync.start()

    async def entry(self, entry_id: str, revision: int | None = None) -> CatalogueEntry | None:
        """The entry as of ``revision`` or later; when this copy is older or lacks the id, it
        asks the case service first (at most ``REFRESH_WAIT_SECONDS``)."""
        found = self.get(entry_id)
        behind = revision is not None and revision > self.revision
        if (found is None or behind) and self.sync is not None:
            wanted = revision if revision is not None else self.revision + 1
            await asyncio.get_running_loop().run_in_executor(
                None, self.sync.refresh, wanted, REFRESH_WAIT_SECONDS
            )
            found = self.get(entry_id)
        return found


_catalogue: LiveCatalogue | None = None


def get_catalogue() -> LiveCatalogue:
    """The process-wide copy: the repository's catalogue at first, then the live one (the poll
    starts on first use, from the settings)."""
    global _catalogue
    if _catalogue is None:
        _catalogue = LiveCatalogue(_seed())
        settings = load_settings()
        _catalogue.start(settings.api_url, settings.service_token, settings.catalogue_poll_seconds)
    return _catalogue


def reset_catalogue(catalogue: LiveCatalogue | None = None) -> None:
    """Replace the process-wide copy (tests); its poll thread, if any, is stopped."""
    global _catalogue
    if _catalogue is not None and _catalogue.sync is not None:
        _catalogue.sync.stop()
    _catalogue = catalogue
