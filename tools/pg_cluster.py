"""Throwaway PostgreSQL cluster for tests (stdlib only, standalone).

    python3 tools/pg_cluster.py start [--dir D] [--port P]   # prints shell-evaluable lines
    python3 tools/pg_cluster.py stop --dir D                  # stops it and removes D
    python3 tools/pg_cluster.py reap                          # stops clusters whose owner died

`start` prints, on stdout:
    KK_PG_DIR=<dir>
    KK_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:<port>/postgres
so `eval "$(python3 tools/pg_cluster.py start)"` works. Progress goes to stderr.

PostgreSQL comes from Debian packages; when no `initdb` is found it is installed with
`apt-get update && apt-get install -y postgresql` (root only). `initdb` refuses to run as
root, so as root every server command runs as the `postgres` user via `runuser`, and the
cluster directory (data, socket, log) is owned by `postgres`.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tools.processes import free_port

DIR_PREFIX = "kk-pg-"
META_FILE = "cluster.json"
PG_USER = "postgres"


class PgError(RuntimeError):
    """A cluster operation failed; the message says what to do."""


@dataclass
class Cluster:
    dir: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/postgres"


_verbose = False  # progress on stderr; only for the command line


def _say(msg: str) -> None:
    if _verbose:
        print(f"[pg] {msg}", file=sys.stderr, flush=True)


def find_pg_bin() -> Path | None:
    """Directory holding initdb/pg_ctl: PATH first, then Debian's versioned directories."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")

    def version(path: str) -> tuple[int, ...]:
        part = Path(path).parent.parent.name
        return tuple(int(x) for x in part.split(".") if x.isdigit())

    for path in sorted(candidates, key=version, reverse=True):
        return Path(path).parent
    return None


def ensure_installed(log_path: Path | None = None) -> Path:
    """Return the PostgreSQL bin dir, installing the Debian package if needed."""
    bin_dir = find_pg_bin()
    if bin_dir:
        return bin_dir
    if os.geteuid() != 0:
        raise PgError(
            "PostgreSQL is not installed (no initdb found) and installing it needs root: run `sudo "
            "apt-get install -y postgresql`, then retry."
        )
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL
    try:
        for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "postgresql"]):
            _say("running " + " ".join(cmd))
            rc = subprocess.call(
                cmd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
            if rc != 0:
                where = f" (see {log_path})" if log_path else ""
                raise PgError(
                    f"`{' '.join(cmd)}` failed with exit code {rc}{where}; "
                    "check network access to the Debian mirror."
                )
    finally:
        if log_path:
            out.close()
    bin_dir = find_pg_bin()
    if not bin_dir:
        raise PgError(
            "apt-get installed postgresql but no initdb was found under /usr/lib/postgresql/*/bin."
        )
    return bin_dir


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _as_pg_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", PG_USER, "--", *cmd]
    return cmd


def _run(cmd: list[str], cwd: Path, log: Path) -> None:
    with open(log, "ab") as out:
        out.write(("$ " + " ".join(cmd) + "\n").encode())
        out.flush()
        rc = subprocess.call(
            _as_pg_user(cmd),
            cwd=str(cwd),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    if rc != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise PgError(f"`{' '.join(cmd)}` failed with exit code {rc}. Last lines of {log}:\n{tail}")


def _chown_to_pg(path: Path) -> None:
    if os.geteuid() != 0:
        return
    import pwd

    pw = pwd.getpwnam(PG_USER)
    for root, _dirs, files in os.walk(path):
        os.chown(root, pw.pw_uid, pw.pw_gid)
        for name in files:
            os.chown(os.path.join(root, name), pw.pw_uid, pw.pw_gid)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start(
    directory: Path | None = None,
    port: int | None = None,
    owner_pid: int | None = None,
    log_path: Path | None = None,
) -> Cluster:
    """Create and start a cluster; the caller must call stop(cluster.dir)."""
    bin_dir = ensure_installed(log_path)
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix=DIR_PREFIX))
    directory = directory.resolve()
    if " " in str(directory):
        raise PgError(f"cluster dir must not contain spaces: {directory}")
    if (directory / "data").exists():
        raise PgError(
            f"{directory / 'data'} already exists; stop that cluster first "
            f"(python3 tools/pg_cluster.py stop --dir {directory})."
        )
    directory.mkdir(parents=True, exist_ok=True)
    _write_meta(directory, port, owner_pid)
    try:
        return _init_and_start(bin_dir, directory, port, owner_pid)
    except BaseException:
        stop(directory)
        raise


