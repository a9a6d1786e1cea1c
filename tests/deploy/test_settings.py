"""Every KK_* setting the processes need in production reaches them, from the ConfigMap or a
Secret (Kubernetes) or the env files and `environment` (compose), and nothing is misspelt.

Statically: the names against the code. Then the processes' own settings code parses exactly the
environment each container would get (the image's ENV, ConfigMap, Secret keys with sample
values) in the process's venv: the case service's start-up check, the Rasa server's settings and
endpoints (deploy/rasa/endpoints.yml), the action server's settings.
"""

from __future__ import annotations

import re

import pytest
import yaml

from tests.deploy.conftest import (
    DEPLOY,
    REPO,
    code_env_names,
    compose,
    compose_service_env,
    configmap,
    container_env,
    containers,
    endpoint_variables,
    generated_secret_names,
    image_env,
    k8s_container_env,
    make_secrets,
    run_in_venv,
    secret_template,
    workloads,
)

# The case service's settings and, for the server, its start-up check (api/core/config.py:
# assert_safe_for_startup; the migration and retention commands do not make it).
API_CHECK = """
import json, os
from api.core.config import Settings
s = Settings()
if os.environ.get("DEPLOY_CHECK_STARTUP"):
    s.assert_safe_for_startup()
print(json.dumps({"demo": s.demo_mode, "oidc": s.oidc is not None,
                  "sqlite": s.is_sqlite, "redis": bool(getattr(s, "redis_url", None))}))
"""
# The Rasa server: its settings, the endpoints file with every ${VAR} substituted, the lock store.
RASA_CHECK = """
import json, logging
logging.disable(logging.CRITICAL)
from bot.settings import load_settings
s = load_settings()
from rasa.core.utils import AvailableEndpoints
e = AvailableEndpoints.read_endpoints("deploy/rasa/endpoints.yml")
from bot.lock_store import KKLockStore
lock = KKLockStore(e.lock_store)
print(json.dumps({
    "demo": s.demo_mode, "oidc": s.oidc is not None, "cache": s.tracker_cache_size,
    "tracker": s.tracker_db_url.split(":")[0], "sms": s.sms.configured,
    "gateway": bool(s.sms.send_url), "jwt": bool(s.jwt_secret),
    "lock": type(lock.backend).__name__, "actions": e.action.url,
    "events": e.event_broker.url.split(":")[0],
}))
"""
ACTIONS_CHECK = """
import json
from actions.settings import load_settings
s = load_settings()
print(json.dumps({"token": len(s.actions_token), "host": s.actions_host, "port": s.actions_port,
                  "api": s.api_url}))
"""
# Retention and the migration only need to parse their settings.
BOT_RETENTION_CHECK = """
import json
from bot.settings import load_settings
s = load_settings()
print(json.dumps({"tracker": s.retention.db_url.split(":")[0]}))
"""


def manifest_kk_names() -> set[str]:
    names = set(configmap()["data"]) | set(secret_template()["stringData"])
    for workload in workloads().values():
        for container in containers(workload):
            names |= set(container_env(container))
    for service in compose()["services"].values():
        names |= set(service.get("environment") or {})
    for variables in make_secrets().env_files().values():
        names |= set(variables)
    for dockerfile in ("api.Dockerfile", "rasa.Dockerfile", "actions.Dockerfile"):
        names |= set(image_env(dockerfile))
    return {n for n in names if n.startswith("KK_")}


def test_every_kk_variable_we_set_is_read_by_the_code():
    """A misspelt name would be ignored silently and the default used."""
    unknown = sorted(manifest_kk_names() - code_env_names())
    # Passwords the postgres/redis containers read (deploy/postgres, the redis command).
    unknown = [
        n
        for n in unknown
        if n not in ("KK_TRACKER_DB_PASSWORD", "KK_EVENTS_DB_PASSWORD", "KK_REDIS_PASSWORD")
    ]
    assert not unknown, f"set in deploy/ but read by no process: {unknown}"


def test_secret_refs_name_keys_of_the_secret_and_every_key_is_used():
    keys = set(secret_template()["stringData"])
    used = set()
    for name, workload in workloads().items():
        for container in containers(workload):
            for variable, source in container_env(container).items():
                if source.startswith("secret:"):
                    secret, key = source[len("secret:") :].split("/")
                    assert secret == "kk-secrets" and key in keys, f"{name}: {variable}"
                    assert key == variable, f"{name}: {variable} from key {key}"
                    used.add(key)
    assert used == keys, f"keys no container reads: {sorted(keys - used)}"


