import io
import sys

import pytest

from tools.errors import StepError
from tools.steps import StepFailed, StepRunner, log_tail


def _runner(tmp_path):
    out = io.StringIO()
    return StepRunner(tmp_path / "logs", out=out), out


def test_successful_step_reports_duration_and_returns_value(tmp_path):
    runner, out = _runner(tmp_path)
    assert runner.step("compute answer", lambda ctx: 42) == 42
    line = out.getvalue().splitlines()[-1]
    assert line.startswith("[ ok ] compute answer") and line.rstrip().endswith("s")
    assert runner.results[-1].status == "ok"


def test_skip_is_reported_with_reason(tmp_path):
    runner, out = _runner(tmp_path)
    assert runner.step("install api venv", lambda ctx: ctx.skip("up to date")) is None
    assert "[skip] install api venv" in out.getvalue()
    assert "up to date" in out.getvalue()


def test_failing_command_names_step_shows_log_tail_and_hint(tmp_path):
    runner, out = _runner(tmp_path)
    script = "import sys; print('line one'); print('the real error: no such table'); sys.exit(3)"
    with pytest.raises(StepFailed) as info:
        runner.step(
            "migrate database",
            lambda ctx: ctx.run([sys.executable, "-c", script]),
            hint="delete var/kk.db",
        )
    report = info.value.report()
    assert 'Step "migrate database" failed' in report
    assert "exited with code 3" in report
    assert "the real error: no such table" in report
    assert "What to do: delete var/kk.db" in report
    assert "migrate-database.log" in report
    assert "[FAIL] migrate database" in out.getvalue()


def test_step_error_hint_wins_and_unexpected_exception_is_logged(tmp_path):
    runner, _ = _runner(tmp_path)

    def raise_step_error(ctx):
        raise StepError("port 8000 is in use", hint="set KK_API_PORT")

    with pytest.raises(StepFailed) as info:
        runner.step("start case service", raise_step_error, hint="generic")
    assert info.value.hint == "set KK_API_PORT"

    def crash(ctx):
        raise ValueError("unexpected")

    with pytest.raises(StepFailed) as info:
        runner.step("seed demo data", crash)
    assert "ValueError: unexpected" in info.value.message
    assert "Traceback" in (tmp_path / "logs" / "seed-demo-data.log").read_text()


def test_log_tail_strips_escape_codes_and_blank_lines(tmp_path):
    log = tmp_path / "x.log"
    log.write_text("a\n\n\x1b[91mred error\x1b[0m\n" + "".join(f"l{i}\n" for i in range(30)))
    tail = log_tail(log, 31)
    assert "red error" in tail and "" not in tail
    assert tail[-1] == "l29" and len(tail) == 31


def test_report_shows_error_lines_that_scrolled_out_of_the_tail(tmp_path):
    runner, _ = _runner(tmp_path)
    script = (
        "print('ActionNotFoundException: utter_faq is not in the domain');"
        "[print(f' - utter_{i}') for i in range(60)]; raise SystemExit(1)"
    )
    with pytest.raises(StepFailed) as info:
        runner.step("train rasa model", lambda ctx: ctx.run([sys.executable, "-c", script]))
    report = info.value.report()
    assert "Error lines earlier in" in report
    assert "ActionNotFoundException: utter_faq is not in the domain" in report
    assert " - utter_59" in report


def test_heartbeat_is_printed_at_most_once_per_interval(tmp_path):
    runner, out = _runner(tmp_path)
    runner.heartbeat = 30

    def slow(ctx):
        for elapsed in (40, 40.5, 41, 55, 71, 72):  # e.g. time since a service was launched
            ctx.tick(elapsed)

    runner.step("wait for Rasa server", slow)
    beats = [line for line in out.getvalue().splitlines() if "still running" in line]
    assert [b.split("(")[-1] for b in beats] == ["40s)", "71s)"]
