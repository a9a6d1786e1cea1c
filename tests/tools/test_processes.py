import os
import signal
import subprocess
import sys
import textwrap

import pytest
from process_helpers import SERVE_HEALTH, alive, wait_dead

from tools.errors import StepError
from tools.paths import REPO
from tools.processes import Service, Supervisor, free_port, http_get, spawn

# A stand-in HTTP service (test-only): answers /health, and starts a grandchild
# (`sleep`) whose pid it writes to a file, to check that whole process groups are stopped.
STAND_IN = (
    textwrap.dedent("""
    import http.server, subprocess, sys
    port, pidfile = int(sys.argv[1]), sys.argv[2]
    child = subprocess.Popen(["sleep", "300"])
    open(pidfile, "w").write(str(child.pid))
""")
    + SERVE_HEALTH
)


def _service(tmp_path, script=STAND_IN, timeout=20.0):
    port = free_port()
    path = tmp_path / "svc.py"
    path.write_text(script)
    return Service(
        name="stand-in",
        cmd=[sys.executable, str(path), str(port), str(tmp_path / "grandchild.pid")],
        log_path=tmp_path / "svc.log",
        health_url=f"http://127.0.0.1:{port}/health",
        port=port,
        timeout=timeout,
    ), port


def test_supervisor_waits_for_health_and_stops_the_whole_group(tmp_path):
    svc, port = _service(tmp_path)
    sup = Supervisor()
    try:
        sup.start(svc)
        assert sup.wait_healthy(svc) >= 0
        assert http_get(f"http://127.0.0.1:{port}/health")[0] == 200
        grandchild = int((tmp_path / "grandchild.pid").read_text())
        assert alive(grandchild)
    finally:
        sup.stop_all(grace=5)
    assert svc.proc.poll() is not None
    assert wait_dead(grandchild)
    assert http_get(f"http://127.0.0.1:{port}/health")[0] == 0


def test_service_dying_at_start_is_a_step_error_with_its_log(tmp_path):
    svc, _ = _service(tmp_path, script="import sys; print('cannot import api.main'); sys.exit(2)")
    sup = Supervisor()
    try:
        sup.start(svc)
        with pytest.raises(StepError) as info:
            sup.wait_healthy(svc)
    finally:
        sup.stop_all()
    assert "exited with code 2" in info.value.message
    assert "cannot import api.main" in svc.log_path.read_text()


def test_port_in_use_is_refused_with_a_hint(tmp_path):
    svc, port = _service(tmp_path)
    sup = Supervisor()
    try:
        sup.start(svc)
        sup.wait_healthy(svc)
        other = tmp_path / "other"
        other.mkdir()
        clash, _ = _service(other)
        clash.port = port
        with pytest.raises(StepError) as info:
            sup.start(clash)
        assert f"port {port}" in info.value.message
    finally:
        sup.stop_all()


SIGTERM_DRIVER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, sys.argv[1])
    from pathlib import Path
    from tools.processes import Service, Supervisor, install_signal_handlers
    install_signal_handlers()
    svc = Service(name="stand-in", cmd=[sys.executable, sys.argv[2], sys.argv[3], sys.argv[4]],
                  log_path=Path(sys.argv[5]), health_url=f"http://127.0.0.1:{sys.argv[3]}/health",
                  port=int(sys.argv[3]))
    sup = Supervisor()
    try:
        sup.start(svc)
        sup.wait_healthy(svc)
        print("up", flush=True)
        sup.watch()
    except KeyboardInterrupt:
        print("stopping", flush=True)
    finally:
        sup.stop_all()
        print("stopped", flush=True)
""")


def test_sigterm_to_the_driver_stops_its_services(tmp_path):
    port = free_port()
    (tmp_path / "svc.py").write_text(STAND_IN)
    (tmp_path / "driver.py").write_text(SIGTERM_DRIVER)
    driver = subprocess.Popen(
        [
            sys.executable,
            str(tmp_path / "driver.py"),
            str(REPO),
            str(tmp_path / "svc.py"),
            str(port),
            str(tmp_path / "gc.pid"),
            str(tmp_path / "svc.log"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert driver.stdout.readline().strip() == "up"
        grandchild = int((tmp_path / "gc.pid").read_text())
        driver.send_signal(signal.SIGTERM)
        out, _ = driver.communicate(timeout=30)
    finally:
        if driver.poll() is None:
            driver.kill()
    assert "stopped" in out
    assert wait_dead(grandchild)
    assert http_get(f"http://127.0.0.1:{port}/health")[0] == 0


def test_children_die_with_a_killed_parent(tmp_path):
    """kill -9 of ./kk leaves no orphan: children get SIGTERM via PR_SET_PDEATHSIG."""
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys, time
            sys.path.insert(0, {str(REPO)!r})
            from tools.processes import spawn
            p = spawn(["sleep", "300"])
            print(p.pid, flush=True)
            time.sleep(300)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    child = int(parent.stdout.readline())
    assert alive(child)
    parent.kill()
    parent.wait()
    assert wait_dead(child)


def test_spawn_puts_the_child_in_its_own_process_group(tmp_path):
    p = spawn(["sleep", "30"])
    try:
        assert os.getpgid(p.pid) == p.pid != os.getpgid(0)
    finally:
        p.kill()
        p.wait()


def test_free_ports_are_bindable_and_below_the_ephemeral_range():
    """Chosen below the range the kernel hands out for bind-to-0, so no other process's
    kernel-assigned port can take one before our server binds it."""
    import socket

    from tools.processes import FREE_PORT_LOW, _ephemeral_low, free_port

    ports = {free_port() for _ in range(20)}
    assert all(FREE_PORT_LOW <= port < _ephemeral_low() for port in ports), ports
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", port))  # nothing holds it
