"""`./kk test [SUITE ...]`: run every test suite in the environment it needs.

Installs the venvs (same steps as `./kk run`), a throwaway PostgreSQL cluster for the case
service tests, and the whole system on other ports for the end-to-end tests. Ends with one
line `N passed, N failed`; exit code 1 when anything failed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import shutil
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from tools import pg_cluster, production, venvs
from tools.errors import CommandFailed, StepError
from tools.fingerprint import is_current, write_stamp
from tools.paths import LOGS, REPO, VAR, rel
from tools.processes import (
    Supervisor,
    free_port,
    install_signal_handlers,
    port_in_use,
    run_logged,
    shielded,
)
from tools.run_system import (
    RASA_CONFIG,
    SystemConfig,
    bot_present,
    child_env,
    start_system,
    train_model,
)
from tools.steps import StepFailed, StepRunner, log_tail

RESULTS_DIR = VAR / "test-results"
# Not the run command's defaults, so the test system can run next to `./kk run`.
E2E_PORTS = (
    ("KK_E2E_API_PORT", 18000),
    ("KK_E2E_RASA_PORT", 15005),
    ("KK_E2E_ACTIONS_PORT", 15055),
    ("KK_E2E_SMS_GATEWAY_PORT", 15080),
)
VALIDATE_CMD = [
    "data",
    "validate",
    "--domain",
    "bot/domain",
    "--data",
    "nlu_data",
    "bot/data",
    "--config",
    "config.yml",
]
WEB = REPO / "web"  # the chat widget; package.json holds the browser tests' npm packages
# The lint suite: one test case per check (settings in pyproject.toml): (name, venv, tool, args).
# mypy is strict on the case service (Python 3.11) and on kkshared (checked as Python 3.10, the
# bot environment runs it too), and gradual on the Rasa side, in the bot venv where Rasa is.
LINT_CHECKS = (
    ("ruff check", "api", "ruff", ["check", "--output-format=concise", "."]),
    ("ruff format --check", "api", "ruff", ["format", "--check", "."]),
    ("mypy api", "api", "mypy", ["api"]),
    ("mypy kkshared", "api", "mypy", ["--python-version", "3.10", "kkshared"]),
    ("mypy bot actions", "bot", "mypy", ["bot", "actions"]),
)
LINT_FIX = (
    "fix with `.venvs/api/bin/ruff check --fix . && .venvs/api/bin/ruff format .`; "
    "mypy: `.venvs/api/bin/mypy api`, `.venvs/api/bin/mypy --python-version 3.10 kkshared`, "
    "`.venvs/bot/bin/mypy bot actions`"
)


@dataclass(frozen=True)
class Suite:
    key: str  # name used on the command line
    name: str  # shown in the results
    path: str = ""  # tests directory (pytest suites)
    venv: str = "host"  # "host" (python running ./kk), "api", "bot", "deploy"
    postgres: bool = False
    system: bool = False
    validate: bool = False  # `rasa data validate` instead of pytest
    lint: bool = False  # ruff (LINT_CHECKS) instead of pytest
    needs_model: bool = False  # trains models/kk.tar.gz first (skipped when up to date)
    browser: bool = False  # Debian's Chromium + web/node_modules (axe-core) first
    production: bool = False  # the production profile (PostgreSQL, Redis, nginx, replicas)
    # A system of its own: not the one an earlier suite used and changed (the e2e tests leave
    # their own pause message and a rolled-back catalogue entry behind).
    fresh_system: bool = False


SUITES = (
    Suite("tools", "tools", "tests/tools", "host"),
    Suite("lint", "lint", venv="api", lint=True),
    Suite("shared", "shared (api venv)", "tests/shared", "api"),
    Suite("shared", "shared (bot venv)", "tests/shared", "bot"),
    Suite("api", "api", "tests/api", "api", postgres=True),
    Suite("legal", "legal", "tests/legal", "api"),
    Suite("bot", "bot", "tests/bot", "bot", needs_model=True),
    Suite("channels", "channels", "tests/channels", "bot", needs_model=True),
    Suite("knowledge", "knowledge", "tests/knowledge", "bot"),
    Suite("validate", "rasa data validate", venv="bot", validate=True),
    # actions and e2e share one started system (Session.shared_system); web starts its own
    Suite(
        "actions", "actions", "tests/actions", "bot", system=True, needs_model=True
    ),  # real case service
    Suite("e2e", "e2e", "tests/e2e", "bot", system=True),
    Suite("web", "web (browser)", "tests/web", "api", system=True, browser=True, fresh_system=True),
    Suite("production", "production", "tests/production", "bot", production=True, needs_model=True),
    # deploy/ checked statically (checkov, kubernetes-validate, nginx -t); last, so that the
    # api and bot venvs its settings checks use are up to date
    Suite("deploy", "deploy", "tests/deploy", "deploy"),
)


@dataclass
class SuiteResult:
    name: str
    status: str  # "passed" | "failed" | "absent"
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    note: str = ""

    def line(self) -> str:
        if self.status == "absent":
            return f"  {self.name:<22} not run: {self.note}"
        text = (
            f"  {self.name:<22} {self.passed} passed, {self.failed} failed, "
            f"{self.skipped} skipped  {self.seconds:6.1f}s"
        )
        return text + (f"  ({self.note})" if self.note else "")


def has_tests(directory: Path) -> bool:
    return any(directory.rglob("test_*.py")) or any(directory.rglob("*_test.py"))


def junit_counts(xml_path: Path) -> tuple[int, int, int] | None:
    """(passed, failed, skipped) from a pytest JUnit XML file; errors count as failed."""
    try:
        root = ET.parse(xml_path).getroot()
    except (OSError, ET.ParseError):
        return None
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = failures = errors = skipped = 0
    for s in suites:
        tests += int(s.get("tests", 0))
        failures += int(s.get("failures", 0))
        errors += int(s.get("errors", 0))
        skipped += int(s.get("skipped", 0))
    failed = failures + errors
    return tests - failed - skipped, failed, skipped


def pytest_result(
    name: str, rc: int, counts: tuple[int, int, int] | None, seconds: float
) -> SuiteResult:
    passed, failed, skipped = counts or (0, 0, 0)
    res = SuiteResult(name, "passed", passed, failed, skipped, seconds)
    if rc == 5:
        res.failed = max(res.failed, 1)
        res.note = "no tests collected although the directory has test files"
    elif rc != 0 and res.failed == 0:
        res.failed = 1
        res.note = f"pytest exited with code {rc}"
    if res.failed:
        res.status = "failed"
    return res


def summary_line(results: list[SuiteResult]) -> str:
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    return f"{passed} passed, {failed} failed"


class Session:
    """State of one `./kk test`: venvs installed so far, cleanup of clusters/systems."""

    def __init__(self, runner: StepRunner, environ: dict):
        self.runner = runner
        self.environ = environ
        self._venvs: dict[str, str | None] = {}  # name -> None if ok, else failure text
        self._model: str | None | bool = False  # False: not tried; None: ok; str: why not
        # The whole system of the suites with ``system=True`` (actions, e2e, web): started once
        # and shared by them unless a suite wants a fresh one (web), stopped after the last.
        self._shared = ExitStack()
        self._system_env: dict | None = None
        self._system_sup: Supervisor | None = None
        # Training ahead (train_ahead): the thread, its step output, its outcome once done.
        self._training: tuple[threading.Thread, io.StringIO, list[str | None]] | None = None

    def venv(self, name: str) -> str | None:
        """Ensure a venv; None when usable, else why not."""
        if name == "host":
            return None
        if name not in self._venvs:
            try:
                venvs.ensure_venv(self.runner, venvs.SPECS[name])
                self._venvs[name] = None
            except StepFailed as exc:
                self.runner.print(exc.report())
                self._venvs[name] = f"installing the {name} venv failed"
        return self._venvs[name]

    def train_ahead(self, later: list[Suite]) -> None:
        """Start training the Rasa model (skipped when up to date) in a thread when a later suite
        needs it and the bot venv is ready, so that the suites before it (shared, api, legal: one
        core each) run meanwhile; ``model()`` waits for it and prints its steps."""
        if self._model is not False or self._training is not None:
            return
        if not any(s.needs_model for s in later) or self._venvs.get("bot", "") is not None:
            return
        if not bot_present():
            return
        out = io.StringIO()
        outcome: list[str | None] = []
        runner = StepRunner(LOGS, out=out)
        env = self.base_env()

        def train() -> None:
            try:
                train_model(runner, env)
                outcome.append(None)
            except StepFailed as exc:
                out.write(exc.report() + "\n")
                outcome.append("training the Rasa model failed")
            except Exception as exc:  # reported by model(), like a failed step
                out.write(f"training the Rasa model: {type(exc).__name__}: {exc}\n")
                outcome.append("training the Rasa model failed")

        thread = threading.Thread(target=train, name="train-model", daemon=True)
        self._training = (thread, out, outcome)
        thread.start()
        self.runner.print(
            "(training the Rasa model in the background while the next suites run; "
            f"log {rel(LOGS / 'train.log')})"
        )

    def model(self) -> str | None:
        """Train the Rasa model once per run (skipped when its inputs are unchanged)."""
        if self._model is False and self._training is not None:
            thread, out, outcome = self._training
            if thread.is_alive():
                self.runner.print("(waiting for the Rasa model training started in the background)")
            thread.join()
            self.runner.print(out.getvalue().rstrip())
            self._model = outcome[0] if outcome else "training the Rasa model failed"
        if self._model is False:
            try:
                train_model(self.runner, self.base_env())
                self._model = None
            except StepFailed as exc:
                self.runner.print(exc.report())
                self._model = "training the Rasa model failed"
        return self._model

    def python(self, venv: str) -> str:
        if venv == "host":
            if importlib.util.find_spec("pytest") is not None:
                return sys.executable
            venv = "api"
        return str(venvs.SPECS[venv].python)

    def base_env(self) -> dict:
        return child_env(self.environ)

    # --- resources -------------------------------------------------------------------------

    def start_postgres(self, stack: ExitStack) -> dict:
        log = LOGS / "postgres.log"
        self.runner.step(
            "install postgresql",
            lambda ctx: self._install_pg(ctx),
            log_name="install-postgresql",
            hint="Install it by hand: apt-get update && apt-get install -y postgresql",
        )
        cluster = self.runner.step(
            "start postgres",
            lambda ctx: pg_cluster.start(owner_pid=os.getpid(), log_path=log),
            log_name="postgres",
            hint="Read the error above; the cluster is a temp dir under /tmp.",
        )
        stack.callback(self._cleanup, "stop postgres", lambda ctx: pg_cluster.stop(cluster.dir))
        return {"KK_TEST_POSTGRES_URL": cluster.url, "KK_REQUIRE_POSTGRES": "1"}

    @staticmethod
    def _install_pg(ctx) -> None:
        found = pg_cluster.find_pg_bin()
        if found:
            ctx.skip(f"found in {found}")
        try:
            pg_cluster.ensure_installed(ctx.log_path)
        except pg_cluster.PgError as exc:
            raise StepError(str(exc), ctx.log_path) from exc

    def prepare_browser(self) -> dict:
        """Debian's Chromium (Playwright cannot download browsers here) and `npm ci` in web/."""
        chromium = Path(self.environ.get("KK_WEB_CHROMIUM") or "/usr/bin/chromium")
        self.runner.step(
            "install chromium",
            lambda ctx: self._install_chromium(ctx, chromium),
            log_name="install-chromium",
            hint="Install it by hand: apt-get update && apt-get install -y chromium",
        )
        self.runner.step(
            "install web test packages",
            self._npm_ci,
            log_name="install-web-packages",
            hint="Run `npm ci --prefix web` by hand (needs node and npm).",
        )
        return {"KK_WEB_CHROMIUM": str(chromium)}

    @staticmethod
    def _install_chromium(ctx, chromium: Path) -> None:
        if chromium.exists():
            ctx.skip(f"found {chromium}")
        if os.geteuid() != 0:
            raise StepError(
                f"{chromium} is missing and installing it needs root: "
                "run `sudo apt-get install -y chromium`"
            )
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        ctx.run(["apt-get", "update"], env=env)
        ctx.run(["apt-get", "install", "-y", "chromium"], env=env)
        if not chromium.exists():
            raise StepError(
                f"apt-get installed chromium but {chromium} does not exist", ctx.log_path
            )

    @staticmethod
    def _npm_ci(ctx) -> None:
        stamp = WEB / "node_modules" / ".kk-stamp"
        want = hashlib.sha256((WEB / "package-lock.json").read_bytes()).hexdigest()
        if is_current(stamp, want):
            ctx.skip("up to date")
        npm = shutil.which("npm")
        if npm is None:
            raise StepError("npm is not installed", hint="apt-get install -y nodejs npm")
        ctx.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB)
        write_stamp(stamp, want)

    def start_e2e_system(self, stack: ExitStack) -> dict:
        tmp = Path(tempfile.mkdtemp(prefix="kk-e2e-"))
        stack.callback(shutil.rmtree, tmp, True)
        ports = {name: _pick_port(self.environ, name, default) for name, default in E2E_PORTS}
        cfg = SystemConfig.from_env(
            {},
            data_dir=tmp,
            log_dir=LOGS / "e2e",
            label="e2e: ",
            api_port=ports["KK_E2E_API_PORT"],
            rasa_port=ports["KK_E2E_RASA_PORT"],
            actions_port=ports["KK_E2E_ACTIONS_PORT"],
            sms_gateway_port=ports["KK_E2E_SMS_GATEWAY_PORT"],
            database_url=f"sqlite:///{tmp / 'kk.db'}",
            tracker_db_url=f"sqlite:///{tmp / 'tracker.db'}",
        )
        sup = Supervisor()
        self._system_sup = sup
        stack.callback(self._cleanup, "e2e: stop system", lambda ctx: sup.stop_all())
        env = start_system(self.runner, sup, cfg, self.environ)
        exported = {
            "KK_E2E_API_URL": cfg.api_url,
            "KK_E2E_SERVICE_TOKEN": env["KK_SERVICE_TOKEN"],
            "KK_E2E_JWT_SECRET": env["KK_JWT_SECRET"],
            # For the privacy checks: the tests look for personal data in all of these.
            "KK_E2E_DATABASE_URL": cfg.database_url,
            "KK_E2E_TRACKER_DB_URL": cfg.tracker_db_url,
            "KK_E2E_EVENTS_DB_URL": cfg.events_db_url,
            "KK_E2E_LOG_DIR": str(cfg.log_dir),
        }
        if cfg.with_bot:
            exported["KK_E2E_RASA_URL"] = cfg.rasa_url
            exported["KK_E2E_ACTIONS_URL"] = cfg.actions_url
            if cfg.fake_sms_gateway:  # tests/e2e/test_e2e_pause.py texts through it
                exported["KK_E2E_SMS_GATEWAY_URL"] = cfg.sms_gateway_url
            # The SMS reminder job, run by tests/e2e/test_reminders*.py with an injected clock.
            exported["KK_E2E_RASA_API_TOKEN"] = env.get("KK_RASA_API_TOKEN", "")
            exported["KK_E2E_SMS_HMAC_KEY"] = env.get("KK_SMS_HMAC_KEY", "")
        return exported

    def shared_system(self, fresh: bool = False) -> dict:
        """The e2e system's environment for a suite: the running one when all its processes are
        still up and ``fresh`` is false, else a new one (the old one stopped first)."""
        if self._system_env is not None and fresh:
            self.stop_shared_system()
        if self._system_env is not None:
            sup = self._system_sup
            exited = [
                s.name
                for s in (sup.services if sup else [])
                if s.proc and s.proc.poll() is not None
            ]
            if not exited:
                self.runner.print("(the system started for an earlier suite is reused)")
                return self._system_env
            self.runner.print(f"(the shared system lost {', '.join(exited)}: starting it again)")
            self.stop_shared_system()
        try:
            self._system_env = self.start_e2e_system(self._shared)
        except BaseException:
            self.stop_shared_system()
            raise
        return self._system_env

    def stop_shared_system(self) -> None:
        self._system_env = self._system_sup = None
        self._shared.close()
        self._shared = ExitStack()

    def start_production_system(self, stack: ExitStack) -> dict:
        """`./kk run --production` on free ports with a throwaway data dir (PostgreSQL, Redis,
        nginx, 2 Rasa and 2 action-server replicas), supervised while the tests run: a replica
        a test kills is restarted."""
        tmp = Path(tempfile.mkdtemp(prefix="kk-prod-"))
        tmp.chmod(0o755)  # PostgreSQL runs as the postgres user in tmp/postgres
        stack.callback(production.remove_data, tmp)
        cfg = SystemConfig.on_free_ports(tmp, LOGS / "production", "production: ")
        topology = production.free_topology()
        production.configure(cfg, topology)
        sup = Supervisor(log_path=cfg.log_dir / "supervisor.log")
        stack.callback(self._cleanup, "production: stop system", lambda ctx: sup.stop_all())
        env = start_system(self.runner, sup, cfg, self.environ)
        stop_watching = sup.watch_in_background()
        stack.callback(stop_watching)
        return {
            "KK_PROD_API_URL": cfg.api_url,
            "KK_PROD_RASA_URL": cfg.rasa_url,  # nginx
            "KK_PROD_RASA_REPLICA_URLS": " ".join(
                f"http://127.0.0.1:{port}" for port in topology.rasa_ports
            ),
            "KK_PROD_ACTIONS_URL": cfg.actions_url,  # nginx
            "KK_PROD_TRACKER_DB_URL": cfg.tracker_db_url,
            "KK_PROD_REDIS_URL": topology.redis_url,
            "KK_PROD_LOG_DIR": str(cfg.log_dir),
            "KK_PROD_SERVICE_TOKEN": env["KK_SERVICE_TOKEN"],
        }

    def _cleanup(self, name: str, fn) -> None:
        """Run a cleanup step that neither a second Ctrl-C nor its own failure can abort."""
        with shielded():
            try:
                self.runner.step(name, fn)
            except StepFailed as exc:
                self.runner.print(exc.report())

    # --- suites ----------------------------------------------------------------------------

    def run_suite(self, suite: Suite) -> SuiteResult:
        if suite.validate:
            if not bot_present():
                return SuiteResult(
                    suite.name, "absent", note=f"{rel(RASA_CONFIG)} does not exist yet"
                )
        elif not suite.lint:
            directory = REPO / suite.path
            if not directory.is_dir():
                return SuiteResult(suite.name, "absent", note=f"{suite.path}/ does not exist yet")
            if not has_tests(directory):
                return SuiteResult(
                    suite.name, "absent", note=f"{suite.path}/ has no test files yet"
                )
        if suite.needs_model and bot_present() and self.venv("bot") is None:
            problem = self.model()
            if problem:
                return SuiteResult(suite.name, "failed", failed=1, note=f"not run: {problem}")
        needed = [suite.venv] + (["api"] if suite.system or suite.production else [])
        if (suite.system or suite.production or suite.lint) and bot_present():
            needed.append("bot")  # the lint suite's mypy of bot/ and actions/ runs there
        for name in dict.fromkeys(needed):
            problem = self.venv(name)
            if problem:
                return SuiteResult(suite.name, "failed", failed=1, note=f"not run: {problem}")
        self.runner.print(f"\n=== {suite.name} ===")
        started = time.monotonic()
        with ExitStack() as stack:
            env = self.base_env()
            try:
                if suite.browser:
                    env.update(self.prepare_browser())
                if suite.postgres:
                    env.update(self.start_postgres(stack))
                if suite.system:
                    env.update(self.shared_system(fresh=suite.fresh_system))
                if suite.production:
                    env.update(self.start_production_system(stack))
            except StepFailed as exc:
                self.runner.print(exc.report())
                return SuiteResult(
                    suite.name,
                    "failed",
                    failed=1,
                    seconds=time.monotonic() - started,
                    note=f'not run: step "{exc.step}" failed',
                )
            try:
                if suite.validate:
                    result = self._validate(suite, env)
                elif suite.lint:
                    result = self._lint(suite, env)
                else:
                    result = self._pytest(suite, env)
            except KeyboardInterrupt:
                self.runner.print("")  # pytest's output may end mid-line
                raise
        result.seconds = time.monotonic() - started
        return result

    def _pytest(self, suite: Suite, env: dict) -> SuiteResult:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        xml = RESULTS_DIR / f"{suite.name.replace(' ', '-').replace('(', '').replace(')', '')}.xml"
        xml.unlink(missing_ok=True)
        cmd = [self.python(suite.venv), "-m", "pytest", suite.path, f"--junitxml={xml}"]
        if suite.venv == "host":
            cmd.append(f"--confcutdir={suite.path}")  # tests/conftest.py may need a venv
        started = time.monotonic()
        timeout = float(self.environ.get("KK_TEST_TIMEOUT", 1800))
        try:
            rc = run_logged(cmd, None, env=env, cwd=REPO, check=False, timeout=timeout)
        except CommandFailed:
            return SuiteResult(
                suite.name,
                "failed",
                failed=1,
                note=f"stopped after {timeout:.0f}s (KK_TEST_TIMEOUT)",
            )
        result = pytest_result(suite.name, rc, junit_counts(xml), time.monotonic() - started)
        if (suite.system or suite.production) and result.failed:
            logs = LOGS / ("production" if suite.production else "e2e")
            result.note = ((result.note + "; ") if result.note else "") + (
                f"service logs in {rel(logs)}/"
            )
        return result

    def _validate(self, suite: Suite, env: dict) -> SuiteResult:
        log = LOGS / "validate.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("")
        try:
            rc = run_logged(
                [str(venvs.BOT.bin("rasa")), *VALIDATE_CMD],
                log,
                env=env,
                cwd=REPO,
                check=False,
                timeout=900,
            )
            why = f"exit code {rc}"
        except CommandFailed as exc:
            rc, why = None, exc.message
        if rc == 0:
            self.runner.print(f"rasa data validate: ok (log {rel(log)})")
            return SuiteResult(suite.name, "passed", passed=1)
        self.runner.print(f"rasa data validate failed ({why}). Last lines of {rel(log)}:")
        for line in log_tail(log, 40):
            self.runner.print(f"  | {line}")
        return SuiteResult(suite.name, "failed", failed=1, note=why)

    def _lint(self, suite: Suite, env: dict) -> SuiteResult:
        """Each of LINT_CHECKS with the api venv's tools: one JUnit test case per check."""
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        xml = RESULTS_DIR / "lint.xml"
        xml.unlink(missing_ok=True)
        env = dict(
            env,
            RUFF_CACHE_DIR=str(VAR / "ruff-cache"),
            MYPY_CACHE_DIR=str(VAR / "mypy-cache"),
            NO_COLOR="1",
        )
        cases = []
        for name, venv, tool, args in LINT_CHECKS:
            program = (venvs.API if venv == "api" else venvs.BOT).bin(tool)
            log = LOGS / f"lint-{name.replace(' ', '-').replace('--', '')}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text("")
            started = time.monotonic()
            if not program.exists():
                rc, why = None, f"{rel(program)} is missing (it comes with the `test` extra)"
            else:
                try:
                    rc = run_logged(
                        [str(program), *args], log, env=env, cwd=REPO, check=False, timeout=600
                    )
                    why = f"exit code {rc}"
                except CommandFailed as exc:
                    rc, why = None, exc.message
            output = log.read_text(errors="replace").strip()
            cases.append(LintCase(name, rc == 0, why, output, time.monotonic() - started))
            if rc == 0:
                self.runner.print(f"{name}: ok")
                continue
            self.runner.print(f"{name} failed ({why}). Last lines of {rel(log)}:")
            for line in log_tail(log, 40):
                self.runner.print(f"  | {line}")
        write_lint_junit(xml, suite.name, cases)
        failed = [c.name for c in cases if not c.ok]
        if not failed:
            return SuiteResult(suite.name, "passed", passed=len(cases))
        self.runner.print(LINT_FIX)
        return SuiteResult(
            suite.name,
            "failed",
            passed=len(cases) - len(failed),
            failed=len(failed),
            note=", ".join(failed),
        )


