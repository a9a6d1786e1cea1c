"""Rasa patches for training only (issue 16: a retrain after one changed entry in ≤ 30 s).

Installed by ``bot.nlu.training_progress`` (the command ``./kk run`` trains with) before Rasa
starts; a bare `rasa train` runs without them and gives the same model.

- ``validate_yaml_schema``: Rasa checks every YAML file (the NLU data, stories, rules, the
  domain) against its schema each time it reads one, several times per training (its own data
  validation, then the training graph), by parsing it a second time with ruamel's round-trip
  loader and running pykwalify: ~5 s of CPU per training for this bot's ~30 files. Whether a text
  passes is a function of the text, the schema and Rasa's version, so a text that passed once is
  not checked again: in this process and, through a file of hashes beside the e5 vectors
  (``var/e5-cache/rasa-valid-yaml.txt``; ``KK_E5_CACHE_DIR`` as there, ``off`` keeps none), in
  later trainings. A text that fails is checked (and fails) every time; a changed file is a new
  text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

VALID_YAML_FILE = "rasa-valid-yaml.txt"
_installed = False


def _valid_yaml_file() -> Path | None:
    from bot.nlu.retrieval_classifier import TRAINING_VECTOR_CACHE
    from kkshared.catalogue_yaml import REPO_ROOT
    from kkshared.retrieval.dense import training_cache_dir

    directory = training_cache_dir(REPO_ROOT / TRAINING_VECTOR_CACHE)
    return directory / VALID_YAML_FILE if directory is not None else None


class ValidYaml:
    """Hashes of (Rasa's version, schema, text) that passed ``validate_yaml_schema``."""

    def __init__(self, path: Path | None) -> None:
        from rasa import __version__

        self.path = path
        self._rasa = __version__
        self._known: set[str] = set()
        if path is not None and path.is_file():
            self._known = set(path.read_text(encoding="ascii", errors="replace").split())

    def key(self, content: str, schema_path: str, package_name: str) -> str:
        parts = (self._rasa, package_name, schema_path, content)
        return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()

    def __contains__(self, key: str) -> bool:
        return key in self._known

    def add(self, key: str) -> None:
        self._known.add(key)
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="ascii") as handle:
                handle.write(key + "\n")
        except OSError:  # a read-only checkout: checked again next time
            pass


def remembering(validate: Callable[..., None], valid: ValidYaml) -> Callable[..., None]:
    """``validate`` (Rasa's ``validate_yaml_schema``) skipped for texts that passed before."""

    def validate_yaml_schema(
        yaml_file_content: str, schema_path: str, package_name: str = "rasa", **kwargs: Any
    ) -> None:
        if kwargs:  # a signature this patch does not know: Rasa's own check
            validate(yaml_file_content, schema_path, package_name, **kwargs)
            return
        key = valid.key(yaml_file_content, schema_path, package_name)
        if key in valid:
            return
        validate(yaml_file_content, schema_path, package_name)
        valid.add(key)

    return validate_yaml_schema


def install() -> None:
    """Install the patches in this process (once)."""
    global _installed
    if _installed:
        return
    import rasa
    import rasa.shared.utils.validation as validation

    from bot.rasa_patches import check_rasa_version, patch_target

    check_rasa_version(rasa.__version__)
    validate = patch_target(
        validation, "validate_yaml_schema", "rasa.shared.utils.validation.validate_yaml_schema"
    )
    validation.validate_yaml_schema = remembering(validate, ValidYaml(_valid_yaml_file()))
    _installed = True
