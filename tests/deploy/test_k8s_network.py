"""The NetworkPolicies of deploy/k8s allow exactly the intended flows.

The policies are evaluated as Kubernetes does (a connection needs an ingress rule of the target
and an egress rule of the source whenever a policy of that kind selects the pod; selectors,
namespace selectors, ipBlocks, named and numbered ports) over a small model of the cluster: the
pods of the manifests with their labels and ports, the ingress controller, kube-dns, strangers
in the namespace and in another namespace (with kk-rasa's labels), PostgreSQL, Redis, a public
HTTPS address and a private one. The result is compared with the list of intended flows.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from itertools import product

from tests.deploy.conftest import NAMESPACE, containers, pod_template, resources, workloads


@dataclass(frozen=True)
class Endpoint:
    name: str
    namespace: str | None = None  # None: outside the cluster (matched by ipBlock only)
    labels: tuple[tuple[str, str], ...] = ()
    ip: str = "10.244.0.1"  # pod addresses are in the cluster's range, not matched by ipBlock
    ports: dict[str, int] = field(default_factory=dict, hash=False, compare=False)

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)


NAMESPACE_LABELS = {
    NAMESPACE: {"kubernetes.io/metadata.name": NAMESPACE},
    "ingress-nginx": {"kubernetes.io/metadata.name": "ingress-nginx"},
    "kube-system": {"kubernetes.io/metadata.name": "kube-system"},
    "other": {"kubernetes.io/metadata.name": "other"},
}


def our_pods() -> dict[str, Endpoint]:
    pods = {}
    for name, workload in workloads().items():
        labels = pod_template(workload)["metadata"]["labels"]
        ports = {
            p.get("name", str(p["containerPort"])): p["containerPort"]
            for c in containers(workload)
            for p in c.get("ports", [])
        }
        pods[name] = Endpoint(name, NAMESPACE, tuple(sorted(labels.items())), ports=ports)
    return pods


def cluster() -> dict[str, Endpoint]:
    kk_rasa_labels = tuple(
        sorted(pod_template(workloads()["kk-rasa"])["metadata"]["labels"].items())
    )
    others = [
        Endpoint("ingress", "ingress-nginx", (("app.kubernetes.io/name", "ingress-nginx"),)),
        Endpoint("kube-dns", "kube-system", (("k8s-app", "kube-dns"),)),
        Endpoint("stranger", NAMESPACE, (("app", "debug-shell"),)),
        Endpoint("impostor", "other", kk_rasa_labels),  # kk-rasa's labels, another namespace
        Endpoint("postgres", None, ip="10.20.0.5"),
        Endpoint("redis", None, ip="10.20.0.6"),
        Endpoint("public-https", None, ip="93.184.216.34"),
        Endpoint("private-https", None, ip="10.0.0.9"),
    ]
    return {**our_pods(), **{e.name: e for e in others}}


def matches(selector: dict | None, labels: dict[str, str]) -> bool:
    if selector is None:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        ok = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[op]
        if not ok:
            return False
    return True


def peer_matches(peer: dict, other: Endpoint) -> bool:
    if "ipBlock" in peer:
        if other.namespace is not None:
            return False  # pod addresses: left to the network plugin; never relied upon here
        address = ipaddress.ip_address(other.ip)
        block = peer["ipBlock"]
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(e) for e in block.get("except", [])
        )
    if other.namespace is None:
        return False
    if "namespaceSelector" in peer:
        if not matches(peer["namespaceSelector"], NAMESPACE_LABELS[other.namespace]):
            return False
    elif other.namespace != NAMESPACE:
        return False
    return matches(peer.get("podSelector"), other.label_map)


def port_matches(rule_ports: list | None, target: Endpoint, port: int, protocol: str) -> bool:
    if not rule_ports:
        return True
    for p in rule_ports:
        if p.get("protocol", "TCP") != protocol:
            continue
        want = p.get("port")
        if want is None:
            return True
        if isinstance(want, str):
            want = target.ports.get(want)
        if want == port or (p.get("endPort") and want <= port <= p["endPort"]):
            return True
    return False


def policies(kind: str, pod: Endpoint) -> list[dict]:
    """The policies of ``kind`` (Ingress/Egress) that select ``pod``."""
    if pod.namespace != NAMESPACE:
        return []
    found = []
    for policy in resources("NetworkPolicy").values():
        spec = policy["spec"]
        types = spec.get("policyTypes") or (["Ingress"] + (["Egress"] if "egress" in spec else []))
        if kind in types and matches(spec["podSelector"], pod.label_map):
            found.append(spec)
    return found


def allowed(src: Endpoint, dst: Endpoint, port: int, protocol: str = "TCP") -> bool:
    selecting = policies("Ingress", dst)
    if selecting and not any(
        port_matches(rule.get("ports"), dst, port, protocol)
        and (not rule.get("from") or any(peer_matches(peer, src) for peer in rule["from"]))
        for spec in selecting
        for rule in spec.get("ingress", [])
    ):
        return False
    selecting = policies("Egress", src)
    return not selecting or any(
        port_matches(rule.get("ports"), dst, port, protocol)
        and (not rule.get("to") or any(peer_matches(peer, dst) for peer in rule["to"]))
        for spec in selecting
        for rule in spec.get("egress", [])
    )


PORTS = (22, 80, 443, 5005, 5055, 5432, 6379, 8000)
OURS = ("kk-api", "kk-rasa", "kk-actions", "kk-migrate", "kk-retention-api", "kk-retention-bot")
DATABASE_CLIENTS = ("kk-api", "kk-rasa", "kk-migrate", "kk-retention-api", "kk-retention-bot")

INTENDED_INTO_OUR_PODS = {
    ("ingress", "kk-api", 8000),
    ("ingress", "kk-rasa", 5005),
    ("kk-rasa", "kk-actions", 5055),
    ("kk-rasa", "kk-api", 8000),
    ("kk-actions", "kk-api", 8000),
    ("kk-api", "kk-rasa", 5005),
}
INTENDED_OUT_OF_THE_NAMESPACE = (
    {(pod, "kube-dns", 53) for pod in OURS}
    | {(pod, "postgres", 5432) for pod in DATABASE_CLIENTS}
    | {(pod, "redis", 6379) for pod in ("kk-api", "kk-rasa")}
    | {(pod, "public-https", 443) for pod in ("kk-api", "kk-rasa")}
)


def test_flows_into_our_pods_are_exactly_the_intended_ones():
    everyone = cluster()
    sources = [e for e in everyone.values() if e.namespace is not None]
    found = {
        (src.name, dst, port)
        for src, dst, port in product(sources, OURS, PORTS)
        if src.name != dst and allowed(src, everyone[dst], port)
    }
    assert found == INTENDED_INTO_OUR_PODS, (
        f"not intended: {sorted(found - INTENDED_INTO_OUR_PODS)}; "
        f"missing: {sorted(INTENDED_INTO_OUR_PODS - found)}"
    )


def test_only_rasa_reaches_the_action_server_and_only_the_bot_side_the_case_service():
    everyone = cluster()
    reach_actions = {s for s in everyone if allowed(everyone[s], everyone["kk-actions"], 5055)}
    assert reach_actions == {"kk-rasa"}
    reach_api = {s for s in everyone if allowed(everyone[s], everyone["kk-api"], 8000)}
    assert reach_api == {"kk-rasa", "kk-actions", "ingress"}
    # Labels alone do not open the door: kk-rasa's labels in another namespace get nowhere.
    assert not allowed(everyone["impostor"], everyone["kk-actions"], 5055)


def test_flows_out_of_the_namespace_are_exactly_the_intended_ones():
    """PostgreSQL and Redis run outside the manifests, at addresses unknown here: their port is
    open to any destination, for their clients only (docs/deployment.md says to narrow it). DNS
    goes to kube-dns only; HTTPS to public addresses only."""
    everyone = cluster()
    outside = [e for e in everyone.values() if e.namespace != NAMESPACE] + [everyone["stranger"]]
    found = set()
    for src, dst in product(OURS, outside):
        for port in (*PORTS, 53):
            protocols = ("UDP", "TCP") if port == 53 else ("TCP",)
            if any(allowed(everyone[src], dst, port, p) for p in protocols):
                found.add((src, dst.name, port))
    datastore_ports = {5432: DATABASE_CLIENTS, 6379: ("kk-api", "kk-rasa")}
    unintended = {
        (src, dst, port)
        for src, dst, port in found
        if (src, dst, port) not in INTENDED_OUT_OF_THE_NAMESPACE
        and src not in datastore_ports.get(port, ())
    }
    assert not unintended, f"not intended: {sorted(unintended)}"
    missing = INTENDED_OUT_OF_THE_NAMESPACE - found
    assert not missing, f"missing: {sorted(missing)}"
    assert ("kk-rasa", "private-https", 443) not in found


def test_every_pod_is_isolated_both_ways_by_default():
    (deny,) = [p for p in resources("NetworkPolicy").values() if p["spec"]["podSelector"] == {}][:1]
    assert set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert not deny["spec"].get("ingress") and not deny["spec"].get("egress")
    everyone = cluster()
    for name in OURS:
        assert policies("Ingress", everyone[name]) and policies("Egress", everyone[name])


def test_the_evaluator_itself_denies_and_allows():
    """The model, on hand-made policies: a pod without policies is open, a default deny closes
    it, a named port resolves."""
    a = Endpoint("a", NAMESPACE, (("app", "a"),), ports={"http": 8000})
    b = Endpoint("b", NAMESPACE, (("app", "b"),), ports={"http": 8000})
    rule = {"from": [{"podSelector": {"matchLabels": {"app": "a"}}}], "ports": [{"port": "http"}]}
    assert port_matches(rule["ports"], b, 8000, "TCP")
    assert not port_matches(rule["ports"], b, 8001, "TCP")
    assert peer_matches(rule["from"][0], a) and not peer_matches(rule["from"][0], b)
    public = {"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}
    assert peer_matches(public, Endpoint("x", None, ip="8.8.8.8"))
    assert not peer_matches(public, Endpoint("y", None, ip="10.1.1.1"))
    assert not peer_matches(public, a)  # pods are never matched by address here
