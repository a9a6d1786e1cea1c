"""deploy/compose.yaml, its nginx load balancer and its secrets, without a container engine:
the structure, Debian's `docker-compose config` on the file, `nginx -t` and nginx itself (in
network and mount namespaces of its own) in front of stand-in upstreams, the PostgreSQL init
script on a throwaway cluster, deploy/make_secrets.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from tests.deploy.conftest import (
    DEPLOY,
    PROCESSES,
    REPO,
    compose,
    compose_service_env,
    debian_tool,
    make_secrets,
    system_defaults,
)
from tests.deploy.test_k8s_workloads import public_channels
from tests.deploy.test_settings import SAMPLE_COMPOSE_ENV

PROJECT_VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
NGINX_CONF = DEPLOY / "nginx" / "nginx.conf"
ONE_SHOT = {"migrate"}
LOOPS = {"retention-api", "retention-bot"}  # a shell loop; nothing to ask for health
OURS = {"api", "rasa", "actions", "migrate", "retention-api", "retention-bot"}


def services() -> dict[str, dict]:
    return compose()["services"]


def test_the_services_of_a_single_host():
    assert set(services()) == OURS | {"postgres", "redis", "nginx"}
    assert services()["rasa"]["deploy"]["replicas"] == 2
    assert services()["actions"]["deploy"]["replicas"] == 2
    assert services()["api"]["environment"]["WEB_CONCURRENCY"] == "2"
    assert services()["rasa"]["environment"]["KK_TRACKER_CACHE_SIZE"] == "0"
    assert services()["nginx"]["ports"] == ["${KK_HTTP_PORT:-8080}:8080"]
    published = [name for name, s in services().items() if s.get("ports")]
    assert published == ["nginx"], "only the load balancer is reachable from outside"


def test_images_are_pinned():
    for name, spec in services().items():
        image = spec["image"]
        repository, _, tag = image.rpartition(":")
        if name in OURS:
            assert re.fullmatch(r"kk-assistenten/kk-(api|rasa|actions)", repository), image
            assert tag == PROJECT_VERSION, image
        else:
            assert re.fullmatch(r"\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?", tag), f"{name}: {image}"


def test_every_long_running_service_has_a_healthcheck_and_dependencies_wait_for_it():
    for name, spec in services().items():
        if name in ONE_SHOT | LOOPS:
            continue
        check = spec.get("healthcheck")
        assert check and check["test"][0] in ("CMD", "CMD-SHELL"), name
        for key in ("interval", "timeout", "retries", "start_period"):
            assert key in check, f"{name}: healthcheck without {key}"
    for name, spec in services().items():
        for dependency, how in (spec.get("depends_on") or {}).items():
            condition = how["condition"]
            if dependency in ONE_SHOT:
                assert condition == "service_completed_successfully", f"{name} -> {dependency}"
            else:
                assert condition == "service_healthy", f"{name} -> {dependency}"
                assert "healthcheck" in services()[dependency]


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_healthchecks_use_the_processes_health_urls(process):
    want = system_defaults()[process]
    test = " ".join(services()[PROCESSES[process]["compose"]]["healthcheck"]["test"])
    assert f"http://127.0.0.1:{want['port']}{want['health']}'" in test
    if want["body"]:
        assert want["body"] in test


def test_our_containers_are_locked_down():
    for name in OURS | {"nginx", "redis"}:
        spec = services()[name]
        assert spec["read_only"] is True, name
        assert spec["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in spec["security_opt"], name
        assert any(t.startswith("/tmp") for t in spec["tmpfs"]), name
    assert services()["redis"]["user"] == "redis"  # its entrypoint drops root only by itself


def test_networks_separate_the_edge_the_bot_side_and_the_data():
    nets = {name: set(spec["networks"]) for name, spec in services().items()}
    assert nets["nginx"] == {"edge"}
    assert nets["actions"] == {"internal"}, "the action server: reached by Rasa only"
    assert nets["postgres"] == nets["redis"] == {"data"}
    assert "edge" not in nets["postgres"] | nets["redis"] | nets["actions"]
    declared = compose()["networks"]
    assert declared["internal"]["internal"] is True and declared["data"]["internal"] is True


def test_secrets_come_from_env_files_never_from_the_file():
    for name, spec in services().items():
        for key, value in (spec.get("environment") or {}).items():
            assert not re.search(r"SECRET|TOKEN|PASSWORD|_KEY$", key), f"{name}: {key}"
            assert "@" not in str(value), f"{name}: {key} looks like a URL with credentials"
    files = make_secrets().env_files()
    for name, spec in services().items():
        for env_file in spec.get("env_file", []):
            assert env_file.startswith("secrets/") and Path(env_file).name in files, name
    assert "/secrets/" in (DEPLOY / ".gitignore").read_text()


def test_nginx_upstreams_are_the_compose_services():
    conf = NGINX_CONF.read_text()
    upstreams = dict(re.findall(r"upstream (\w+) \{\s*server ([\w.]+:\d+)", conf))
    assert upstreams == {
        "kk_api": f"api:{system_defaults()['api']['port']}",
        "kk_rasa": f"rasa:{system_defaults()['rasa']['port']}",
    }
    env = compose_service_env("api", SAMPLE_COMPOSE_ENV)
    assert env["KK_RASA_PUBLIC_URL"] == "http://localhost:8080/bot"
    (channels,) = re.findall(r"location ~ \^/bot/\(webhooks/\(([\w|]+)\)/webhook\)\$", conf)
    assert sorted(channels.split("|")) == sorted(public_channels())
    assert "listen 8080" in conf


# --- make_secrets.py --------------------------------------------------------------------------


def test_make_secrets_writes_private_files_that_fit_together(tmp_path):
    module = make_secrets()
    written = module.write(tmp_path)
    assert sorted(p.name for p in written) == sorted(module.env_files())
    read = {}
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        read[path.name] = dict(
            line.split("=", 1) for line in path.read_text().splitlines() if "=" in line
        )
    pg, bot, case = read["postgres.env"], read["bot.env"], read["case-service.env"]
    assert f":{pg['POSTGRES_PASSWORD']}@postgres:5432/kk" in case["KK_DATABASE_URL"]
    assert f":{pg['KK_TRACKER_DB_PASSWORD']}@" in bot["KK_TRACKER_DB_URL"]
    assert f":{pg['KK_EVENTS_DB_PASSWORD']}@" in bot["KK_EVENTS_DB_URL"]
    assert bot["KK_EVENTS_DB_URL"] == case["KK_EVENTS_DB_URL"]
    assert f":{read['redis.env']['KK_REDIS_PASSWORD']}@redis:6379" in bot["KK_REDIS_URL"]
    assert bot["KK_JWT_SECRET"] == case["KK_JWT_SECRET"]
    assert bot["KK_OIDC_SUBJECT_KEY"] == case["KK_OIDC_SUBJECT_KEY"]
    assert read["actions.env"]["KK_ACTIONS_TOKEN"] == bot["KK_ACTIONS_TOKEN"]
    assert "KK_DATABASE_URL" not in bot and "KK_TRACKER_DB_URL" not in case
    assert set(read["actions.env"]) == {"KK_SERVICE_TOKEN", "KK_ACTIONS_TOKEN"}
    # Run again: the files stay (the database volume holds their passwords).
    assert module.write(tmp_path) == []
    (tmp_path / "bot.env").unlink()
    with pytest.raises(SystemExit):
        module.write(tmp_path)


# --- real programs ----------------------------------------------------------------------------


def test_docker_compose_accepts_the_file(tmp_path):
    """Debian's docker-compose (1.29, the compose-file schema) resolves the file as it would
    for `up`: env files, interpolation, anchors, depends_on conditions."""
    program = debian_tool("docker-compose", "docker-compose")
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy, ignore=shutil.ignore_patterns("secrets"))
    make_secrets().write(copy / "secrets")
    env = {"PATH": os.environ["PATH"], **SAMPLE_COMPOSE_ENV}
    args = [program, "-f", str(copy / "compose.yaml"), "--project-name", "kk-assistenten"]
    done = subprocess.run([*args, "config"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # Without the identity providers compose refuses, naming them.
    env.pop("KK_OIDC_STAFF_ISSUER")
    refused = subprocess.run([*args, "config", "-q"], env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "staff OpenID Connect issuer" in refused.stderr


def _nginx() -> str:
    return debian_tool("nginx", "nginx")


def _namespaces_or_skip(flags: str) -> None:
    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or not unshare:
        pytest.skip("needs root and unshare (util-linux) for a private /etc/hosts")
    probe = subprocess.run([unshare, flags, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare {flags} is not allowed here: {probe.stderr.strip()}")


def test_nginx_accepts_the_configuration(tmp_path):
    """`nginx -t`, with compose's service names resolving (a private /etc/hosts)."""
    nginx = _nginx()
    _namespaces_or_skip("-m")
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost api rasa\n")
    script = f"mount --bind {hosts} /etc/hosts && exec {nginx} -t -c {NGINX_CONF} -e /dev/stderr"
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True)
    assert done.returncode == 0 and "test is successful" in done.stderr, done.stderr


