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
