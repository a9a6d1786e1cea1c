"""deploy/k8s against the Kubernetes API schemas (kubernetes-validate, strict: no unknown
fields), for the oldest and the newest Kubernetes version the deployment is meant for."""

from __future__ import annotations

import kubernetes_validate
import pytest
import yaml

from tests.deploy.conftest import K8S, documents, manifest_files

# The oldest release still in wide use when this was written, and the validator's newest.
VERSIONS = ("1.30.0", kubernetes_validate.latest_version())


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name_and_doc", documents(), ids=lambda d: f"{d[0]}:{d[1]['kind']}")
def test_every_resource_validates_strictly(name_and_doc, version):
    name, doc = name_and_doc
    try:
        kubernetes_validate.validate(doc, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        pytest.fail(f"{name}: {doc['kind']}/{doc['metadata']['name']} on {version}: {error}")


def test_kustomization_applies_every_manifest_but_the_secret_template():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = kustomization["resources"]
    assert kustomization["namespace"] == "kk-assistenten"
    assert sorted(listed) == sorted(
        p.name for p in manifest_files() if p.name != "secret.template.yaml"
    ), "every manifest but the Secret template belongs in kustomization.yaml"


def test_every_resource_is_namespaced_to_kk_assistenten():
    for name, doc in documents():
        if doc["kind"] == "Namespace":
            assert doc["metadata"]["name"] == "kk-assistenten"
            labels = doc["metadata"]["labels"]
            assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
            continue
        assert doc["metadata"].get("namespace") == "kk-assistenten", (
            f"{name}: {doc['kind']}/{doc['metadata']['name']}"
        )