def test_nginx_balances_the_rasa_replicas_and_routes_only_public_paths():
    nginx = _nginx()
    _namespaces_or_skip("-mn")
    helper = Path(__file__).with_name("nginx_roundtrip.py")
    done = subprocess.run(
        ["unshare", "-mn", sys.executable, str(helper), nginx, str(NGINX_CONF)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    results, received = report["results"], report["received"]
    assert results["health"] == [200, "ok\n"]
    assert results["chat"][0] == 200 and '"api"' in results["chat"][1]
    for channel in ("rest", "kk", "sms"):
        assert results[channel][0] == 200 and "rasa" in results[channel][1]
    # Rasa's other routes (the catalogue preview, its root) are not public.
    assert results["preview"][0] == 404 and results["rasa_root"][0] == 404
    paths = [(r["upstream"].split("-")[0], r["method"], r["path"]) for r in received]
    assert ("api", "GET", "/chat?lang=da") in paths
    assert ("rasa", "POST", "/webhooks/kk/webhook?x=1") in paths  # prefix off, query kept
    assert not [p for p in paths if "catalogue_preview" in p[2]]
    assert all(r["forwarded_for"] == "127.0.0.1" for r in received)
    # Both replicas answer; with one stopped every message still lands once, on the other.
    assert [s for s, _ in results["spread"]] == [200] * 6
    spread = {r["upstream"] for r in received if r["upstream"].startswith("rasa")}
    assert spread == {"rasa-1", "rasa-2"}
    assert [s for s, _ in results["one_replica_down"]] == [200] * 4
    numbered = [r for r in received if r["body"].startswith('{"n"')]
    assert sorted(r["body"] for r in numbered) == [f'{{"n": {n}}}' for n in range(4)]
    assert {r["upstream"] for r in numbered} == {"rasa-1"}


def test_the_nginx_round_trip_also_runs_from_a_checkout_under_tmp(tmp_path):
    """A CI's fresh clone may live under /tmp, which the helper replaces by a private tmpfs:
    nginx exited at once ("nothing listens on 8080") when it read its configuration only after
    that. tmp_path is under /tmp like such a clone."""
    nginx = _nginx()
    _namespaces_or_skip("-mn")
    conf = tmp_path / "deploy" / "nginx" / "nginx.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text(NGINX_CONF.read_text())
    helper = Path(__file__).with_name("nginx_roundtrip.py")
    done = subprocess.run(
        ["unshare", "-mn", sys.executable, str(helper), nginx, str(conf)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"]["health"] == [200, "ok\n"]


def test_postgres_init_script_makes_separate_databases_and_roles(tmp_path):
    """deploy/postgres/init-databases.sh as the postgres image runs it, on a throwaway cluster."""
    from tools import pg_cluster

    if pg_cluster.find_pg_bin() is None:
        pytest.skip("no PostgreSQL binaries here (`./kk test api` installs them)")
    cluster = pg_cluster.start(owner_pid=os.getpid(), log_path=tmp_path / "pg.log")
    try:
        pg = {
            "PATH": os.environ["PATH"],
            "PGHOST": "127.0.0.1",
            "PGPORT": str(cluster.port),
            "PGUSER": "postgres",
        }

        def psql(
            sql: str, user: str = "postgres", db: str = "postgres"
        ) -> subprocess.CompletedProcess:
            return subprocess.run(
                ["psql", "-v", "ON_ERROR_STOP=1", "-U", user, "-d", db, "-tAc", sql],
                env=pg,
                capture_output=True,
                text=True,
            )

        assert psql("CREATE DATABASE kk").returncode == 0
        env = {
            **pg,
            "POSTGRES_USER": "postgres",
            "POSTGRES_DB": "kk",
            "KK_TRACKER_DB_PASSWORD": "tracker-secret",
            "KK_EVENTS_DB_PASSWORD": "events-secret",
        }
        done = subprocess.run(
            ["sh", str(DEPLOY / "postgres" / "init-databases.sh")],
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert psql("SELECT 1", "kk_bot", "kk_tracker").stdout.strip() == "1"
        assert psql("SELECT 1", "kk_events", "kk_events").stdout.strip() == "1"
        for user, db in (("kk_bot", "kk"), ("kk_bot", "kk_events"), ("kk_events", "kk_tracker")):
            refused = psql("SELECT 1", user, db)
            assert refused.returncode != 0 and "permission denied" in refused.stderr, (user, db)
    finally:
        pg_cluster.stop(cluster.dir)
