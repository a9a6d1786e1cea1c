"""Static checks of the deployment artefacts in deploy/ (`./kk test deploy`, .venvs/deploy).

No container is built or started here (there is no container engine): the Dockerfiles, the
compose file and the Kubernetes manifests are parsed and compared with what the code and
`./kk run` (tools/run_system.py) do; the schema validator, the policy linter, `nginx -t` and
`docker-compose config` run on them. Helpers shared by the test modules live here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
DOCKER = DEPLOY / "docker"
NAMESPACE = "kk-assistenten"
# The three processes: Kubernetes Deployment, compose service, Dockerfile, and the key of
# tools/run_system.py's SystemConfig (`<key>_port`, `<key>_url`).
PROCESSES = {
    "api": {"deployment": "kk-api", "compose": "api", "dockerfile": "api.Dockerfile"},
    "rasa": {"deployment": "kk-rasa", "compose": "rasa", "dockerfile": "rasa.Dockerfile"},
    "actions": {
        "deployment": "kk-actions",
        "compose": "actions",
        "dockerfile": "actions.Dockerfile",
    },
}
WORKLOAD_KINDS = ("Deployment", "Job", "CronJob")


# --- the Kubernetes manifests ---------------------------------------------------------------


def manifest_files() -> list[Path]:
    """deploy/k8s/*.yaml but the kustomization (not a Kubernetes resource)."""
    return sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


@cache
def _documents() -> tuple[tuple[str, dict], ...]:
    docs = []
    for path in manifest_files():
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs.append((path.name, doc))
    return tuple(docs)


def documents() -> list[tuple[str, dict]]:
    """(file name, resource) for every resource in deploy/k8s."""
    return list(_documents())


def resources(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for _, doc in documents() if doc["kind"] == kind}


def pod_template(workload: dict) -> dict:
    """The pod template of a Deployment, Job or CronJob."""
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]


def workloads() -> dict[str, dict]:
    """{name: resource} of every Deployment, Job and CronJob."""
    found = {}
    for kind in WORKLOAD_KINDS:
        found.update(resources(kind))
    return found


def containers(workload: dict) -> list[dict]:
    spec = pod_template(workload)["spec"]
    return spec.get("initContainers", []) + spec["containers"]


def secret_template() -> dict:
    (secret,) = resources("Secret").values()
    return secret


def configmap() -> dict:
    return resources("ConfigMap")["kk-config"]


def container_env(container: dict) -> dict[str, str]:
    """{variable: where from} for one container: "configmap", "secret:<key>" or the value."""
    env: dict[str, str] = {}
    cms = {"kk-config": configmap()}
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        assert ref, f"{container['name']}: envFrom only takes the ConfigMap, got {source}"
        for key in cms[ref["name"]]["data"]:
            env[key] = "configmap"
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
        else:
            ref = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = f"secret:{ref['name']}/{ref['key']}"
    return env


# --- the code's side -----------------------------------------------------------------------


def read(path: str) -> str:
    return (REPO / path).read_text()


def system_defaults() -> dict[str, dict[str, object]]:
    """Ports and health URLs of the processes as `./kk run` starts them (tools/run_system.py):
    {"api": {"port": 8000, "health": "/health", "body": None}, "rasa": {..., "body": "Hello
    from Rasa"}, ...}: the default port of SystemConfig, the path of each Service's
    health_url (the Service named by its port_env) and the text its `healthy` check wants."""
    source = read("tools/run_system.py")
    ports = {m[1]: int(m[2]) for m in re.finditer(r"^\s+(\w+)_port: int = (\d+)", source, re.M)}
    health, body = {}, {}
    for chunk in source.split("Service(")[1:]:
        port_env = re.search(r'port_env="KK_([A-Z]+)_PORT"', chunk)
        url = re.search(r'health_url=f"[^"]*\}(/[^"]*)"', chunk)
        if port_env and url:
            key = port_env[1].lower()
            health[key] = url[1]
            wanted = re.search(r'healthy=lambda [^\n]*"([^"]+)" in body', chunk)
            body[key] = wanted[1] if wanted else None
    found = {
        key: {"port": ports.get(key), "health": health.get(key), "body": body.get(key, 0)}
        for key in PROCESSES
    }
    missing = [k for k, v in found.items() if None in (v["port"], v["health"])]
    assert not missing, (
        f"tools/run_system.py no longer says the port/health URL of {missing}: "
        "update tests/deploy/conftest.py:system_defaults"
    )
    return found


def code_env_names() -> set[str]:
    """Every KK_* variable some process reads: the literals in the code (and the deploy
    entrypoint) plus the case service's pydantic settings (``KK_`` + field name)."""
    names: set[str] = set()
    for top in ("api", "bot", "actions", "kkshared", "deploy/docker"):
        for path in (REPO / top).rglob("*.py"):
            names.update(re.findall(r"\b(KK_[A-Z0-9_]+[A-Z0-9])\b", path.read_text()))
    config = read("api/core/config.py")
    body = config.split("class Settings(BaseSettings):", 1)[1].split("\n    @", 1)[0]
    for field in re.findall(r"^    ([a-z][a-z0-9_]*): ", body, re.M):
        names.add(f"KK_{field.upper()}")
    for endpoints in ("bot/endpoints.yml", "deploy/rasa/endpoints.yml"):  # read by Rasa
        names.update(re.findall(r"\$\{(KK_[A-Z0-9_]+)\}", read(endpoints)))
    return names


def generated_secret_names() -> tuple[str, ...]:
    """The credentials `./kk run` generates (tools/run_system.py: SECRET_NAMES)."""
    source = read("tools/run_system.py")
    block = source.split("SECRET_NAMES = (", 1)[1].split(")", 1)[0]
    return tuple(re.findall(r'"(KK_[A-Z0-9_]+)"', block))


def endpoint_variables() -> set[str]:
    """The ${VAR}s of deploy/rasa/endpoints.yml, as the Rasa image's entrypoint finds them."""
    return set(entrypoint().endpoint_variables(read("deploy/rasa/endpoints.yml")))


@cache
def entrypoint():
    """deploy/docker/rasa_entrypoint.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location(
        "kk_rasa_entrypoint", DOCKER / "rasa_entrypoint.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the Dockerfiles ------------------------------------------------------------------------


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines, current = [], ""
    for raw in path.read_text().splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue
        current += (" " if current else "") + stripped.rstrip("\\").strip()
        if not stripped.endswith("\\"):
            lines.append(current)
            current = ""
    result = []
    for line in lines:
        word, _, rest = line.partition(" ")
        result.append((word.upper(), rest.strip()))
    return result


def stages(path: Path) -> list[list[tuple[str, str]]]:
    """The instructions of each build stage (FROM starts one)."""
    found: list[list[tuple[str, str]]] = []
    for instruction in dockerfile_instructions(path):
        if instruction[0] == "FROM":
            found.append([])
        found[-1].append(instruction)
    return found


# --- Debian packages for the checks that need a real program --------------------------------


def debian_tool(program: str, package: str) -> str:
    """The path of ``program``; installs the Debian package when missing (root only), else the
    test is skipped with the reason."""
    found = shutil.which(program) or next(
        (p for p in (f"/usr/sbin/{program}", f"/usr/bin/{program}") if os.path.exists(p)), None
    )
    if found:
        return found
    if os.geteuid() != 0:
        pytest.skip(f"{program} is missing and installing {package} needs root")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    apt = ["apt-get", "-o", "DPkg::Lock::Timeout=300"]
    try:
        subprocess.run([*apt, "update"], env=env, capture_output=True, timeout=600, check=False)
        done = subprocess.run(
            [*apt, "install", "-y", "--no-install-recommends", package],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"could not install {package} with apt-get: {error}")
    found = shutil.which(program) or (
        f"/usr/sbin/{program}" if os.path.exists(f"/usr/sbin/{program}") else None
    )
    if done.returncode != 0 or not found:
        pytest.skip(f"apt-get install {package} failed: {done.stderr.strip()[-500:]}")
    return found


def image_env(dockerfile: str) -> dict[str, str]:
    """The ENV of a Dockerfile's last stage (what every container of that image starts with)."""
    env: dict[str, str] = {}
    for word, rest in stages(DOCKER / dockerfile)[-1]:
        if word == "ENV":
            for item in shlex.split(rest):
                key, _, value = item.partition("=")
                env[key] = value.replace("$PATH", "/usr/local/bin:/usr/bin:/bin")
    return env


IMAGE_DOCKERFILE = {
    "kk-api": "api.Dockerfile",
    "kk-rasa": "rasa.Dockerfile",
    "kk-actions": "actions.Dockerfile",
}


def image_of(reference: str) -> str | None:
    """ "kk-api" for ".../kk-api:0.1.0"; None for an image not built here."""
    name = reference.rsplit("/", 1)[-1].split(":", 1)[0]
    return name if name in IMAGE_DOCKERFILE else None


def sample_secret_values() -> dict[str, str]:
    """The Secret template's keys with its <placeholders> replaced by random hex (valid in
    URLs, long enough for every length check)."""
    data = secret_template()["stringData"]
    return {
        key: re.sub(r"<[^>]*>", lambda _: secrets.token_hex(24), value)
        for key, value in data.items()
    }


def k8s_container_env(workload: str, secret_values: dict[str, str] | None = None) -> dict:
    """The environment one workload's (only) container starts with: the image's ENV, the
    ConfigMap, its Secret keys (sample values)."""
    (container,) = containers(workloads()[workload])
    values = secret_values or sample_secret_values()
    env = dict(image_env(IMAGE_DOCKERFILE[image_of(container["image"])]))
    data = configmap()["data"]
    for key, source in container_env(container).items():
        if source == "configmap":
            env[key] = data[key]
        elif source.startswith("secret:"):
            env[key] = values[source.rsplit("/", 1)[1]]
        else:
            env[key] = source
    return env


# --- the compose file -----------------------------------------------------------------------


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def interpolate(value: str, environ: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error}; $$ is a literal $."""

    def one(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"] or ""
        if environ.get(name):
            return environ[name]
        if op == ":?":
            raise KeyError(f"{name}: {arg}")
        return arg

    pattern = r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}"
    return re.sub(pattern, one, value).replace("$$", "$")


def compose_service_env(service: str, environ: dict[str, str]) -> dict[str, str]:
    """A compose service's environment: the image's ENV, its env_files (as
    deploy/make_secrets.py writes them), its `environment` (interpolated with ``environ``)."""
    spec = compose()["services"][service]
    env: dict[str, str] = {}
    image = image_of(spec["image"])
    if image:
        env.update(image_env(IMAGE_DOCKERFILE[image]))
    files = make_secrets().env_files()
    for name in spec.get("env_file", []):
        env.update(files[Path(name).name])
    for key, value in (spec.get("environment") or {}).items():
        env[key] = interpolate(str(value), environ)
    return env


@cache
def make_secrets():
    spec = importlib.util.spec_from_file_location("kk_make_secrets", DEPLOY / "make_secrets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the processes' own settings code, in their venvs ----------------------------------------


def run_in_venv(venv: str, script: str, env: dict[str, str]) -> dict:
    """Run ``script`` with .venvs/<venv>'s Python in ``env`` only (plus PATH and the repository
    on PYTHONPATH); it prints one JSON object. Skipped when that venv is not installed (`./kk
    test` installs it for its own suites; `./kk test deploy` alone does not)."""
    from tools import venvs
    from tools.fingerprint import read_stamp

    spec = venvs.SPECS[venv]
    python = spec.python
    if not python.exists():
        pytest.skip(f".venvs/{venv} is not installed: run `./kk test` (or `./kk run`) once")
    if read_stamp(spec.stamp) != venvs.stamp_value(spec, spec.version):
        pytest.skip(
            f".venvs/{venv} is older than {spec.lock.name}/pyproject.toml: `./kk test` updates "
            "it (its own suites run before this one)"
        )
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [str(python), "-c", script],
        env={**env, **base, "HOME": tempfile.mkdtemp(prefix="kk-deploy-home-")},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{venv} venv: {done.stderr.strip()[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])
