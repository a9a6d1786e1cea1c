"""What the schemas do not check in deploy/k8s: probes on the processes' real health URLs and
ports, non-root and locked-down containers, pinned images, resources, disruption budgets, the
autoscaler, Services and the Ingress pointing at what exists."""

from __future__ import annotations

import re

import pytest
import tomllib

from tests.deploy.conftest import (
    PROCESSES,
    REPO,
    containers,
    pod_template,
    resources,
    system_defaults,
    workloads,
)

PROJECT_VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
IMAGE = re.compile(r"^[a-z0-9.\-]+(/[a-z0-9.\-_]+)+/kk-(api|rasa|actions):(?P<tag>[0-9][\w.\-]*)$")
DEPLOYMENTS = {key: names["deployment"] for key, names in PROCESSES.items()}


def the_container(deployment: str) -> dict:
    (container,) = containers(resources("Deployment")[deployment])
    return container


def port_number(container: dict, port: int | str) -> int:
    if isinstance(port, int):
        return port
    (number,) = [p["containerPort"] for p in container["ports"] if p.get("name") == port]
    return number


@pytest.mark.parametrize("process", sorted(PROCESSES))
@pytest.mark.parametrize("probe", ["startupProbe", "readinessProbe", "livenessProbe"])
def test_probes_use_the_processes_health_urls(process, probe):
    """The same URL `./kk run` waits for (tools/run_system.py), on the same port."""
    want = system_defaults()[process]
    container = the_container(DEPLOYMENTS[process])
    assert probe in container, f"{DEPLOYMENTS[process]} has no {probe}"
    http = container[probe]["httpGet"]
    assert http["path"] == want["health"]
    assert port_number(container, http["port"]) == want["port"]
    assert container[probe].get("timeoutSeconds", 1) >= 2


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_services_expose_the_process_port(process):
    name = DEPLOYMENTS[process]
    deployment = resources("Deployment")[name]
    service = resources("Service")[name]
    labels = pod_template(deployment)["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    (port,) = service["spec"]["ports"]
    container = the_container(name)
    assert port["port"] == system_defaults()[process]["port"]
    assert port_number(container, port["targetPort"]) == system_defaults()[process]["port"]


@pytest.mark.parametrize("name", sorted(workloads()))
def test_every_pod_runs_locked_down(name):
    workload = workloads()[name]
    spec = pod_template(workload)["spec"]
    assert spec["automountServiceAccountToken"] is False
    assert not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC")
    pod = spec["securityContext"]
    assert pod["runAsNonRoot"] is True and pod["runAsUser"] >= 10000
    assert pod["seccompProfile"]["type"] == "RuntimeDefault"
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for container in containers(workload):
        sc = container["securityContext"]
        assert sc["runAsNonRoot"] is True and sc.get("runAsUser", pod["runAsUser"]) != 0
        assert sc["allowPrivilegeEscalation"] is False
        assert sc["readOnlyRootFilesystem"] is True
        assert sc.get("privileged", False) is False
        assert sc["capabilities"]["drop"] == ["ALL"] and not sc["capabilities"].get("add")
        assert sc["seccompProfile"]["type"] == "RuntimeDefault"
        # The only writable place: an emptyDir at /tmp (HOME, Rasa's unpacked model).
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        assert set(mounts) == {"/tmp"}, f"{name}: writable paths {sorted(mounts)}"
        assert "emptyDir" in volumes[mounts["/tmp"]]
        assert volumes[mounts["/tmp"]]["emptyDir"].get("sizeLimit")


@pytest.mark.parametrize("name", sorted(workloads()))
def test_images_are_ours_pinned_to_the_project_version(name):
    """Exact tags (never latest); the tag is pyproject.toml's version. Digests: see
    deploy/.checkov.yaml (CKV_K8S_43)."""
    for container in containers(workloads()[name]):
        match = IMAGE.match(container["image"])
        assert match, f"{name}: image {container['image']!r} is not a pinned kk-* image"
        assert match["tag"] == PROJECT_VERSION
        assert container["imagePullPolicy"] == "Always"


def test_each_workload_uses_the_image_of_its_process():
    images = {
        n: [c["image"].rsplit("/", 1)[1] for c in containers(w)] for n, w in workloads().items()
    }
    v = PROJECT_VERSION
    assert images == {
        "kk-api": [f"kk-api:{v}"],
        "kk-rasa": [f"kk-rasa:{v}"],
        "kk-actions": [f"kk-actions:{v}"],
        "kk-migrate": [f"kk-api:{v}"],
        "kk-retention-api": [f"kk-api:{v}"],
        "kk-retention-bot": [f"kk-rasa:{v}"],
    }


# Rasa's channels (bot/credentials.yml) by who may call them.
PUBLIC_CHANNELS = ("rest", "kk", "sms")  # browsers, GatewayAPI
INTERNAL_CHANNELS = ("catalogue_preview",)  # the case service only


def public_channels() -> tuple[str, ...]:
    """The public channels; fails when bot/credentials.yml has one neither list names."""
    from tools.run_system import SystemConfig, channel_urls

    names = [name for name, _ in channel_urls(SystemConfig())]
    unknown = [n for n in names if n not in PUBLIC_CHANNELS + INTERNAL_CHANNELS]
    assert not unknown, f"say whether {unknown} is public (tests/deploy/test_k8s_workloads.py)"
    assert set(PUBLIC_CHANNELS) <= set(names)
    return PUBLIC_CHANNELS


def _quantity(value: str) -> float:
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    for suffix, factor in units.items():
        if value.endswith(suffix):
            return float(value[: -len(suffix)]) * factor
    return float(value)


@pytest.mark.parametrize("name", sorted(workloads()))
def test_every_container_has_requests_within_limits(name):
    for container in containers(workloads()[name]):
        res = container["resources"]
        for kind in ("cpu", "memory"):
            request, limit = res["requests"][kind], res["limits"][kind]
            assert _quantity(request) <= _quantity(limit), f"{name}: {kind}"


def test_rasa_has_the_memory_it_was_measured_with():
    """docs/load_benchmark.md measured ~1.1 GB resident for the Rasa server."""
    res = the_container("kk-rasa")["resources"]
    assert _quantity(res["requests"]["memory"]) >= 1.1e9
    assert _quantity(res["limits"]["memory"]) >= 1.5 * 1.1e9


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_every_deployment_has_two_replicas_and_a_disruption_budget(process):
    name = DEPLOYMENTS[process]
    deployment = resources("Deployment")[name]
    assert deployment["spec"]["replicas"] >= 2
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    pdb = resources("PodDisruptionBudget")[name]
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"]["selector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
    assert pdb["spec"]["minAvailable"] == 1  # one pod may be evicted at a time, one stays


def test_rasa_scales_with_an_autoscaler():
    (hpa,) = resources("HorizontalPodAutoscaler").values()
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "kk-rasa",
    }
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    # Utilization is relative to the CPU request, which therefore must be set.
    assert the_container("kk-rasa")["resources"]["requests"]["cpu"]


