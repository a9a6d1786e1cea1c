import pytest

from tools import run_tests
from tools.run_tests import (
    SuiteResult,
    has_tests,
    junit_counts,
    pytest_result,
    select,
    summary_line,
    unwired_test_dirs,
)

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="2" skipped="3" tests="10" time="1.0">
</testsuite></testsuites>"""


def test_junit_counts_treat_errors_as_failures(tmp_path):
    xml = tmp_path / "r.xml"
    xml.write_text(JUNIT)
    assert junit_counts(xml) == (4, 3, 3)
    assert junit_counts(tmp_path / "missing.xml") is None


def test_exit_code_5_with_test_files_is_a_failure():
    res = pytest_result("api", 5, (0, 0, 0), 1.0)
    assert res.status == "failed" and res.failed == 1
    assert "no tests collected" in res.note


def test_crash_without_counted_failures_still_fails():
    res = pytest_result("bot", 3, None, 1.0)
    assert res.status == "failed" and res.failed == 1 and "code 3" in res.note
    ok = pytest_result("bot", 0, (7, 0, 1), 1.0)
    assert ok.status == "passed" and (ok.passed, ok.failed, ok.skipped) == (7, 0, 1)


def test_summary_line_is_plain_counts():
    results = [
        SuiteResult("a", "passed", passed=5),
        SuiteResult("b", "failed", 2, 1),
        SuiteResult("c", "absent"),
    ]
    assert summary_line(results) == "7 passed, 1 failed"


def test_has_tests_and_unwired_dirs(tmp_path, monkeypatch):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "test_x.py").write_text("def test_a(): pass\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "helpers.py").write_text("")
    (tmp_path / "newthing").mkdir()
    (tmp_path / "newthing" / "sub").mkdir()
    (tmp_path / "newthing" / "sub" / "thing_test.py").write_text("")
    assert has_tests(tmp_path / "shared") and not has_tests(tmp_path / "empty")
    assert unwired_test_dirs(tmp_path) == ["tests/newthing"]


def test_missing_suite_dir_is_skipped_not_failed(tmp_path, monkeypatch):
    monkeypatch.setattr(run_tests, "REPO", tmp_path)
    session = run_tests.Session(runner=None, environ={})
    res = session.run_suite(run_tests.Suite("e2e", "e2e", "tests/e2e", "bot", system=True))
    assert res.status == "absent" and "does not exist" in res.note
    (tmp_path / "tests" / "e2e").mkdir(parents=True)
    res = session.run_suite(run_tests.Suite("e2e", "e2e", "tests/e2e", "bot", system=True))
    assert res.status == "absent" and "no test files" in res.note


def test_select_filters_and_rejects_unknown_names():
    assert {s.name for s in select(["shared"])} == {"shared (api venv)", "shared (bot venv)"}
    assert len(select([])) == len(run_tests.SUITES)
    with pytest.raises(SystemExit):
        select(["nonsense"])


def test_web_suite_gets_a_browser_and_the_running_system(tmp_path):
    from tools.steps import Skip

    (web,) = select(["web"])
    assert (web.path, web.venv, web.system, web.browser) == ("tests/web", "api", True, True)

    class Ctx:
        def skip(self, reason):
            raise Skip(reason)

    chromium = tmp_path / "chromium"
    chromium.write_text("")
    with pytest.raises(Skip, match="found"):  # installed: apt-get is not run
        run_tests.Session._install_chromium(Ctx(), chromium)


class _Proc:
    def __init__(self) -> None:
        self.returncode: int | None = None

    def poll(self) -> int | None:
        return self.returncode


class _Service:
    def __init__(self, name: str) -> None:
        self.name, self.proc = name, _Proc()


class _Runner:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def print(self, line: str) -> None:
        self.lines.append(line)


def test_the_system_suites_share_one_started_system_until_a_process_of_it_exits(monkeypatch):
    session = run_tests.Session(runner=_Runner(), environ={})
    started: list[int] = []
    stopped: list[int] = []

    def start(stack):
        number = len(started) + 1
        started.append(number)
        session._system_sup = type("Sup", (), {"services": [_Service("api"), _Service("rasa")]})()
        stack.callback(stopped.append, number)
        return {"KK_E2E_API_URL": f"http://system-{number}"}

    monkeypatch.setattr(session, "start_e2e_system", start)
    assert session.shared_system() == {"KK_E2E_API_URL": "http://system-1"}
    assert session.shared_system() == {"KK_E2E_API_URL": "http://system-1"}  # reused
    assert (started, stopped) == ([1], [])
    session._system_sup.services[1].proc.returncode = -9  # Rasa died: a new system
    assert session.shared_system() == {"KK_E2E_API_URL": "http://system-2"}
    assert (started, stopped) == ([1, 2], [1])
    assert any("lost rasa" in line for line in session.runner.lines)
    assert session.shared_system(fresh=True) == {"KK_E2E_API_URL": "http://system-3"}
    assert (started, stopped) == ([1, 2, 3], [1, 2])
    session.stop_shared_system()
    assert stopped == [1, 2, 3]
    session.stop_shared_system()  # twice is harmless
    assert stopped == [1, 2, 3]


def test_a_failed_start_of_the_shared_system_cleans_up_and_is_tried_again(monkeypatch):
    session = run_tests.Session(runner=_Runner(), environ={})
    calls: list[str] = []

    def start(stack):
        stack.callback(calls.append, "cleanup")
        if len(calls) < 2:
            calls.append("fail")
            raise RuntimeError("boom")
        return {"ok": "1"}

    monkeypatch.setattr(session, "start_e2e_system", start)
    with pytest.raises(RuntimeError):
        session.shared_system()
    assert calls == ["fail", "cleanup"]
    assert session.shared_system() == {"ok": "1"}


def test_the_suites_that_share_the_system_run_one_after_another():
    keys = [s.key for s in run_tests.SUITES]
    system = [n for n, s in enumerate(run_tests.SUITES) if s.system]
    assert [keys[n] for n in system] == ["actions", "e2e", "web"]
    assert system == list(range(system[0], system[0] + len(system)))
    # The e2e tests change the pause message and the catalogue: the browser tests start afresh.
    assert [s.key for s in run_tests.SUITES if s.fresh_system] == ["web"]


def test_the_model_is_trained_ahead_in_the_background_and_waited_for(monkeypatch):
    import threading

    release = threading.Event()
    trained: list[str] = []

    def fake_train(runner, env):
        assert release.wait(10)
        trained.append(threading.current_thread().name)
        runner.print("[ ok ] train rasa model")

    monkeypatch.setattr(run_tests, "train_model", fake_train)
    monkeypatch.setattr(run_tests, "bot_present", lambda: True)
    session = run_tests.Session(runner=_Runner(), environ={})
    bot = run_tests.Suite("bot", "bot", "tests/bot", "bot", needs_model=True)
    session.train_ahead([bot])
    assert session._training is None  # the bot venv is not ready yet
    session._venvs["bot"] = None
    session.train_ahead([])  # no later suite needs a model
    assert session._training is None
    session.train_ahead([bot])
    session.train_ahead([bot])  # once
    assert trained == [] and session._training is not None
    release.set()
    assert session.model() is None
    assert trained == ["train-model"]
    assert "[ ok ] train rasa model" in session.runner.lines
    assert session.model() is None and trained == ["train-model"]  # not trained again


def test_a_failed_background_training_fails_the_suites_that_need_the_model(monkeypatch):
    def fake_train(runner, env):
        raise RuntimeError("no disk")

    monkeypatch.setattr(run_tests, "train_model", fake_train)
    monkeypatch.setattr(run_tests, "bot_present", lambda: True)
    session = run_tests.Session(runner=_Runner(), environ={})
    session._venvs["bot"] = None
    session.train_ahead([run_tests.Suite("bot", "bot", "tests/bot", "bot", needs_model=True)])
    assert session.model() == "training the Rasa model failed"
    assert any("no disk" in line for line in session.runner.lines)
