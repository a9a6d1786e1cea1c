"""deploy/docker/*.Dockerfile: pinned bases of the venvs' Python, installs only from the
committed locks with hashes, the project without dependencies, non-root, health checks on the
processes' health URLs, the Rasa model trained as `./kk run` trains it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.deploy.conftest import (
    DOCKER,
    PROCESSES,
    REPO,
    dockerfile_instructions,
    image_env,
    stages,
    system_defaults,
)
from tools import run_system, venvs

DOCKERFILES = {key: names["dockerfile"] for key, names in PROCESSES.items()}
LOCK_OF = {"api": venvs.API, "rasa": venvs.BOT, "actions": venvs.BOT}
BASE = re.compile(r"^python:(?P<minor>3\.\d+)\.\d+-slim-bookworm$")


def run_lines(process: str) -> list[str]:
    return [
        rest
        for word, rest in dockerfile_instructions(DOCKER / DOCKERFILES[process])
        if word == "RUN"
    ]


def test_every_process_has_a_dockerfile():
    assert sorted(p.name for p in DOCKER.glob("*.Dockerfile")) == sorted(DOCKERFILES.values())


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_base_images_are_exact_python_versions_of_the_venv(process):
    """Every stage FROM python:<x.y.z>-slim-bookworm, x.y being the venv's Python."""
    want = "{}.{}".format(*LOCK_OF[process].version)
    for stage in stages(DOCKER / DOCKERFILES[process]):
        image = stage[0][1].split()[0]
        match = BASE.match(image)
        assert match, f"{DOCKERFILES[process]}: FROM {image} is not an exact slim-bookworm tag"
        assert match["minor"] == want


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_packages_come_only_from_the_lock_with_hashes_then_the_project(process):
    spec = LOCK_OF[process]
    dockerfile = DOCKER / DOCKERFILES[process]
    copies = [rest.split() for word, rest in dockerfile_instructions(dockerfile) if word == "COPY"]
    lock_copy = [c for c in copies if c[0] == f"requirements/{spec.lock.name}"]
    assert lock_copy, f"{dockerfile.name} does not copy requirements/{spec.lock.name}"
    lock_in_image = lock_copy[0][1]
    installs = [r for r in run_lines(process) if "pip install" in r]
    assert len(installs) == 2, f"{dockerfile.name}: exactly two pip installs, got {installs}"
    first = shlex.split(installs[0].split("&&")[0])
    assert "--require-hashes" in first and "--no-deps" in first
    assert first[first.index("-r") + 1] == lock_in_image
    second = shlex.split(installs[1].split("&&")[0])
    assert second[-1] == "." and "--no-deps" in second and "--no-build-isolation" in second
    assert "-e" not in second


@pytest.mark.parametrize("lock", [venvs.API.lock, venvs.BOT.lock])
def test_every_pin_of_the_locks_has_a_hash(lock):
    """`--require-hashes` refuses a lock with an unhashed pin; say which one here."""
    text = lock.read_text().replace("\\\n", " ")
    pins = [line for line in text.splitlines() if line[:1].isalnum()]
    assert pins
    unhashed = [p.split()[0] for p in pins if "--hash=sha256:" not in p]
    assert not unhashed, f"{lock.name}: pins without a hash: {unhashed}"


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_copied_sources_exist_and_are_not_ignored(process):
    ignored = {
        line.strip().strip("/")
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venvs", "var", "models", ".git"} <= ignored
    for word, rest in dockerfile_instructions(DOCKER / DOCKERFILES[process]):
        if word != "COPY" or rest.startswith("--from="):
            continue
        *sources, _target = rest.split()
        for source in sources:
            path = REPO / source
            assert path.exists(), f"{DOCKERFILES[process]}: COPY {source} does not exist"
            assert source.split("/")[0] not in ignored


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_images_run_as_a_numeric_non_root_user(process):
    final = stages(DOCKER / DOCKERFILES[process])[-1]
    users = [rest for word, rest in final if word == "USER"]
    assert users, f"{DOCKERFILES[process]}: no USER in the final stage"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit() and int(uid) >= 10000 and (not gid or int(gid) >= 10000)
    # Nothing runs as root after the switch (no USER root later, no RUN after USER).
    after = final[[w for w, _ in final].index("USER") :]
    assert not [w for w, _ in after if w == "RUN"]


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_healthcheck_and_port_are_the_processes(process):
    want = system_defaults()[process]
    final = stages(DOCKER / DOCKERFILES[process])[-1]
    (expose,) = [rest for word, rest in final if word == "EXPOSE"]
    assert int(expose.split("/")[0]) == want["port"]
    (health,) = [rest for word, rest in final if word == "HEALTHCHECK"]
    assert f"http://127.0.0.1:{want['port']}{want['health']}'" in health
    if want["body"]:
        assert repr(want["body"].encode()) in health or want["body"] in health


def test_case_service_listens_on_every_interface_with_workers():
    (cmd,) = [rest for word, rest in stages(DOCKER / "api.Dockerfile")[-1] if word == "CMD"]
    args = shlex.split(cmd.strip("[]").replace(",", " "))
    assert args[:2] == ["uvicorn", "api.main:app"]
    assert args[args.index("--host") + 1] == "0.0.0.0"
    assert args[args.index("--port") + 1] == str(system_defaults()["api"]["port"])
    assert image_env("api.Dockerfile")["WEB_CONCURRENCY"] == "2"


def test_action_server_listens_on_every_interface():
    env = image_env("actions.Dockerfile")
    assert env["KK_ACTIONS_HOST"] == "0.0.0.0"
    assert env["KK_ACTIONS_PORT"] == str(system_defaults()["actions"]["port"])


def train_command_of_kk_run() -> list[str]:
    """The `rasa train` arguments of tools/run_system.py (train_model: rasa_train_command),
    with the model written to models/ as in the image."""
    from tools.run_system import rasa_train_command

    return rasa_train_command(Path("models"))[1:]


def test_rasa_image_trains_the_model_as_kk_run_does():
    (train,) = [r for r in run_lines("rasa") if "rasa train" in r]
    words = shlex.split(train.split("&&")[0])
    args = words[words.index("/opt/venv/bin/rasa") + 1 :]
    assert args == train_command_of_kk_run()
    assert "KK_SEEDS_DIR=/opt/kk/seeds" in words
    assert "test -f models/kk.tar.gz" in train


def test_rasa_image_holds_every_training_input():
    """What tools/run_system.py hashes as training inputs is copied (the seeds come from the
    `seeds` build context)."""
    inputs = {
        path.relative_to(run_system.REPO).as_posix()
        for path in run_system.TRAIN_INPUTS
        if path.is_relative_to(run_system.REPO)
    }
    assert {"config.yml", "bot", "kkshared/edit_distance.py"} <= inputs
    copied = []
    for word, rest in dockerfile_instructions(DOCKER / "rasa.Dockerfile"):
        if word == "COPY" and not rest.startswith("--from="):
            copied += [s.rstrip("/") for s in rest.split()[:-1]]
    for path in inputs:
        assert any(path == c or path.startswith(c + "/") for c in copied), path
    assert "COPY --from=seeds . /opt/kk/seeds" in (DOCKER / "rasa.Dockerfile").read_text()