def test_credentials_are_in_the_secret_never_in_the_configmap():
    """Everything `./kk run` generates as a secret (tools/run_system.py: SECRET_NAMES), and
    every URL with a password, is a Secret key."""
    keys = set(secret_template()["stringData"])
    assert set(generated_secret_names()) <= keys
    for key, value in configmap()["data"].items():
        assert not re.search(r"SECRET|TOKEN|PASSWORD|_KEY$", key), key
        assert "@" not in value, f"{key} looks like a URL with credentials"
    for key, value in secret_template()["stringData"].items():
        assert "<" in value, f"{key}: the template holds a real-looking value"


def test_rasa_gets_every_variable_of_its_endpoints_file():
    env = k8s_container_env("kk-rasa")
    assert endpoint_variables() <= set(env)
    compose_env = compose_service_env("rasa", SAMPLE_COMPOSE_ENV)
    assert endpoint_variables() <= set(compose_env)


def test_deploy_endpoints_differ_from_bot_endpoints_only_in_the_action_server_url():
    """deploy/rasa/endpoints.yml follows bot/endpoints.yml (tracker store, lock store, event
    broker); only the action server is elsewhere than 127.0.0.1."""
    ours = yaml.safe_load((DEPLOY / "rasa" / "endpoints.yml").read_text())
    theirs = yaml.safe_load((REPO / "bot" / "endpoints.yml").read_text())
    assert ours["action_endpoint"].pop("url") == "${KK_ACTIONS_URL}"
    assert "127.0.0.1" in theirs["action_endpoint"].pop("url")
    assert ours == theirs


# --- the real settings code -------------------------------------------------------------------


@pytest.mark.parametrize("workload", ["kk-api", "kk-migrate", "kk-retention-api"])
def test_case_service_starts_in_production_with_the_manifests(workload):
    env = k8s_container_env(workload)
    result = run_in_venv(
        "api", API_CHECK, {**env, "DEPLOY_CHECK_STARTUP": "1" if workload == "kk-api" else ""}
    )
    assert result["demo"] is False and result["oidc"] is True and result["sqlite"] is False
    if workload == "kk-api":
        assert result["redis"], "the rate limits shared by all workers need KK_REDIS_URL"


def test_rasa_settings_and_endpoints_load_with_the_manifests():
    result = run_in_venv("bot", RASA_CHECK, k8s_container_env("kk-rasa"))
    assert result == {
        "demo": False,
        "oidc": True,
        "cache": 0,  # several replicas share the tracker database
        "tracker": "postgresql",
        "sms": True,
        "gateway": True,
        "jwt": True,
        "lock": "RedisLockStore",
        "actions": "http://kk-actions:5055/webhook",
        "events": "postgresql",
    }


def test_action_server_settings_load_with_the_manifests():
    result = run_in_venv("bot", ACTIONS_CHECK, k8s_container_env("kk-actions"))
    assert result == {
        "token": result["token"],
        "host": "0.0.0.0",
        "port": 5055,
        "api": "http://kk-api:8000",
    }
    assert result["token"] >= 16


def test_bot_retention_settings_load_with_the_manifests():
    result = run_in_venv("bot", BOT_RETENTION_CHECK, k8s_container_env("kk-retention-bot"))
    assert result == {"tracker": "postgresql"}


# The operator's deploy/.env for compose (docs/deployment.md); any valid values.
SAMPLE_COMPOSE_ENV = {
    "KK_OIDC_CITIZEN_ISSUER": "https://citizen-idp.example.dk",
    "KK_OIDC_CITIZEN_AUDIENCE": "kk-assistenten",
    "KK_OIDC_STAFF_ISSUER": "https://staff-idp.example.dk",
    "KK_OIDC_STAFF_AUDIENCE": "kk-staff",
    "KK_OIDC_STAFF_ROLE_MAP": "KK.Sagsbehandler=staff",
}


@pytest.mark.parametrize("service", ["api", "migrate", "retention-api"])
def test_case_service_starts_in_production_with_compose(service):
    env = compose_service_env(service, SAMPLE_COMPOSE_ENV)
    result = run_in_venv(
        "api", API_CHECK, {**env, "DEPLOY_CHECK_STARTUP": "1" if service == "api" else ""}
    )
    assert result["demo"] is False and result["oidc"] is True and result["sqlite"] is False


def test_rasa_and_action_server_settings_load_with_compose():
    rasa = run_in_venv("bot", RASA_CHECK, compose_service_env("rasa", SAMPLE_COMPOSE_ENV))
    assert rasa["lock"] == "RedisLockStore" and rasa["cache"] == 0 and rasa["oidc"] is True
    assert rasa["actions"] == "http://actions:5055/webhook" and rasa["demo"] is False
    actions = run_in_venv("bot", ACTIONS_CHECK, compose_service_env("actions", {}))
    assert actions["host"] == "0.0.0.0" and actions["api"] == "http://api:8000"
    retention = run_in_venv(
        "bot", BOT_RETENTION_CHECK, compose_service_env("retention-bot", SAMPLE_COMPOSE_ENV)
    )
    assert retention == {"tracker": "postgresql"}