@dataclass
class LintCase:
    name: str
    ok: bool
    why: str
    output: str
    seconds: float


def write_lint_junit(xml: Path, suite_name: str, cases: list[LintCase]) -> None:
    """JUnit XML like pytest's: a failing check carries its output."""
    root = ET.Element("testsuites")
    failures = sum(not c.ok for c in cases)
    suite = ET.SubElement(
        root,
        "testsuite",
        name=suite_name,
        tests=str(len(cases)),
        failures=str(failures),
        errors="0",
        skipped="0",
        time=f"{sum(c.seconds for c in cases):.3f}",
    )
    for case in cases:
        element = ET.SubElement(
            suite, "testcase", classname=suite_name, name=case.name, time=f"{case.seconds:.3f}"
        )
        if not case.ok:
            failure = ET.SubElement(element, "failure", message=f"{case.name}: {case.why}")
            failure.text = f"{case.output}\n{LINT_FIX}"
    ET.ElementTree(root).write(xml, encoding="utf-8", xml_declaration=True)


def _pick_port(environ: dict, name: str, default: int) -> int:
    if environ.get(name):
        return int(environ[name])
    return default if not port_in_use(default) else free_port()


def unwired_test_dirs(tests_root: Path = REPO / "tests") -> list[str]:
    """tests/<dir> with test files that no suite runs (they would silently never run)."""
    known = {s.path for s in SUITES if s.path}
    if not tests_root.is_dir():
        return []
    return sorted(
        f"tests/{d.name}"
        for d in tests_root.iterdir()
        if d.is_dir() and f"tests/{d.name}" not in known and has_tests(d)
    )


