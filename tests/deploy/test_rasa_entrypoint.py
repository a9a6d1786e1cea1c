"""deploy/docker/rasa_entrypoint.py: the Rasa image starts `rasa run` as `./kk run` does, with
--cors from KK_CORS_ORIGINS, and names a missing endpoints variable before Rasa loads."""

from __future__ import annotations

import re

import pytest

from tests.deploy.conftest import DEPLOY, DOCKER, REPO, dockerfile_instructions, entrypoint

ENDPOINTS = DEPLOY / "rasa" / "endpoints.yml"
FULL_ENV = {
    "KK_ACTIONS_URL": "http://kk-actions:5055/webhook",
    "KK_ACTIONS_TOKEN": "t" * 32,
    "KK_EVENTS_DB_URL": "postgresql://u:p@db:5432/kk_events",
}


def test_rasa_run_command_like_kk_run():
    module = entrypoint()
    cmd = module.rasa_command(
        {**FULL_ENV, "KK_CORS_ORIGINS": "https://a.example.dk, https://b.example.dk"},
        ["--debug"],
        ENDPOINTS,
    )
    assert cmd[:4] == ["python", "-m", "bot.rasa_launcher", "run"]
    flags = dict(zip(cmd[4:14:2], cmd[5:14:2], strict=True))
    assert flags == {
        "--model": "/app/models/kk.tar.gz",
        "--endpoints": str(ENDPOINTS),
        "--credentials": "/app/bot/credentials.yml",
        "--interface": "0.0.0.0",
        "--port": "5005",
    }
    assert cmd[14:] == ["--debug", "--cors", "https://a.example.dk", "https://b.example.dk"]
    # The same flags as tools/run_system.py's Rasa command (the interface aside).
    source = (REPO / "tools" / "run_system.py").read_text()
    kk_run_flags = set(re.findall(r'"(--[a-z-]+)"', source.split('"run",', 1)[1].split("]", 1)[0]))
    assert kk_run_flags <= set(cmd)


def test_no_origins_means_no_cross_origin_calls_and_a_wildcard_is_refused():
    module = entrypoint()
    assert module.rasa_command(FULL_ENV, [], ENDPOINTS)[-1] == "--cors"
    with pytest.raises(module.SettingsError, match="never"):
        module.rasa_command({**FULL_ENV, "KK_CORS_ORIGINS": "https://a.dk *"}, [], ENDPOINTS)


def test_a_missing_endpoints_variable_is_named():
    module = entrypoint()
    env = dict(FULL_ENV, KK_EVENTS_DB_URL=" ")
    with pytest.raises(module.SettingsError, match="KK_EVENTS_DB_URL"):
        module.rasa_command(env, [], ENDPOINTS)
    assert module.endpoint_variables("a: ${X}  # not ${Y}\n# ${Z}\nb: x#${W}") == ["X", "W"]


def test_the_paths_it_names_exist_in_the_image():
    module = entrypoint()
    copies = {
        rest.split()[-1].rstrip("/")
        for word, rest in dockerfile_instructions(DOCKER / "rasa.Dockerfile")
        if word == "COPY"
    }
    app = module.APP
    for path in (module.ENDPOINTS, module.CREDENTIALS):
        relative = path.relative_to(app)
        assert str(relative) in copies or str(relative.parts[0]) in copies, path
    assert module.MODEL == app / "models" / "kk.tar.gz"  # rasa train --out models ... kk
    assert (
        'ENTRYPOINT ["python", "/app/deploy/docker/rasa_entrypoint.py"]'
        in (DOCKER / "rasa.Dockerfile").read_text()
    )
