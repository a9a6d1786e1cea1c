"""The production profile's generated configuration (tools/production.py, production_nginx.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tools import production, production_nginx
from tools.production_packages import NGINX, ensure_program


def test_the_nginx_config_is_valid_and_names_every_replica(tmp_path: Path) -> None:
    text = production_nginx.render(
        prefix=tmp_path,
        rasa_port=15005,
        rasa_replicas=[15006, 15007],
        actions_port=15055,
        actions_replicas=[15056, 15057],
        access_log=tmp_path / "access.log",
    )
    conf = production_nginx.write(tmp_path, text)
    for port in (15006, 15007, 15056, 15057):
        assert f"server 127.0.0.1:{port} " in text
    assert "listen 127.0.0.1:15005;" in text and "listen 127.0.0.1:15055;" in text
    # A POST that reached a replica is never sent twice: only unreachable replicas are skipped.
    assert "proxy_next_upstream error timeout;" in text
    nginx = ensure_program(NGINX)
    check = subprocess.run(
        [str(nginx), "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "e.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr


def test_the_default_topology_puts_replicas_after_the_usual_ports() -> None:
    topology = production.topology_from_env({}, 5005, 5055)
    assert topology.rasa_ports == [5006, 5007] and topology.actions_ports == [5056, 5057]
    assert topology.api_workers == 2
    assert topology.redis_url == "redis://127.0.0.1:6380/0"
    three = production.topology_from_env({"KK_RASA_REPLICAS": "3"}, 5005, 5055)
    assert three.rasa_ports == [5006, 5007, 5008]
    env = production.process_env(topology)
    assert env["KK_REDIS_URL"] == topology.redis_url
    assert env["KK_DEMO_SEED_ON_START"] == "false"  # seeded once, not by every worker