def _write_meta(directory: Path, port: int | None, owner_pid: int | None) -> None:
    meta = {"port": port, "owner_pid": owner_pid, "created": time.time()}
    (directory / META_FILE).write_text(json.dumps(meta))


def _init_and_start(
    bin_dir: Path, directory: Path, port: int | None, owner_pid: int | None
) -> Cluster:
    data = directory / "data"
    sock = directory / "sock"
    sock.mkdir(exist_ok=True)
    server_log = directory / "server.log"
    server_log.touch()
    commands_log = directory / "commands.log"
    os.chmod(directory, 0o700)
    _chown_to_pg(directory)
    if (
        os.geteuid() == 0
        and subprocess.call(
            ["runuser", "-u", PG_USER, "--", "test", "-w", str(directory)], stdin=subprocess.DEVNULL
        )
        != 0
    ):
        raise PgError(
            f"the postgres user cannot write {directory} (a parent directory is "
            "not accessible); use a directory under /tmp."
        )

    _say(f"initdb in {data}")
    _run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            PG_USER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
        directory,
        commands_log,
    )

    chosen_port = port
    for attempt in range(3):
        if chosen_port is None or (port is None and attempt > 0):
            chosen_port = free_port()
        _write_meta(directory, chosen_port, owner_pid)
        opts = (
            f"-p {chosen_port} -k {sock} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        try:
            _say(f"starting on port {chosen_port}")
            _run(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(server_log),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    opts,
                    "start",
                ],
                directory,
                commands_log,
            )
            return Cluster(directory, chosen_port)
        except PgError:
            if port is not None or port_is_free(chosen_port) or attempt == 2:
                raise
            _say(f"port {chosen_port} was taken meanwhile, retrying")
    raise AssertionError("unreachable")


def stop(directory: Path) -> None:
    """Stop the cluster in `directory` (if running) and remove the directory."""
    directory = Path(directory).resolve()
    if not directory.exists():
        return
    data = directory / "data"
    if not (directory / META_FILE).exists() and not (data / "PG_VERSION").exists():
        raise PgError(
            f"{directory} does not look like a cluster made by pg_cluster.py; not removing it."
        )
    if (data / "postmaster.pid").exists():
        bin_dir = find_pg_bin()
        if bin_dir:
            log = directory / "commands.log"
            try:
                _run(
                    [
                        str(bin_dir / "pg_ctl"),
                        "-D",
                        str(data),
                        "-m",
                        "fast",
                        "-w",
                        "-t",
                        "30",
                        "stop",
                    ],
                    directory,
                    log,
                )
            except PgError:
                _run(
                    [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                    directory,
                    log,
                )
    shutil.rmtree(directory, ignore_errors=True)


def reap(tmp: Path | None = None) -> list[Path]:
    """Stop clusters under the temp dir whose owner process is gone (e.g. after kill -9)."""
    reaped = []
    base = Path(tmp or tempfile.gettempdir())
    for meta_path in base.glob(DIR_PREFIX + "*/" + META_FILE):
        try:
            owner = json.loads(meta_path.read_text()).get("owner_pid")
        except (OSError, ValueError):
            continue
        if owner and not _pid_alive(int(owner)):
            stop(meta_path.parent)
            reaped.append(meta_path.parent)
    return reaped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Throwaway PostgreSQL cluster for tests.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start", help="create and start a cluster")
    p_start.add_argument("--dir", type=Path, help="cluster dir (default: a new temp dir)")
    p_start.add_argument("--port", type=int, help="TCP port (default: a free one)")
    p_start.add_argument(
        "--owner-pid", type=int, help="stop the cluster on `reap` once this process is gone"
    )
    p_stop = sub.add_parser("stop", help="stop a cluster and remove its dir")
    p_stop.add_argument("--dir", type=Path, required=True)
    sub.add_parser("reap", help="stop clusters whose owner process is gone")
    args = parser.parse_args(argv)
    global _verbose
    _verbose = True
    try:
        if args.command == "start":
            cluster = start(args.dir, args.port, args.owner_pid)
            print(f"KK_PG_DIR={cluster.dir}")
            print(f"KK_TEST_POSTGRES_URL={cluster.url}")
        elif args.command == "stop":
            stop(args.dir)
            _say(f"stopped and removed {args.dir}")
        else:
            for d in reap():
                _say(f"reaped {d}")
    except PgError as exc:
        print(f"pg_cluster: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
