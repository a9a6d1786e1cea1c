"""The citizen classifier of the trained model, loaded as the Rasa server loads it (shared by the
bot tests that need the real catalogue and calibration)."""

from __future__ import annotations

from pathlib import Path

from bot_paths import MODEL
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage

from bot.nlu.retrieval_classifier import DanishRetrievalClassifier


def load_trained_classifier(directory: Path) -> DanishRetrievalClassifier:
    """``MODEL``'s DanishRetrievalClassifier, unpacked into ``directory``."""
    storage, metadata = LocalModelStorage.from_model_archive(directory, MODEL)
    [node] = [
        node
        for node in metadata.predict_schema.nodes.values()
        if node.uses is DanishRetrievalClassifier
    ]
    assert node.resource is not None
    context = ExecutionContext(metadata.predict_schema, metadata.model_id)
    return DanishRetrievalClassifier.load(node.config, storage, node.resource, context)