def test_ingress_routes_tls_hosts_to_api_and_rasa_channels_only():
    (ingress,) = resources("Ingress").values()
    services = resources("Service")
    tls_hosts = {h for t in ingress["spec"]["tls"] for h in t["hosts"]}
    routes = {}
    for rule in ingress["spec"]["rules"]:
        assert rule["host"] in tls_hosts, f"{rule['host']} without TLS"
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            service = services[backend["name"]]
            assert backend["port"]["number"] in [p["port"] for p in service["spec"]["ports"]]
            routes[(rule["host"], path["path"])] = backend["name"]
    assert set(routes.values()) == {"kk-api", "kk-rasa"}
    # Rasa: only the public channels' webhooks, not its other routes.
    assert sorted(p for (_, p), name in routes.items() if name == "kk-rasa") == sorted(
        f"/webhooks/{c}/webhook" for c in public_channels()
    )
    config = resources("ConfigMap")["kk-config"]["data"]
    rasa_host = next(h for (h, _), name in routes.items() if name == "kk-rasa")
    api_host = next(h for (h, _), name in routes.items() if name == "kk-api")
    assert config["KK_RASA_PUBLIC_URL"] == f"https://{rasa_host}"
    assert config["KK_CORS_ORIGINS"] == f"https://{api_host}"


def test_jobs_migrate_and_apply_retention_like_kk_run():
    jobs = workloads()
    (migrate,) = containers(jobs["kk-migrate"])
    assert "python -m api.cli migrate" in " ".join(migrate["command"])
    (api_retention,) = containers(jobs["kk-retention-api"])
    assert api_retention["command"] == ["python", "-m", "api.retention"]
    (bot_retention,) = containers(jobs["kk-retention-bot"])
    assert bot_retention["command"] == ["python", "-m", "bot.retention"]
    for name in ("kk-retention-api", "kk-retention-bot"):
        spec = jobs[name]["spec"]
        assert spec["concurrencyPolicy"] == "Forbid"
        assert spec["timeZone"] == "Europe/Copenhagen"
        assert len(spec["schedule"].split()) == 5 and spec["schedule"].split()[2:] == [
            "*",
            "*",
            "*",
        ], "daily, as ./kk run (KK_RETENTION_INTERVAL_HOURS=24)"