def select(args: list[str]) -> list[Suite]:
    keys = {s.key for s in SUITES}
    unknown = [a for a in args if a not in keys]
    if unknown:
        raise SystemExit(
            f"unknown suite(s): {', '.join(unknown)}; choose from "
            f"{', '.join(dict.fromkeys(s.key for s in SUITES))}"
        )
    return [s for s in SUITES if not args or s.key in args]


def main(argv: list[str]) -> int:
    install_signal_handlers()
    suites = select(argv)
    runner = StepRunner(LOGS)
    session = Session(runner, dict(os.environ))
    started = time.monotonic()
    results: list[SuiteResult] = []
    interrupted = False
    try:
        for d in pg_cluster.reap():
            runner.print(f"(removed a PostgreSQL cluster left behind by a killed run: {d})")
    except pg_cluster.PgError:
        pass
    if not argv:
        for path in unwired_test_dirs():
            runner.print(
                f"{path}/ has tests that ./kk test does not know: add it to SUITES "
                f"in tools/run_tests.py (with the venv it needs)."
            )
            results.append(SuiteResult(path, "failed", failed=1, note="not wired into ./kk test"))
    try:
        for number, suite in enumerate(suites):
            if not suite.needs_model:
                session.train_ahead(suites[number:])
            results.append(session.run_suite(suite))
            if not any(later.system for later in suites[number + 1 :]):
                session.stop_shared_system()  # no later suite needs it
    except KeyboardInterrupt:
        interrupted = True
        runner.print("\nInterrupted; everything started for the tests has been stopped.")
    finally:
        session.stop_shared_system()
    runner.print(f"\nTest results ({time.monotonic() - started:.0f}s):")
    for res in results:
        runner.print(res.line())
    if interrupted:
        results.append(SuiteResult("interrupted", "failed", failed=1))
    runner.print(summary_line(results))
    if interrupted:
        return 130
    return 1 if any(r.failed for r in results) else 0
