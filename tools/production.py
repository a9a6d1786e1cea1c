"""`./kk run --production`: the same system as `./kk run`, in the topology of production.

- PostgreSQL (Debian's, a cluster of its own in ``var/production/postgres``) for the case service
  (database ``kk``), Rasa's tracker store (``kk_tracker``, also the SMS tables) and Rasa's event
  broker (``kk_events``);
- Redis (Debian's ``redis-server``, no persistence) for Rasa's lock store and the rate limits
  shared by all processes (``KK_REDIS_URL``);
- ``KK_RASA_REPLICAS`` (2) Rasa servers and ``KK_ACTIONS_REPLICAS`` (2) action servers, each
  behind nginx (Debian's; config generated into ``var/production/nginx``) on the usual ports
  ``KK_RASA_PORT`` and ``KK_ACTIONS_PORT``; the replicas listen on the next ports
  (5006, 5007 and 5056, 5057 by default);
- the case service with ``KK_API_WORKERS`` (2) uvicorn worker processes.

Every process, including PostgreSQL, Redis and nginx, runs under the same supervisor as in
`./kk run` (restart with backoff, tools/processes.py). The test suite ``production`` starts the
same profile on free ports with a throwaway data directory (tools/run_tests.py). Stdlib only.
See docs/production.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tools import pg_cluster, production_nginx, venvs
from tools.errors import StepError
from tools.paths import LOGS, REPO, VAR, rel
from tools.processes import Service, Supervisor, command_probe, free_port, port_in_use, tcp_probe
from tools.production_packages import NGINX, REDIS, ensure_program
from tools.steps import StepContext, StepRunner

PROFILE_DIR = VAR / "production"
PROFILE_LOGS = LOGS / "production"
DATABASES = ("kk", "kk_tracker", "kk_events")
DEFAULT_POSTGRES_PORT = 5433
DEFAULT_REDIS_PORT = 6380
DEFAULT_REPLICAS = 2


@dataclass
class Topology:
    """Where the production profile's extra processes listen."""

    rasa_ports: list[int]  # one per Rasa replica (nginx listens on SystemConfig.rasa_port)
    actions_ports: list[int]  # one per action-server replica (nginx: SystemConfig.actions_port)
    api_workers: int
    postgres_port: int
    redis_port: int
    # False only for throwaway test clusters: PostgreSQL without fsync (faster, not crash-safe).
    durable: bool = True

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def database_url(self, name: str, driver: str = "postgresql") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.postgres_port}/{name}"


def _count(environ: dict, name: str, default: int) -> int:
    raw = environ.get(name) or str(default)
    if not raw.isdigit() or not 1 <= int(raw) <= 8:
        raise SystemExit(f"{name}={raw!r} must be a whole number from 1 to 8")
    return int(raw)


def _env_port(environ: dict, name: str, default: int) -> int:
    raw = environ.get(name) or str(default)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SystemExit(f"{name}={raw!r} is not a port number")
    return int(raw)


def topology_from_env(environ: dict, rasa_port: int, actions_port: int) -> Topology:
    """The defaults of `./kk run --production`: replicas on the ports after nginx's."""
    rasa = _count(environ, "KK_RASA_REPLICAS", DEFAULT_REPLICAS)
    actions = _count(environ, "KK_ACTIONS_REPLICAS", DEFAULT_REPLICAS)
    return Topology(
        rasa_ports=[rasa_port + 1 + i for i in range(rasa)],
        actions_ports=[actions_port + 1 + i for i in range(actions)],
        api_workers=_count(environ, "KK_API_WORKERS", DEFAULT_REPLICAS),
        postgres_port=_env_port(environ, "KK_POSTGRES_PORT", DEFAULT_POSTGRES_PORT),
        redis_port=_env_port(environ, "KK_REDIS_PORT", DEFAULT_REDIS_PORT),
    )


def free_topology(rasa_replicas: int = 2, actions_replicas: int = 2) -> Topology:
    """Free ports for everything (the test suite), PostgreSQL without fsync."""
    ports = _free_ports(rasa_replicas + actions_replicas + 2)
    return Topology(
        rasa_ports=ports[:rasa_replicas],
        actions_ports=ports[rasa_replicas : rasa_replicas + actions_replicas],
        api_workers=2,
        postgres_port=ports[-2],
        redis_port=ports[-1],
        durable=False,
    )


def _free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def configure(cfg, topology: Topology) -> None:
    """Point a SystemConfig at the profile's databases (its own PostgreSQL cluster)."""
    cfg.production = topology
    cfg.database_url = topology.database_url("kk", "postgresql+psycopg")
    cfg.tracker_db_url = topology.database_url("kk_tracker")
    if hasattr(cfg, "events_db_url"):
        cfg.events_db_url = topology.database_url("kk_events")


