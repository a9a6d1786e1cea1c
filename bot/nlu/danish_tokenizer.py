"""A whitespace tokenizer that normalises Danish user text before featurisation.

Citizens write "kontanthjælp", "kontanthjaelp" and "KONTANTHJÆLP" for the same word. This
tokenizer splits text like Rasa's ``WhitespaceTokenizer`` and then rewrites every token of the
user text through ``kkshared.normalize``, so both spellings reach the count-vector featurizers
as the same token. Token offsets still point into the original text, and the message text itself
is left untouched (it is what the tracker stores).

Modes (``mode`` in config.yml):
- ``fold``: lowercase, æ/ø/å → ae/oe/aa, accents stripped (``kkshared.normalize.fold``).
- ``restore``: ae/oe/aa → æ/ø/å where the Danish lexicon knows the word, then lowercase
  (``kkshared.normalize.restore_danish``).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from kkshared.normalize import fold, restore_danish

MODES = ("fold", "restore")


def normalize_token(text: str, mode: str) -> str:
    """The normalised form of one token in the given mode."""
    if mode == "restore":
        return restore_danish(text).lower()
    return fold(text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class DanishNormalizingTokenizer(WhitespaceTokenizer):
    """Whitespace tokenizer whose user-text tokens are Danish-normalised."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**WhitespaceTokenizer.get_default_config(), "mode": "fold"}

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self.mode = self._config.get("mode", "fold")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DanishNormalizingTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        if attribute != TEXT:
            return tokens
        normalized: list[Token] = []
        for token in tokens:
            form = normalize_token(token.text, self.mode) or token.text
            normalized.append(Token(form, token.start, token.end, token.data, form))
        return normalized
