"""Training data, domain and config: `rasa data validate`, policies, and the test stories."""

from __future__ import annotations

import importlib
import re
import subprocess

import pytest
import yaml
from bot_paths import DATA_ARGS, MODEL, RASA, REPO_ROOT, rasa_env


def responses_sent_by_actions() -> set[str]:
    """Responses the validator cannot see being used: named in the action server's code, asked by
    forms (``utter_ask_<slot>``), or sent by Rasa itself."""
    named = set()
    for path in (REPO_ROOT / "actions").rglob("*.py"):
        code = path.read_text(encoding="utf-8")
        named |= set(re.findall(r"\"(utter_[a-z0-9_/]+)\"", code))
        # SubmitFormAction and AskConfirmAction (actions/forms/) name theirs after ``form = "x"``.
        for form in re.findall(r"^    form = \"([a-z_]+)\"", code, re.MULTILINE):
            named |= {f"utter_{form}_{end}" for end in ("sent", "not_sent", "maybe_sent")}
            named.add(f"utter_ask_{form}_confirm")
    for path in (REPO_ROOT / "bot" / "domain").glob("*.yml"):
        for form in (yaml.safe_load(path.read_text(encoding="utf-8")).get("forms") or {}).values():
            named |= {f"utter_ask_{slot}" for slot in form.get("required_slots") or []}
    return named | {"utter_default"}  # Rasa's action_default_fallback


SENT_BY_ACTIONS = responses_sent_by_actions()


def test_rasa_data_validate_is_clean_apart_from_action_responses() -> None:
    result = subprocess.run(
        [RASA, "data", "validate", *DATA_ARGS],
        cwd=REPO_ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    unused = set(re.findall(r"The utterance '([^']+)' is not used in any story or rule", output))
    assert unused <= SENT_BY_ACTIONS, f"responses never used: {sorted(unused - SENT_BY_ACTIONS)}"
    # Rasa quirk: the retrieval intent "faq" comes from nlu_data/faq/, so the story reader (which
    # sees only the domain files) warns about the faq rule; declaring "faq" in the domain instead
    # gives a "duplicated intents" warning. The faq rule's warning is the one accepted.
    problems = [
        line
        for line in output.splitlines()
        if "UserWarning" in line
        and "is not used in any story or rule" not in line
        and "Issue found in 'bot/data/rules/faq.yml'" not in line
        # Rasa adds the retrieval action utter_faq for the retrieval intent faq (nlu_data/faq/);
        # the domain has no catalogue responses any more: action_answer_faq renders the answers
        # from the live catalogue (actions/faq_answer.py), and no rule or story runs utter_faq.
        and "Action 'utter_faq' is listed as a response action in the domain file" not in line
        # Set by the classifier itself (answer tier 2, docs/answer_tiers.md): no examples.
        and "The intent 'source_answer' is listed in the domain file, but is not found" not in line
        # Set by the classifier (a language's name alone, or English examples in knowledge/nlu_en)
        # and by the web chat's switch payload: no Danish examples (bot/domain/language.yml).
        and "The intent 'set_language' is listed in the domain file, but is not found" not in line
        # Bot-initiated (the reminder job's trigger_intent) and reminder replies (the buttons'
        # payloads and the SMS digits 1/2/3, bot/domain/reminders.yml): never classified.
        and not re.search(
            r"The intent '(EXTERNAL_\w+|reminder_(confirm|cannot_attend|new_time))' is listed",
            line,
        )
    ]
    assert not problems, "\n".join(problems)
    assert output.count("Found intent 'faq' in stories which is not part of the domain") <= 1
    assert "conflict" not in output.lower() or "No story structure conflicts found" in output


def test_only_the_rule_policy() -> None:
    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text(encoding="utf-8"))
    assert [p["name"] for p in config["policies"]] == ["RulePolicy"]
    names = [c["name"] for c in config["pipeline"]]
    assert names[0] == "bot.nlu.danish_tokenizer.DanishNormalizingTokenizer"
    assert "FallbackClassifier" in names and names[-1] == "FallbackClassifier"
    assert any(c.get("retrieval_intent") == "faq" for c in config["pipeline"])


def _examples() -> list[tuple[str, str]]:
    """(intent, text) of every NLU training example."""
    examples = []
    for path in (REPO_ROOT / "nlu_data").rglob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            examples += [
                (block["intent"], line.strip()[2:])
                for line in block["examples"].splitlines()
                if line.strip().startswith("- ")
            ]
    return examples


def test_every_intent_has_enough_examples() -> None:
    counts: dict[str, int] = {}
    for intent, _ in _examples():
        counts[intent] = counts.get(intent, 0) + 1
    too_few = {intent: n for intent, n in counts.items() if n < 20}
    assert not too_few, too_few


def _training_texts() -> set[str]:
    from kkshared.normalize import fold

    return {" ".join(fold(text).split()) for _, text in _examples()}


@pytest.mark.parametrize(
    ("module", "function", "own_intent"),
    [
        ("bot.nlu.injection", "looks_like_injection", "prompt_injection"),
        ("bot.nlu.emergency", "looks_like_emergency", "faq/assistant_urgent_help"),
    ],
)
def test_the_guardrail_patterns_match_no_example_of_another_intent(
    module: str, function: str, own_intent: str
) -> None:
    matches = getattr(importlib.import_module(module), function)
    examples = _examples()
    wrongly = [
        (intent, text) for intent, text in examples if intent != own_intent and matches(text)
    ]
    assert len(examples) > 3000 and not wrongly, wrongly
    own = [text for intent, text in examples if intent == own_intent]
    # The patterns recognise their intent's frames; the rest of its examples are ranked.
    assert sum(map(matches, own)) >= (0.8 if own_intent == "prompt_injection" else 0.2) * len(own)


def test_no_evaluation_or_development_message_is_training_data() -> None:
    from kkshared.normalize import fold

    held_out = []
    for path in [
        *(REPO_ROOT / "eval" / "citizen").glob("*.yml"),
        REPO_ROOT / "bench" / "citizen" / "dev_messages.yml",
    ]:
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            messages = [item.get("message")] + [
                turn.get("user") for turn in item.get("turns") or []
            ]
            # Three words or fewer ("ja", "hej", "hvad er nytteindsats") are what anyone writes.
            held_out += [" ".join(fold(m).split()) for m in messages if m and len(m.split()) > 3]
    assert len(held_out) > 400
    training = _training_texts()  # once: built per message, this test took ~5 minutes
    leaked = [m for m in held_out if m in training]
    assert not leaked, leaked


@pytest.mark.skipif(
    not MODEL.exists(), reason="models/kk.tar.gz not trained (the test command trains first)"
)
def test_stories_with_real_user_text(tmp_path) -> None:
    result = subprocess.run(
        [
            RASA,
            "test",
            "core",
            "--model",
            str(MODEL),
            "--stories",
            "tests/bot/test_stories.yml",
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path / "results"),
        ],
        cwd=REPO_ROOT,
        env=rasa_env(KK_ACTIONS_PORT="25055"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    failed = tmp_path / "results" / "failed_test_stories.yml"
    details = failed.read_text(encoding="utf-8") if failed.exists() else output[-3000:]
    assert result.returncode == 0, details