def process_env(topology: Topology) -> dict[str, str]:
    """What every process of the profile gets on top of `./kk run`'s environment."""
    return {
        "KK_REDIS_URL": topology.redis_url,
        # Rasa's conversation ticket lock (Redis): a replica killed mid-turn leaves its ticket
        # until it expires, and the next turn of that conversation waits for it. Rasa's default
        # is 60 s; a turn takes well under a second (the case-service client gives up after
        # 2.5 s per call), so 20 s still covers a slow turn and shortens the wait.
        "TICKET_LOCK_LIFETIME": "20",
        # Several workers: the demo data is seeded once by `api.cli seed-demo`, not per worker.
        "KK_DEMO_SEED_ON_START": "false",
    }


# --- PostgreSQL ----------------------------------------------------------------------------


def _pg_dir(cfg) -> Path:
    return Path(cfg.data_dir) / "postgres"


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", pg_cluster.PG_USER, "--", *cmd] if os.geteuid() == 0 else cmd


def init_postgres(ctx: StepContext, cfg) -> None:
    """Install PostgreSQL when missing and create the cluster once (kept between runs)."""
    try:
        bin_dir = pg_cluster.ensure_installed(ctx.log_path)
    except pg_cluster.PgError as exc:
        raise StepError(str(exc), ctx.log_path) from exc
    directory = _pg_dir(cfg)
    if (directory / "data" / "PG_VERSION").exists():
        ctx.skip(f"cluster in {rel(directory)}")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sock").mkdir(exist_ok=True)
    os.chmod(directory, 0o700)
    if os.geteuid() == 0:
        import pwd

        pw = pwd.getpwnam(pg_cluster.PG_USER)
        for path in (directory, directory / "sock"):
            os.chown(path, pw.pw_uid, pw.pw_gid)
    # Local connections only (127.0.0.1 and a socket in the cluster dir), no password: the
    # profile runs on one machine. Kubernetes uses a managed database with credentials (deploy/).
    ctx.run(
        _as_postgres(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(directory / "data"),
                "-U",
                pg_cluster.PG_USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
            ]
        ),
        cwd=directory,
    )
    ctx.note(f"new cluster in {rel(directory)}")


def postgres_service(cfg, topology: Topology) -> Service:
    bin_dir = pg_cluster.find_pg_bin() or Path("/usr/lib/postgresql/bin")
    directory = _pg_dir(cfg)
    options = [
        "-D",
        str(directory / "data"),
        "-p",
        str(topology.postgres_port),
        "-k",
        str(directory / "sock"),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "max_connections=200",
    ]
    if not topology.durable:
        options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    return Service(
        name="PostgreSQL",
        port=topology.postgres_port,
        cmd=_as_postgres([str(bin_dir / "postgres"), *options]),
        log_path=Path(cfg.log_dir) / "postgres.log",
        health_url=f"postgresql://127.0.0.1:{topology.postgres_port}",
        probe=command_probe(
            [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(topology.postgres_port)]
        ),
        cwd=directory,
        timeout=60,
        hint="Read the log above; if the port is taken, set KK_POSTGRES_PORT to another one.",
        port_env="KK_POSTGRES_PORT",
    )


