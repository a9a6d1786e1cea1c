"""Rasa patches for training (bot/nlu/training_patches.py): a YAML text that passed Rasa's schema
check is not checked again, a changed or failing text always is (issue 16)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import rasa.shared.utils.validation as validation
from rasa.shared.exceptions import YamlException

from bot.nlu.training_patches import ValidYaml, remembering

NLU_SCHEMA = "shared/nlu/training_data/schemas/nlu.yml"
GOOD = 'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hej\n'
BAD = 'version: "3.1"\nnlu:\n- intent: greet\n  examples: 42\n  unknown_key: x\n'


@pytest.fixture
def checked(monkeypatch) -> tuple[list[str], Callable[..., None]]:
    """The texts Rasa's own check was run on, and the counting stand-in for that check."""
    texts: list[str] = []
    original = validation.validate_yaml_schema

    def counting(content: str, schema: str, package: str = "rasa") -> None:
        texts.append(content)
        original(content, schema, package)

    return texts, counting


def test_a_valid_text_is_checked_once_also_across_trainings(tmp_path, checked) -> None:
    texts, counting = checked
    path = tmp_path / "valid.txt"
    validate = remembering(counting, ValidYaml(path))
    validate(GOOD, NLU_SCHEMA)
    validate(GOOD, NLU_SCHEMA)
    assert texts == [GOOD]
    # A later training (a new process) reads the file: not checked again ...
    remembering(counting, ValidYaml(path))(GOOD, NLU_SCHEMA)
    assert texts == [GOOD]
    # ... but a changed text is, and so is the same text under another schema.
    changed = GOOD + "    - goddag\n"
    remembering(counting, ValidYaml(path))(changed, NLU_SCHEMA)
    assert texts == [GOOD, changed]
    remembering(counting, ValidYaml(path))(GOOD, "shared/utils/schemas/domain.yml")
    assert texts == [GOOD, changed, GOOD]


def test_a_failing_text_fails_every_time(tmp_path, checked) -> None:
    texts, counting = checked
    validate = remembering(counting, ValidYaml(tmp_path / "valid.txt"))
    for _ in range(2):
        with pytest.raises(YamlException):
            validate(BAD, NLU_SCHEMA)
    assert texts == [BAD, BAD]
    assert not (tmp_path / "valid.txt").exists()


def test_another_rasa_version_checks_again(tmp_path, monkeypatch, checked) -> None:
    texts, counting = checked
    path = tmp_path / "valid.txt"
    remembering(counting, ValidYaml(path))(GOOD, NLU_SCHEMA)
    monkeypatch.setattr("rasa.__version__", "99.0.0")
    remembering(counting, ValidYaml(path))(GOOD, NLU_SCHEMA)
    assert texts == [GOOD, GOOD]
