import sys

import pytest

from tools import venvs
from tools.errors import StepError
from tools.venv_check import (
    canonicalize_name,
    compare_with_lock,
    missing_requirements,
    project_requirements,
    read_freeze,
    read_lock,
)

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


LOCK = """\
# Lock for .venvs/api (header comment)
annotated-types==0.8.0 \\
    --hash=sha256:13b2beaad985e05e2d6407ee4c4f35590b11f8d693a258a561055cac8f64cab7 \\
    --hash=sha256:f072f4d804ea359e4eaf198b1af7a8b0943881a87f31bb764f8bf219bb9419e0
    # via pydantic
psycopg[binary]==3.2.9 \\
    --hash=sha256:aaaa
ruamel-yaml==0.17.21 --hash=sha256:bbbb
    # via
    #   rasa
    #   rasa-sdk
setuptools==70.3.0
only-on-windows==1.0 ; sys_platform == "win32"
"""

FREEZE = """\
-e git+https://example.invalid/kk.git@abc#egg=kk_assistenten
annotated_types==0.8.0
psycopg==3.2.9
ruamel.yaml==0.17.21
setuptools==70.3.0
"""


def test_stamp_changes_with_lock_pyproject_extras_and_python(tmp_path):
    py = tmp_path / "pyproject.toml"
    py.write_text(PYPROJECT)
    lock = tmp_path / "api.lock.txt"
    lock.write_text(LOCK)
    base = venvs.stamp_value(venvs.API, (3, 11), lock, py)
    assert venvs.stamp_value(venvs.API, (3, 11), lock, py) == base
    assert venvs.stamp_value(venvs.BOT, (3, 11), lock, py) != base  # other extras
    assert venvs.stamp_value(venvs.API, (3, 10), lock, py) != base
    lock.write_text(LOCK.replace("annotated-types==0.8.0", "annotated-types==0.7.0"))
    changed_lock = venvs.stamp_value(venvs.API, (3, 11), lock, py)
    assert changed_lock != base  # a new pin installs again
    py.write_text(PYPROJECT.replace("pytest>=1", "pytest>=2", 1))
    assert venvs.stamp_value(venvs.API, (3, 11), lock, py) not in (base, changed_lock)


def test_stamp_defaults_to_the_specs_lock(tmp_path, monkeypatch):
    monkeypatch.setattr(venvs, "LOCKS", tmp_path)
    assert venvs.API.lock == tmp_path / "api.lock.txt"
    assert venvs.BOT.lock == tmp_path / "bot.lock.txt"
    (tmp_path / "api.lock.txt").write_text(LOCK)
    before = venvs.stamp_value(venvs.API, (3, 11))
    (tmp_path / "api.lock.txt").write_text(LOCK + "idna==3.10\n")
    assert venvs.stamp_value(venvs.API, (3, 11)) != before


def test_lock_pins_are_read_with_hashes_extras_and_markers():
    assert read_lock(LOCK) == {
        "annotated-types": "0.8.0",
        "psycopg": "3.2.9",
        "ruamel-yaml": "0.17.21",
        "setuptools": "70.3.0",
    }
    with pytest.raises(ValueError, match="exact pin"):
        read_lock("fastapi>=0.115\n")


def test_pip_freeze_of_a_locked_venv_equals_the_lock():
    locked, frozen = read_lock(LOCK), read_freeze(FREEZE)
    assert frozen == locked  # ruamel.yaml == ruamel-yaml, the editable project skipped
    # pip itself is never counted; setuptools and wheel only when the lock pins them
    assert compare_with_lock(locked, {**frozen, "pip": "24.0", "wheel": "0.45.1"}) == []
    assert compare_with_lock({"idna": "3.10"}, {"idna": "3.10", "setuptools": "65.5.0"}) == []


def test_differences_from_the_lock_are_reported():
    locked = read_lock(LOCK)
    installed = {**read_freeze(FREEZE), "psycopg": "3.2.8", "requests": "2.32.0"}
    del installed["annotated-types"]
    assert compare_with_lock(locked, installed) == [
        "annotated-types==0.8.0 (not installed)",
        "psycopg==3.2.9 (installed 3.2.8)",
        "requests==2.32.0 (installed, not in the lock)",
    ]


