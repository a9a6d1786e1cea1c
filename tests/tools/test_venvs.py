import sys

import pytest

from tools import venvs
from tools.errors import StepError
from tools.venv_check import missing_requirements, project_requirements

PYPROJECT = """
[project]
name = "demo-proj"
version = "0.1"
dependencies = ["pytest>=1"]
[project.optional-dependencies]
api = ["pytest>=1", "definitely-not-installed-kk>=1"]
test = ["pytest>=999"]
all = ["demo-proj[api]"]
"""


def test_stamp_changes_with_pyproject_extras_and_python(tmp_path):
    py = tmp_path / "pyproject.toml"
    py.write_text(PYPROJECT)
    base = venvs.stamp_value(venvs.API, (3, 11), py)
    assert venvs.stamp_value(venvs.API, (3, 11), py) == base
    assert venvs.stamp_value(venvs.BOT, (3, 11), py) != base  # other extras
    assert venvs.stamp_value(venvs.API, (3, 10), py) != base
    py.write_text(PYPROJECT.replace("pytest>=1", "pytest>=2", 1))
    assert venvs.stamp_value(venvs.API, (3, 11), py) != base


def test_requirements_include_extras_and_self_references(tmp_path):
    py = tmp_path / "pyproject.toml"
    py.write_text(PYPROJECT)
    name, reqs = project_requirements(py, ["all"])
    assert name == "demo-proj"
    assert {r.name for r in reqs} == {"pytest", "definitely-not-installed-kk"}
    with pytest.raises(KeyError):
        project_requirements(py, ["nope"])


def test_missing_and_too_old_packages_are_reported(tmp_path):
    py = tmp_path / "pyproject.toml"
    py.write_text(PYPROJECT)
    _, ok = project_requirements(py, [])
    assert missing_requirements(ok) == []
    _, api = project_requirements(py, ["api"])
    assert any("definitely-not-installed-kk" in p for p in missing_requirements(api))
    _, test = project_requirements(py, ["test"])
    assert any("pytest>=999" in p and "installed" in p for p in missing_requirements(test))


def test_missing_base_python_gives_a_clear_hint(monkeypatch):
    spec = venvs.VenvSpec(
        name="bot",
        extras="bot,test",
        version=(3, 10),
        python_env_var="KK_TEST_NO_SUCH_PYTHON",
        python_candidates=("/nonexistent/python3.10",),
        missing_python_hint="run pyenv install 3.10.13",
    )
    with pytest.raises(StepError) as info:
        venvs.find_base_python(spec, environ={})
    assert "/nonexistent/python3.10 (not found)" in info.value.message
    assert info.value.hint == "run pyenv install 3.10.13"


def test_base_python_of_the_wrong_version_is_rejected():
    version = sys.version_info[:2]
    wrong = (version[0], version[1] + 1)
    spec = venvs.VenvSpec(
        name="x",
        extras="",
        version=wrong,
        python_env_var="X",
        python_candidates=(sys.executable,),
        missing_python_hint="h",
    )
    with pytest.raises(StepError) as info:
        venvs.find_base_python(spec, environ={})
    assert f"is {version[0]}.{version[1]}" in info.value.message
    right = venvs.VenvSpec(
        name="x",
        extras="",
        version=tuple(version),
        python_env_var="X",
        python_candidates=(sys.executable,),
        missing_python_hint="h",
    )
    assert venvs.find_base_python(right, environ={}) == sys.executable
