"""Seed-driven evaluation with three rates: right, honest "don't know", confident-wrong.

The sets in eval/seed_sets/ were written from the source documents alone (eval/seed_sets/README.md)
in the item format of ``../shared/eval`` and are scored with that directory's matching rules
(``score.py``: ``matches``, ``bot_text``), over the same interfaces as the outside measurement:

- citizen and oos items: a fresh REST conversation, "hej" first, the item's text second (scored);
- staff items via the bot: the kk channel as ``demo-sagsbehandler``, "jeg har et juridisk
  spørgsmål" first; via the API: ``POST /legal/ask``.

An item is *right* when its keywords match (score.py); otherwise *don't know* when the reply is an
honest "don't know", a refusal or a handover offer (recognised by the bot's own response texts,
or the legal API's status ``refused``/``clarify``); otherwise *confident-wrong*.

Start the system (``./kk run``), then for example:

    .venvs/bot/bin/python -m bench.seed_eval.run_eval --set citizen_central_dev --show-misses
    .venvs/bot/bin/python -m bench.seed_eval.run_eval --all   # every set, writes the report

Misses are printed only for development sets (``--show-misses`` is refused for held-out sets):
held-out sets are reported, never read to change the assistant. ``--all`` writes
docs/seed_eval.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import yaml

from bench.citizen.run_eval import identify, response_signatures

ROOT = Path(__file__).resolve().parents[2]
SETS_DIR = ROOT / "eval" / "seed_sets"
REPORT = ROOT / "docs" / "seed_eval.md"
SCORER = Path(os.environ.get("KK_SHARED_EVAL", ROOT.parent / "shared" / "eval")) / "score.py"

# (set name, file, audiences, via): the development and held-out parts of each set.
SETS: dict[str, tuple[str, str, str]] = {
    "citizen_central_dev": ("citizen/central_dev.yml", "citizen,oos", "bot"),
    "citizen_central_heldout": ("citizen/central_heldout.yml", "citizen,oos", "bot"),
    "citizen_spread_dev": ("citizen/spread_dev.yml", "citizen,oos", "bot"),
    "citizen_spread_heldout": ("citizen/spread_heldout.yml", "citizen,oos", "bot"),
    # Second development parts (written later from the seeds, eval/seed_sets/README.md).
    "citizen_central_dev2": ("citizen/central_dev2.yml", "citizen,oos", "bot"),
    "citizen_spread_dev2": ("citizen/spread_dev2.yml", "citizen,oos", "bot"),
    # Third pair, central and spread facts mixed, split at random (eval/seed_sets/README.md).
    "citizen_mixed_dev3": ("citizen/mixed_dev3.yml", "citizen,oos", "bot"),
    "citizen_mixed_heldout3": ("citizen/mixed_heldout3.yml", "citizen,oos", "bot"),
    # Fourth pair (session 12), written like the third, split at random (eval/seed_sets/README.md).
    "citizen_mixed_dev4": ("citizen/mixed_dev4.yml", "citizen,oos", "bot"),
    "citizen_mixed_heldout4": ("citizen/mixed_heldout4.yml", "citizen,oos", "bot"),
    # Fifth pair (session 16), two thirds central facts, split at random
    # (eval/seed_sets/fifth_pair_notes.md).
    "citizen_central_dev5": ("citizen/central_dev5.yml", "citizen,oos", "bot"),
    "citizen_central_heldout5": ("citizen/central_heldout5.yml", "citizen,oos", "bot"),
    # English for citizens (issue 20): English questions, keywords an English reply contains.
    "english_dev": ("english/english_dev.yml", "citizen,oos", "bot"),
    "english_heldout": ("english/english_heldout.yml", "citizen,oos", "bot"),
    "english_dev2": ("english/english_dev2.yml", "citizen,oos", "bot"),
    # Second English pair (session 12), split at random (eval/seed_sets/english/README.md).
    "english_dev3": ("english/english_dev3.yml", "citizen,oos", "bot"),
    "english_dev4": ("english/english_dev4.yml", "citizen,oos", "bot"),
    "english_heldout2": ("english/english_heldout2.yml", "citizen,oos", "bot"),
    "legal_dev_api": ("legal/legal_dev.yml", "staff", "api"),
    "legal_dev_bot": ("legal/legal_dev.yml", "staff", "bot"),
    "legal_heldout_api": ("legal/legal_heldout.yml", "staff", "api"),
    "legal_heldout_bot": ("legal/legal_heldout.yml", "staff", "bot"),
    "legal_dev2_api": ("legal/legal_dev2.yml", "staff", "api"),
    "legal_dev2_bot": ("legal/legal_dev2.yml", "staff", "bot"),
    # Third legal pair, less central points, split by a recorded coin (legal/README.md).
    "legal_dev3_api": ("legal/legal_dev3.yml", "staff", "api"),
    "legal_dev3_bot": ("legal/legal_dev3.yml", "staff", "bot"),
    "legal_heldout3_api": ("legal/legal_heldout3.yml", "staff", "api"),
    "legal_heldout3_bot": ("legal/legal_heldout3.yml", "staff", "bot"),
    # Fifth legal pair (session 16), a third long situation-first questions, split at random
    # (eval/seed_sets/legal_fifth_pair_notes.md).
    "legal_dev5_api": ("legal/legal_dev5.yml", "staff", "api"),
    "legal_dev5_bot": ("legal/legal_dev5.yml", "staff", "bot"),
    "legal_heldout5_api": ("legal/legal_heldout5.yml", "staff", "api"),
    "legal_heldout5_bot": ("legal/legal_heldout5.yml", "staff", "bot"),
}

# Responses that say "I don't know", refuse, or hand over to a person (bot/domain/*.yml).
DONT_KNOW_PREFIXES = (
    "utter_dont_know",
    "utter_clarify_",
    "utter_ask_rephrase",
    "utter_default",
    "utter_handover_",
    "utter_oos_",
    "utter_prompt_injection",
    "utter_ask_others_data",
    "utter_ask_staff_private",
    "utter_english",
    "utter_legal_clarify",
    "utter_legal_unsure",
    "utter_legal_refused_answer",
    # "Jeg har ingen juridisk note om netop det. I kilden ... står der ..." with the offer to ask
    # the lawyers: a refusal, as the legal API's status "refused" for the same answer.
    "utter_legal_source_passage",
    "utter_legal_unavailable",
)
LEGAL_DONT_KNOW_STATUSES = {"refused", "clarify"}
RIGHT, DONT_KNOW, WRONG = "right", "don't know", "confident-wrong"


def load_scorer() -> ModuleType:
    """The outside measurement's scorer (``../shared/eval/score.py``), imported as it is."""
    spec = importlib.util.spec_from_file_location("kk_shared_score", SCORER)
    if spec is None or spec.loader is None or not SCORER.exists():
        raise SystemExit(f"scorer not found at {SCORER} (set KK_SHARED_EVAL)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Outcome:
    item: dict
    verdict: str
    reply: str
    seconds: float


class Evaluator:
    def __init__(self, rasa_url: str, api_url: str) -> None:
        self.score = load_scorer()
        self.score.RASA, self.score.API = rasa_url, api_url
        self.signatures = response_signatures()
        self._staff_token: str | None = None

    @property
    def staff_token(self) -> str:
        if self._staff_token is None:
            self._staff_token = self.score.login("demo-sagsbehandler")
            if not self._staff_token:
                raise SystemExit("demo login as demo-sagsbehandler failed (is KK_DEMO_MODE on?)")
        return self._staff_token

    def _dont_know_reply(self, messages: list[dict]) -> bool:
        for message in messages:
            name = identify(message.get("text") or "", self.signatures)
            if name.startswith(DONT_KNOW_PREFIXES):
                return True
        return False

    def ask(self, item: dict, via: str) -> Outcome:
        """One item over the outside measurement's protocol (score.py)."""
        post, start = self.score.post, time.perf_counter()
        if item["audience"] == "staff" and via == "api":
            code, body = post(
                f"{self.score.API}/legal/ask", {"question": item["text"]}, self.staff_token
            )
            reply = json.dumps(body, ensure_ascii=False) if isinstance(body, dict) else ""
            unsure = isinstance(body, dict) and body.get("status") in LEGAL_DONT_KNOW_STATUSES
        else:
            sender = f"eval-{uuid.uuid4().hex}"
            if item["audience"] == "staff":
                url, token, opener = (
                    f"{self.score.RASA}/webhooks/kk/webhook",
                    self.staff_token,
                    "jeg har et juridisk spørgsmål",
                )
            else:
                url, token, opener = f"{self.score.RASA}/webhooks/rest/webhook", None, "hej"
            post(url, {"sender": sender, "message": opener}, token)
            code, body = post(url, {"sender": sender, "message": item["text"]}, token)
            messages = body if isinstance(body, list) else []
            reply = self.score.bot_text(messages)
            unsure = self._dont_know_reply(messages)
        seconds = time.perf_counter() - start
        if code == 200 and self.score.matches(item, reply):
            verdict = RIGHT
        elif code == 200 and unsure:
            verdict = DONT_KNOW
        else:
            verdict = WRONG
        return Outcome(item, verdict, reply, seconds)


def rates(outcomes: list[Outcome]) -> dict[str, float]:
    counts = Counter(o.verdict for o in outcomes)
    n = len(outcomes) or 1
    return {v: counts[v] / n for v in (RIGHT, DONT_KNOW, WRONG)}


def row(label: str, outcomes: list[Outcome]) -> str:
    r = rates(outcomes)
    counts = Counter(o.verdict for o in outcomes)
    return (
        f"| {label} | {len(outcomes)} | {counts[RIGHT]} ({r[RIGHT]:.0%}) | "
        f"{counts[DONT_KNOW]} ({r[DONT_KNOW]:.0%}) | {counts[WRONG]} ({r[WRONG]:.0%}) |"
    )


def run_set(evaluator: Evaluator, name: str) -> dict[str, list[Outcome]]:
    file, audiences, via = SETS[name]
    items = yaml.safe_load((SETS_DIR / file).read_text(encoding="utf-8"))["items"]
    wanted = set(audiences.split(","))
    by_audience: dict[str, list[Outcome]] = {}
    for item in items:
        if item["audience"] in wanted:
            by_audience.setdefault(item["audience"], []).append(evaluator.ask(item, via))
    return by_audience


ENGLISH_PREFIX = "english_"
ENGLISH_SECTION = (
    "## English (issue 20)",
    "",
    'English questions in a new REST conversation ("hej" first, so the conversation starts',
    "Danish and the question itself switches it); keywords an English reply contains",
    "(eval/seed_sets/english/README.md). Ranked against the catalogue's English versions",
    '(docs/answer_tiers.md, "English"; no tier 2 in English).',
)


def report(results: dict[str, dict[str, list[Outcome]]]) -> str:
    lines = [
        '# Seed-driven evaluation: right, honest "don\'t know", confident-wrong',
        "",
        "Generated by `.venvs/bot/bin/python -m bench.seed_eval.run_eval --all` against a running",
        "`./kk run`. Sets: eval/seed_sets/ (written from the source documents only; how, and how",
        "often each was looked at: eval/seed_sets/README.md). Matching: `../shared/eval/score.py`.",
        "Right = the keywords of every group match; don't know = an honest \"don't know\", a",
        "refusal or a handover offer (legal API: status refused/clarify); otherwise",
        "confident-wrong. Development sets drive changes; held-out sets are only reported.",
        "",
        "| set / audience | items | right | don't know | confident-wrong |",
        "| --- | --- | --- | --- | --- |",
    ]
    latencies = []
    english = {n: r for n, r in results.items() if n.startswith(ENGLISH_PREFIX)}
    for name, by_audience in results.items():
        if name in english:
            continue
        for audience, outcomes in sorted(by_audience.items()):
            lines.append(row(f"{name} / {audience}", outcomes))
            latencies += [o.seconds for o in outcomes]
    if english:
        lines += ["", *ENGLISH_SECTION, "", *lines[9:11]]
        for name, by_audience in english.items():
            for audience, outcomes in sorted(by_audience.items()):
                lines.append(row(f"{name} / {audience}", outcomes))
                latencies += [o.seconds for o in outcomes]
    if latencies:
        lines += [
            "",
            f"Median turn (both messages, or one API call): "
            f"{statistics.median(latencies) * 1000:.0f} ms over {len(latencies)} items.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", action="append", choices=sorted(SETS), default=[])
    parser.add_argument("--all", action="store_true", help="every set; writes docs/seed_eval.md")
    parser.add_argument("--show-misses", action="store_true", help="development sets only")
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    parser.add_argument("--api-url", default=os.environ.get("API_URL", "http://127.0.0.1:8000"))
    args = parser.parse_args()
    names = sorted(SETS) if args.all else args.set
    if not names:
        parser.error("name a --set or give --all")
    if args.show_misses and any("heldout" in n for n in names):
        parser.error("held-out sets are reported, never read: no --show-misses with them")
    evaluator = Evaluator(args.rasa_url, args.api_url)
    results = {}
    for name in names:
        results[name] = run_set(evaluator, name)
        for audience, outcomes in sorted(results[name].items()):
            r = rates(outcomes)
            print(
                f"{name} / {audience}: n={len(outcomes)} right {r[RIGHT]:.0%}, "
                f"don't know {r[DONT_KNOW]:.0%}, confident-wrong {r[WRONG]:.0%}"
            )
            if args.show_misses:
                for o in outcomes:
                    if o.verdict != RIGHT:
                        reply = o.reply[:260].replace("\n", " / ")
                        print(
                            f"  {o.verdict:15s} {o.item['id']} | {o.item['text']}\n    => {reply}"
                        )
    if args.all:
        REPORT.write_text(report(results), encoding="utf-8")
        print(f"wrote {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