@pytest.mark.parametrize("spec", [venvs.API, venvs.BOT], ids=["api", "bot"])
def test_committed_lock_pins_pyprojects_requirements(spec):
    """Each lock is current with pyproject.toml: every requirement of the environment's
    extras (markers evaluated for its Python) pinned inside its range, every pin hashed, the
    project itself not pinned. On failure: run ./kk lock and commit requirements/."""
    text = spec.lock.read_text()
    pins = read_lock(text)
    name, reqs = project_requirements(venvs.REPO / "pyproject.toml", spec.extras.split(","))
    assert canonicalize_name(name) not in pins
    env = {"python_version": "{}.{}".format(*spec.version), "extra": ""}
    stale = []
    for req in reqs:
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        pinned = pins.get(canonicalize_name(req.name))
        if pinned is None or not req.specifier.contains(pinned, prereleases=True):
            stale.append(f"{req} (lock: {pinned})")
    assert stale == [], f"{spec.lock.name} is older than pyproject.toml: run ./kk lock"
    entries = [e for e in text.replace("\\\n", " ").splitlines() if e[:1].isalnum()]
    assert len(entries) == len(pins)
    assert all("--hash=sha256:" in e for e in entries)


def test_bot_lock_leaves_out_what_needs_python_311():
    # test extra: "schemathesis>=4.32,<5; python_version >= '3.11'"
    assert "schemathesis" in read_lock(venvs.API.lock.read_text())
    assert "schemathesis" not in read_lock(venvs.BOT.lock.read_text())


def test_lock_command_rejects_unknown_arguments(capsys):
    assert venvs.lock_main(["--frobnicate"]) == 2
    assert "./kk lock [--upgrade]" in capsys.readouterr().err


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


class _RecordingContext:
    """A step context that records commands; ``fail`` names the programs whose run fails."""

    def __init__(self, fail: tuple[str, ...] = ()):
        self.commands: list[list[str]] = []
        self.said: list[str] = []
        self.fail = fail

    def run(self, cmd, *, cwd=None, check=True, **_):
        cmd = [str(part) for part in cmd]
        self.commands.append(cmd)
        rc = 1 if any(name in " ".join(cmd) for name in self.fail) else 0
        if rc and check:
            raise StepError("failed: " + " ".join(cmd))
        return rc

    def say(self, text):
        self.said.append(text)


def _installs(ctx):
    """(installer, lock) for every command that installs a lock file."""
    return [
        ("uv" if cmd[0].endswith("/uv") else "pip", cmd[-1])
        for cmd in ctx.commands
        if cmd[-2:-1] == ["-r"]
    ]


def test_the_lock_is_installed_with_uv_when_it_is_there(monkeypatch, tmp_path):
    monkeypatch.setattr(venvs, "VENVS", tmp_path)
    monkeypatch.setattr(venvs, "_uv_is_current", lambda: True)
    ctx = _RecordingContext()
    venvs._install_lock(ctx, venvs.API)
    assert _installs(ctx) == [("uv", str(venvs.API.lock))]
    uv_cmd = ctx.commands[0]
    assert "--require-hashes" in uv_cmd and "--compile-bytecode" in uv_cmd
    assert uv_cmd[uv_cmd.index("--python") + 1] == str(venvs.API.python)


def test_pip_installs_the_lock_when_uv_fails(monkeypatch, tmp_path):
    monkeypatch.setattr(venvs, "VENVS", tmp_path)
    monkeypatch.setattr(venvs, "_uv_is_current", lambda: True)
    ctx = _RecordingContext(fail=("uv pip install",))
    venvs._install_lock(ctx, venvs.BOT)
    assert _installs(ctx) == [("uv", str(venvs.BOT.lock)), ("pip", str(venvs.BOT.lock))]
    assert ctx.said == ["uv could not install the lock; installing with pip instead"]


def test_pip_installs_the_lock_when_uv_cannot_be_installed(monkeypatch, tmp_path):
    monkeypatch.setattr(venvs, "VENVS", tmp_path)
    monkeypatch.setattr(venvs, "_uv_is_current", lambda: False)
    ctx = _RecordingContext(fail=(venvs.UV,))
    venvs._install_lock(ctx, venvs.API)
    assert _installs(ctx) == [("pip", str(venvs.API.lock))]
    assert ctx.said == ["uv could not be installed; installing with pip instead"]
