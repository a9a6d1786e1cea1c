"""checkov (the policy linter) over deploy/: Kubernetes manifests, Dockerfiles, committed
secrets. Every policy it skips is in deploy/.checkov.yaml with its reason; at most a handful."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import yaml

from tests.deploy.conftest import DEPLOY, REPO, documents

CONFIG = DEPLOY / ".checkov.yaml"
MAX_SKIPS = 5


@cache
def checkov_results() -> list[dict]:
    checkov = Path(sys.executable).with_name("checkov")
    done = subprocess.run(
        [str(checkov), "--config-file", str(CONFIG), "-d", "deploy", "-o", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.stdout.strip(), f"checkov printed nothing (exit {done.returncode}): {done.stderr}"
    data = json.loads(done.stdout)
    return data if isinstance(data, list) else [data]


def skips_with_reasons() -> dict[str, str]:
    """{check id: the comment lines above it} from deploy/.checkov.yaml's skip-check list."""
    found, comment = {}, []
    lines = CONFIG.read_text().split("skip-check:", 1)[1].splitlines()
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("#"):
            comment.append(stripped.lstrip("# "))
        elif stripped.startswith("- "):
            found[stripped[2:].strip()] = " ".join(comment)
            comment = []
    return found


def test_checkov_finds_no_failed_policy():
    reports = checkov_results()
    frameworks = {r.get("check_type") for r in reports}
    assert {"kubernetes", "dockerfile"} <= frameworks, f"checkov scanned only {frameworks}"
    failed = [
        f"{r['check_type']}: {c['check_id']} {c['check_name']} ({c['file_path']}, "
        f"{c.get('resource')})"
        for r in reports
        for c in r["results"]["failed_checks"]
    ]
    assert not failed, "checkov failed policies:\n" + "\n".join(failed)
    passed = sum(len(r["results"]["passed_checks"]) for r in reports)
    assert passed > 100, f"only {passed} checks ran: did checkov find the files?"


def test_checkov_scans_every_manifest_and_dockerfile():
    reports = {r["check_type"]: r for r in checkov_results()}
    scanned = {
        kind: {Path(c["file_path"]).name for c in reports[kind]["results"]["passed_checks"]}
        for kind in ("kubernetes", "dockerfile")
    }
    with_pods = {
        name for name, doc in documents() if doc["kind"] in ("Deployment", "Job", "CronJob")
    }
    assert with_pods and with_pods <= scanned["kubernetes"]
    assert {p.name for p in (DEPLOY / "docker").glob("*.Dockerfile")} <= scanned["dockerfile"]


def test_every_skipped_policy_has_a_reason_and_they_are_few():
    config = yaml.safe_load(CONFIG.read_text())
    skips = skips_with_reasons()
    assert sorted(skips) == sorted(config["skip-check"])
    assert len(skips) <= MAX_SKIPS, f"{len(skips)} skipped policies; at most {MAX_SKIPS}"
    for check, reason in skips.items():
        assert re.fullmatch(r"CKV2?_[A-Z0-9]+_\d+", check), check
        assert check in reason and len(reason) > 80, f"{check}: no reason above it"