def create_databases(ctx: StepContext, topology: Topology) -> None:
    bin_dir = pg_cluster.find_pg_bin()
    if bin_dir is None:
        raise StepError("PostgreSQL's programs were not found")
    connect = ["-h", "127.0.0.1", "-p", str(topology.postgres_port), "-U", pg_cluster.PG_USER]
    query = "SELECT datname FROM pg_database"
    listed = subprocess.run(
        [str(bin_dir / "psql"), *connect, "-d", "postgres", "-tAc", query],
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode != 0:
        raise StepError(f"psql could not list the databases: {listed.stderr.strip()}")
    existing = set(listed.stdout.split())
    missing = [name for name in DATABASES if name not in existing]
    if not missing:
        ctx.skip(", ".join(DATABASES) + " exist")
    for name in missing:
        ctx.run([bin_dir / "createdb", *connect, name])
    ctx.note("created " + ", ".join(missing))


# --- Redis and nginx -----------------------------------------------------------------------


def redis_service(cfg, topology: Topology, program: Path) -> Service:
    directory = Path(cfg.data_dir) / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    return Service(
        name="Redis",
        port=topology.redis_port,
        cmd=[
            str(program),
            "--port",
            str(topology.redis_port),
            "--bind",
            "127.0.0.1",
            "--protected-mode",
            "yes",
            # Locks and rate-limit counters only: nothing worth keeping across a restart.
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
            "--daemonize",
            "no",
        ],
        log_path=Path(cfg.log_dir) / "redis.log",
        health_url=topology.redis_url,
        probe=tcp_probe(topology.redis_port, b"PING\r\n", b"+PONG"),
        cwd=directory,
        timeout=30,
        hint="Read the log above; if the port is taken, set KK_REDIS_PORT to another one.",
        port_env="KK_REDIS_PORT",
    )


def nginx_service(cfg) -> Service:
    """The load balancer in front of the replicas (its config written now)."""
    topology: Topology = cfg.production
    program = NGINX.find()
    if program is None:
        raise StepError("nginx is not installed")
    prefix = Path(cfg.data_dir) / "nginx"
    log_dir = Path(cfg.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    text = production_nginx.render(
        prefix=prefix.resolve(),
        rasa_port=cfg.rasa_port,
        rasa_replicas=topology.rasa_ports,
        actions_port=cfg.actions_port,
        actions_replicas=topology.actions_ports,
        access_log=(log_dir / "nginx-access.log").resolve(),
    )
    conf = production_nginx.write(prefix.resolve(), text)
    return Service(
        name="nginx",
        port=cfg.rasa_port,
        cmd=[
            str(program),
            "-p",
            str(prefix.resolve()),
            "-c",
            str(conf),
            "-e",
            str((log_dir / "nginx-error.log").resolve()),
        ],
        log_path=log_dir / "nginx.log",
        health_url=f"{cfg.rasa_url}{production_nginx.HEALTH_PATH}",
        cwd=prefix,
        timeout=30,
        hint="Read the log above; if a port is taken, set KK_RASA_PORT / KK_ACTIONS_PORT.",
        port_env="KK_RASA_PORT",
    )


# --- start ---------------------------------------------------------------------------------


def start_backing_services(runner: StepRunner, sup: Supervisor, cfg, env: dict) -> None:
    """PostgreSQL, Redis and the bot's tables, before the replicas start."""
    topology: Topology = cfg.production
    label = cfg.label
    log_prefix = "e2e-" if label else ""
    redis = runner.step(
        label + "install redis-server",
        lambda ctx: _find_or_install(ctx, REDIS),
        log_name=log_prefix + "install-redis",
        hint="Install it by hand: apt-get update && apt-get install -y redis-server",
    )
    runner.step(
        label + "install nginx",
        lambda ctx: _find_or_install(ctx, NGINX),
        log_name=log_prefix + "install-nginx",
        hint="Install it by hand: apt-get update && apt-get install -y nginx",
    )
    runner.step(
        label + "create postgres cluster",
        lambda ctx: init_postgres(ctx, cfg),
        log_name=log_prefix + "postgres-init",
        hint=f"Read the error above; `rm -rf {rel(_pg_dir(cfg))}` starts over with no data.",
    )
    for svc in (postgres_service(cfg, topology), redis_service(cfg, topology, redis)):
        runner.step(
            f"{label}start {svc.name}",
            lambda ctx, s=svc: _start_and_wait(ctx, sup, s),
            log_name=log_prefix + "start-" + svc.name.lower(),
        )
    runner.step(
        label + "create databases",
        lambda ctx: create_databases(ctx, topology),
        log_name=log_prefix + "postgres-databases",
    )
    # Rasa creates its tables when it starts: two replicas doing that at once on an empty
    # database race. One process creates them first, from bot/endpoints.yml as Rasa reads it.
    runner.step(
        label + "create bot tables",
        lambda ctx: ctx.run(
            [venvs.BOT.python, "-m", "tools.production_bot_tables"], env=env, cwd=REPO
        ),
        log_name=log_prefix + "bot-tables",
        hint="Read the log above: bot/endpoints.yml's stores could not reach PostgreSQL/Redis.",
    )


def _find_or_install(ctx: StepContext, program) -> Path:
    found = program.find()
    if found is not None:
        ctx.note(f"found {found}")
        return found
    path = ensure_program(program, ctx.log_path)
    ctx.note(f"installed {path}")
    return path


def _start_and_wait(ctx: StepContext, sup: Supervisor, svc: Service) -> None:
    if port_in_use(svc.port):
        raise StepError(
            f"port {svc.port} for {svc.name} is already in use",
            hint=f"Stop whatever listens there or set {svc.port_env}=...",
        )
    sup.start(svc)
    seconds = sup.wait_healthy(svc, on_tick=ctx.tick)
    ctx.note(f"healthy after {seconds:.1f}s on port {svc.port}; log {rel(svc.log_path)}")


def remove_data(directory: Path) -> None:
    """Remove a throwaway profile data dir (the tests'), PostgreSQL's files included."""
    shutil.rmtree(directory, ignore_errors=True)


def describe(cfg) -> list[str]:
    """Lines for the URL list `./kk run --production` prints."""
    topology: Topology = cfg.production
    rasa = ", ".join(str(p) for p in topology.rasa_ports)
    actions = ", ".join(str(p) for p in topology.actions_ports)
    return [
        f"  Production profile: nginx on {cfg.rasa_port} -> Rasa replicas on {rasa}; "
        f"nginx on {cfg.actions_port} -> action servers on {actions}",
        f"    case service   {topology.api_workers} uvicorn workers on {cfg.api_port}",
        f"    PostgreSQL     127.0.0.1:{topology.postgres_port} (databases "
        f"{', '.join(DATABASES)}; data {rel(_pg_dir(cfg))})",
        f"    Redis          {topology.redis_url} (Rasa's locks, shared rate limits)",
    ]
