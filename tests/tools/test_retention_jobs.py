"""`./kk run` runs the retention jobs at start and then every KK_RETENTION_INTERVAL_HOURS, in
the background (tools/run_system.RetentionJobs; the jobs themselves: tests/api, tests/bot)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from tools import run_system
from tools.processes import Supervisor
from tools.run_system import RetentionJobs, SystemConfig, retention_interval


def _cfg(tmp_path: Path, with_bot: bool = True) -> SystemConfig:
    cfg = SystemConfig.from_env({}, data_dir=tmp_path, log_dir=tmp_path / "logs")
    cfg.with_bot = with_bot
    return cfg


ENV = {"KK_DATABASE_URL": "sqlite:///x.db", "KK_TRACKER_DB_URL": "sqlite:///t.db"}


def test_interval_defaults_to_a_day_and_is_validated() -> None:
    assert retention_interval({}) == 24 * 3600
    assert retention_interval({"KK_RETENTION_INTERVAL_HOURS": "0.5"}) == 1800
    for bad in ("0", "-1", "daily", "nan"):
        with pytest.raises(SystemExit, match="KK_RETENTION_INTERVAL_HOURS"):
            retention_interval({"KK_RETENTION_INTERVAL_HOURS": bad})


def test_both_jobs_with_the_bot_and_none_without_the_processes_environment(tmp_path) -> None:
    jobs = RetentionJobs(_cfg(tmp_path), ENV, print)
    assert [cmd[-2:] for cmd in jobs.commands] == [
        ["-m", "api.retention"],
        ["-m", "bot.retention"],
    ]
    assert [c[-1] for c in RetentionJobs(_cfg(tmp_path, False), ENV, print).commands] == [
        "api.retention"
    ]
    assert RetentionJobs(_cfg(tmp_path), {}, print).commands == []


def _wait(jobs: RetentionJobs) -> None:
    deadline = time.monotonic() + 10
    while jobs.running and time.monotonic() < deadline:
        jobs.poll()
        time.sleep(0.05)
    assert not jobs.running


def test_jobs_run_in_the_background_log_and_report_failures(tmp_path) -> None:
    reported: list[str] = []
    jobs = RetentionJobs(_cfg(tmp_path), ENV, reported.append, interval=3600)
    jobs.commands = [
        [sys.executable, "-c", "print('slettet 3')"],
        [sys.executable, "-c", "import sys; sys.exit(3)"],
    ]
    assert jobs.poll() is True  # due at start
    jobs.start()
    assert jobs.poll() is False  # next run in an hour
    _wait(jobs)
    log = (tmp_path / "logs" / "retention.log").read_text()
    assert "slettet 3" in log and "$ -c print('slettet 3')" in log
    assert len(reported) == 1 and "failed (exit code 3)" in reported[0]


def test_a_run_still_going_is_not_started_twice(tmp_path) -> None:
    reported: list[str] = []
    jobs = RetentionJobs(_cfg(tmp_path), ENV, reported.append, interval=0.01)
    jobs.commands = [[sys.executable, "-c", "import time; time.sleep(30)"]]
    try:
        jobs.start()
        first = jobs.running[0][1]
        time.sleep(0.05)
        jobs.start()
        assert jobs.running[0][1] is first and len(jobs.running) == 1
        assert "skipped" in reported[0]
    finally:
        jobs.stop()
    assert first.poll() is not None


def test_watch_returns_when_the_next_run_is_due(tmp_path) -> None:
    jobs = RetentionJobs(_cfg(tmp_path), ENV, print, interval=0.2)
    jobs.commands = []
    jobs.start()
    started = time.monotonic()
    assert Supervisor(report=lambda line: None).watch(poll=0.02, until=jobs.poll) is None
    assert 0.15 < time.monotonic() - started < 5


def test_training_ignores_the_retention_module() -> None:
    assert run_system.REPO / "bot" / "retention.py" in run_system.TRAIN_EXCLUDE


def test_kk_run_runs_the_jobs_at_start_and_again_when_due(tmp_path, monkeypatch, capsys) -> None:
    """tools/run_system.main: the jobs start once everything is up, then each time they are due;
    Ctrl-C stops them with the rest."""
    import signal

    cfg = _cfg(tmp_path)
    marker = tmp_path / "runs"
    starts: list[float] = []

    class Jobs(RetentionJobs):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.commands = [[sys.executable, "-c", f"open({str(marker)!r}, 'a').write('x')"]]

        def start(self) -> None:
            starts.append(time.monotonic())
            if len(starts) == 3:
                raise KeyboardInterrupt
            super().start()

    monkeypatch.setattr(run_system.SystemConfig, "from_env", classmethod(lambda c, e: cfg))
    monkeypatch.setattr(run_system, "start_system", lambda runner, sup, cfg, environ: dict(ENV))
    monkeypatch.setattr(run_system, "print_urls", lambda runner, cfg: None)
    monkeypatch.setattr(run_system, "RetentionJobs", Jobs)
    monkeypatch.setenv("KK_RETENTION_INTERVAL_HOURS", str(0.3 / 3600))
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        assert run_system.main([]) == 0
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert len(starts) == 3 and 0.25 < starts[1] - starts[0] < 5
    assert marker.read_text().startswith("x")
    assert "deleted now and every" in capsys.readouterr().out
