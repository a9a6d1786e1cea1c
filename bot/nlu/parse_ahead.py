"""Classify a message in a worker thread before it enters Rasa's pipeline.

Rasa 3.6 runs the NLU pipeline synchronously on the server's one event loop, so while the e5
encoder works on one message (10-40 ms of CPU) no other conversation moves. The encoder is C
code called through ctypes, which releases the GIL, so the same work in a thread runs on the
second core while the event loop serves other conversations.

The channels (``bot/channels/base.py``, ``bot/channels/sms.py``) await ``classify_ahead(text)``
right before they hand the message to Rasa; the classifier's ``process`` then takes that result
with ``take`` instead of computing it again. Each result is computed for one message and used
once: this is not a cache, and a message nobody classified ahead (Rasa's ``/model/parse``, a
button payload, a failure in the thread) is classified inline exactly as before.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

logger = logging.getLogger(__name__)

# Texts classified ahead but never taken (the message failed before NLU) are dropped oldest first
# beyond this many; far more than the messages in flight at once.
MAX_WAITING = 512


class AheadClassifier(Protocol):
    def classify_text(self, text: str) -> dict[str, Any]: ...


_lock = threading.Lock()
_active: Callable[[], AheadClassifier | None] | None = None
_waiting: OrderedDict[tuple, list[dict[str, Any]]] = OrderedDict()
_executor: ThreadPoolExecutor | None = None


def register(classifier: AheadClassifier) -> None:
    """Make ``classifier`` the one messages are classified ahead for (the loaded model's)."""
    global _active, _executor
    with _lock:
        _active = weakref.ref(classifier)
        _waiting.clear()
        if _executor is None:
            # One thread: the event loop has one core, the encoder the other.
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kk-nlu-ahead")


def unregister() -> None:
    global _active
    with _lock:
        _active = None
        _waiting.clear()


def _key(classifier: AheadClassifier, text: str) -> tuple:
    return (id(classifier), text)


async def classify_ahead(text: str) -> None:
    """Classify ``text`` in the worker thread and keep the result for the classifier's
    ``process``."""
    classifier = _active() if _active is not None else None
    if classifier is None or _executor is None or not text or text.startswith("/"):
        return
    try:
        result = await asyncio.get_running_loop().run_in_executor(
            _executor, classifier.classify_text, text
        )
    except Exception as error:  # the inline classification will meet and report the same problem
        logger.warning("classifying ahead failed: %s", type(error).__name__)
        return
    with _lock:
        if _active is None or _active() is not classifier:
            return  # a new model was loaded meanwhile
        _waiting.setdefault(_key(classifier, text), []).append(result)
        while len(_waiting) > MAX_WAITING:
            _waiting.popitem(last=False)


def take(classifier: AheadClassifier, text: str) -> dict[str, Any] | None:
    """The result classified ahead for ``text`` by ``classifier``, once; None if there is none."""
    key = _key(classifier, text)
    with _lock:
        results = _waiting.get(key)
        if not results:
            return None
        result = results.pop(0)
        if not results:
            del _waiting[key]
        return result
