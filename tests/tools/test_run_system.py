import ast
import os
import stat

import pytest

from tools import run_system
from tools.run_system import SystemConfig, channel_urls, ensure_secrets, process_env


def test_secrets_are_generated_once_private_and_env_wins(tmp_path):
    first = ensure_secrets(tmp_path, {})
    path = tmp_path / "secrets.env"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first["KK_JWT_SECRET"]) >= 32 and first["KK_JWT_SECRET"] != first["KK_SERVICE_TOKEN"]
    assert ensure_secrets(tmp_path, {}) == first
    other = ensure_secrets(tmp_path / "other", {})
    assert other["KK_JWT_SECRET"] != first["KK_JWT_SECRET"]
    env_wins = ensure_secrets(tmp_path, {"KK_JWT_SECRET": "from-env"})
    assert env_wins["KK_JWT_SECRET"] == "from-env"
    assert "from-env" not in path.read_text()


def test_config_reads_ports_and_derives_urls(tmp_path):
    cfg = SystemConfig.from_env(
        {"KK_API_PORT": "18100", "KK_RASA_PORT": "15105"}, data_dir=tmp_path
    )
    assert (cfg.api_port, cfg.rasa_port, cfg.actions_port) == (18100, 15105, 5055)
    assert cfg.database_url == f"sqlite:///{tmp_path.resolve() / 'kk.db'}"
    assert cfg.cors_origins == ["http://localhost:18100", "http://127.0.0.1:18100"]
    custom = SystemConfig.from_env({"KK_CORS_ORIGINS": "https://a.example, https://b.example"})
    assert custom.cors_origins == ["https://a.example", "https://b.example"]
    with pytest.raises(SystemExit, match="never '\\*'"):
        SystemConfig.from_env({"KK_CORS_ORIGINS": "http://localhost:8000 *"})


def test_process_env_carries_ports_demo_mode_and_repo_path(tmp_path):
    cfg = SystemConfig.from_env({"KK_ACTIONS_PORT": "15155"}, data_dir=tmp_path)
    env = process_env(
        cfg,
        {"KK_JWT_SECRET": "j", "KK_SERVICE_TOKEN": "s"},
        {"PYTHONPATH": "/x", "VIRTUAL_ENV": "/v"},
    )
    assert env["KK_DEMO_MODE"] == "true" and env["KK_ACTIONS_PORT"] == "15155"
    assert env["KK_API_URL"] == "http://127.0.0.1:8000"
    assert env["PYTHONPATH"].split(os.pathsep) == [str(run_system.REPO), "/x"]
    assert "VIRTUAL_ENV" not in env and env["RASA_TELEMETRY_ENABLED"] == "false"


def test_channel_urls_from_credentials(tmp_path, monkeypatch):
    (tmp_path / "bot" / "channels").mkdir(parents=True)
    (tmp_path / "bot" / "channels" / "web.py").write_text(
        'class WebInput:\n    @classmethod\n    def name(cls) -> str:\n        return "kkweb"\n'
    )
    creds = tmp_path / "bot" / "credentials.yml"
    creds.write_text("# channels\nrest: {}\nbot.channels.web.WebInput:\n  x: 1\n")
    monkeypatch.setattr(run_system, "REPO", tmp_path)
    cfg = SystemConfig(rasa_port=15005)
    assert channel_urls(cfg, creds) == [
        ("rest", "http://127.0.0.1:15005/webhooks/rest/webhook"),
        ("kkweb", "http://127.0.0.1:15005/webhooks/kkweb/webhook"),
    ]


def test_every_service_listens_on_loopback_only(tmp_path):
    cfg = SystemConfig.from_env({}, data_dir=tmp_path, log_dir=tmp_path)
    procs = run_system.services(cfg, {})
    assert procs["api"].cmd[procs["api"].cmd.index("--host") + 1] == "127.0.0.1"
    if "actions" in procs:
        assert procs["actions"].cmd[-3:-1] == ["actions.server", "--port"]  # binds 127.0.0.1 itself
        rasa = procs["rasa"].cmd
        assert rasa[rasa.index("--interface") + 1] == "127.0.0.1"


def test_a_change_of_any_text_analyser_file_retrains_the_model():
    """The model stores its documents' analyses: every analyser file (the same list the training
    analysis cache is keyed by) is a training input, or a query would be analysed by other rules
    than the documents it is ranked against."""
    from kkshared.retrieval.analysis_cache import ANALYSER_FILES

    inputs = [path.resolve() for path in run_system.TRAIN_INPUTS]
    kkshared = run_system.REPO / "kkshared"
    missing = [
        name
        for name in ANALYSER_FILES
        if not any((kkshared / name).resolve().is_relative_to(path) for path in inputs)
    ]
    assert not missing, missing


def _kkshared_imports(path):
    """The kkshared module files ``path`` imports (at any depth of its code, lazy imports too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    found = set()
    for name in names:
        if name.split(".")[0] == "kkshared":
            base = run_system.REPO.joinpath(*name.split("."))
            found |= {f for f in (base.with_suffix(".py"), base / "__init__.py") if f.is_file()}
    return found


def test_every_kkshared_module_the_classifier_imports_retrains_the_model():
    """A change to code the classifier runs retrains it: Rasa's fingerprint hashes all of
    kkshared, and ./kk run asks Rasa only when a TRAIN_INPUTS file changed (before, editing
    kkshared/edit_distance.py, the typo correction's distance, kept the old model)."""
    seen = set()
    todo = list((run_system.REPO / "bot" / "nlu").rglob("*.py"))
    while todo:
        for module in _kkshared_imports(todo.pop()) - seen:
            seen.add(module)
            todo.append(module)
    assert run_system.REPO / "kkshared" / "vocabulary.py" in seen
    inputs = [path.resolve() for path in run_system.TRAIN_INPUTS]
    missing = [
        str(module.relative_to(run_system.REPO))
        for module in seen
        if not any(module.resolve().is_relative_to(path) for path in inputs)
    ]
    assert not missing, sorted(missing)
