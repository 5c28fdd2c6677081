"""deploy/kubernetes: every manifest is valid against the Kubernetes API schemas (kubernetes-validate, strict: an
unknown or misspelt field fails), the kustomize build works where kubectl is installed, and the pieces fit together:
three web replicas with their probes, a task worker, the release Job and the clearsessions CronJob, a Service,
Ingress, PDB and HPA that select the web pods, no secret in the repository, and every setting the ConfigMap gives is
one the portal reads."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.32.0"


def kustomization() -> dict[str, Any]:
    return dict(yaml.safe_load((BASE / "kustomization.yaml").read_text()))


def documents() -> list[dict[str, Any]]:
    return [doc for name in kustomization()["resources"] for doc in yaml.safe_load_all((BASE / name).read_text())]


def by_kind() -> dict[str, dict[str, Any]]:
    """One document per kind: of the Deployments and Services, the web ones."""
    docs = [doc for doc in documents() if doc["metadata"]["name"] not in {"portal-worker", "portal-cache"}]
    return {doc["kind"]: doc for doc in docs}


def containers(pod_spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(pod_spec["containers"])


@pytest.mark.parametrize("document", documents(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_each_manifest_is_valid_for_the_kubernetes_api(document: dict[str, Any]) -> None:
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_every_file_in_the_base_is_listed_in_the_kustomization() -> None:
    files = {path.name for path in BASE.glob("*.yaml")} - {"kustomization.yaml"}
    assert files == set(kustomization()["resources"])


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (with kustomize) is not installed")
def test_the_kustomize_build_is_valid_and_selects_what_it_labels() -> None:
    built = subprocess.run(["kubectl", "kustomize", str(BASE)], capture_output=True, text=True, check=True).stdout
    docs = list(yaml.safe_load_all(built))
    for document in docs:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
    kinds = {doc["kind"]: doc for doc in docs if doc["metadata"]["name"] not in {"portal-worker", "portal-cache"}}
    pod_labels = kinds["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert kinds["Deployment"]["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert kinds["Service"]["spec"]["selector"].items() <= pod_labels.items()
    assert kinds["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert "app.kubernetes.io/name" in kinds["Service"]["spec"]["selector"]  # not just "component: web"


def test_the_autoscaler_owns_the_web_replicas_which_have_liveness_readiness_and_startup_probes() -> None:
    deployment = by_kind()["Deployment"]
    assert "replicas" not in deployment["spec"]  # an apply would reset what the autoscaler chose
    assert by_kind()["HorizontalPodAutoscaler"]["spec"]["minReplicas"] == 3
    (web,) = containers(deployment["spec"]["template"]["spec"])
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/healthz"  # see the comment in deployment.yaml
    assert web["startupProbe"]["httpGet"]["path"] == "/readyz"
    assert web["command"] == ["python", "deploy/serve.py"]  # never migrates


def test_new_web_pods_wait_for_the_releases_migrations() -> None:
    pod = by_kind()["Deployment"]["spec"]["template"]["spec"]
    (wait,) = pod["initContainers"]
    assert wait["image"] == "d365-integration-portal" and "manage.py migrate --check" in " ".join(wait["command"])
    assert wait["command"][:2] == ["sh", "-c"] and wait["command"][2].startswith("until ")  # waits, never migrates
    assert wait["securityContext"]["readOnlyRootFilesystem"] is True


def test_no_pod_mounts_a_service_account_token() -> None:
    for document in documents():
        spec = document.get("spec", {})
        template = spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get("template")
        if template is not None:
            assert template["spec"]["automountServiceAccountToken"] is False, document["metadata"]["name"]


def test_network_policies_let_in_only_the_ingress_and_out_only_what_the_portal_needs() -> None:
    policies = {doc["metadata"]["name"]: doc["spec"] for doc in documents() if doc["kind"] == "NetworkPolicy"}
    web = policies["portal-web-ingress"]
    assert web["podSelector"]["matchLabels"] == {"app.kubernetes.io/component": "web"}
    (source,) = web["ingress"]
    assert source["from"][0]["namespaceSelector"]["matchLabels"] and source["ports"] == [
        {"port": 8000, "protocol": "TCP"}
    ]
    egress = policies["portal-egress"]
    ports = {port["port"] for rule in egress["egress"] for port in rule["ports"]}
    assert ports == {53, 5432, 6379, 443, 587, 465}
    cache = policies["portal-cache"]
    assert cache["egress"] == [] and cache["ingress"][0]["from"][0]["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/component": "web"
    }
    covered = set(egress["podSelector"]["matchExpressions"][0]["values"])
    labels = {doc["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]
              for doc in documents() if doc["kind"] in {"Deployment", "Job"}}  # fmt: skip
    assert labels - {"cache"} <= covered


def test_mail_and_the_public_address_are_configured() -> None:
    config = by_kind()["ConfigMap"]["data"]
    assert config["PORTAL_BASE_URL"].startswith("https://") and config["EMAIL_HOST"] and config["EMAIL_USE_TLS"]


def test_a_worker_runs_the_background_tasks() -> None:
    (worker,) = [doc for doc in documents() if doc["metadata"]["name"] == "portal-worker"]
    (container,) = containers(worker["spec"]["template"]["spec"])
    assert container["command"] == ["python", "manage.py", "db_worker"]
    assert container["livenessProbe"]["exec"]["command"][:3] == ["python", "manage.py", "workercheck"]
    assert worker["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/component": "worker"}


def test_the_release_runs_as_a_job_and_sessions_are_cleared_nightly() -> None:
    kinds = by_kind()
    (release,) = containers(kinds["Job"]["spec"]["template"]["spec"])
    assert release["command"] == ["python", "manage.py", "release"]
    (clear,) = containers(kinds["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"])
    assert clear["command"] == ["python", "manage.py", "clearsessions"]
    assert kinds["CronJob"]["spec"]["concurrencyPolicy"] == "Forbid"


def test_the_service_ingress_pdb_and_autoscaler_point_at_the_web_pods() -> None:
    kinds = by_kind()
    pod_labels = kinds["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert kinds["Service"]["spec"]["selector"].items() <= pod_labels.items()
    backend = kinds["Ingress"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == kinds["Service"]["metadata"]["name"]
    assert kinds["Ingress"]["spec"]["tls"]
    assert kinds["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    target = kinds["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", kinds["Deployment"]["metadata"]["name"])
    assert kinds["HorizontalPodAutoscaler"]["spec"]["minReplicas"] == 3


def test_no_secret_is_in_the_repository_and_every_pod_runs_as_the_images_user() -> None:
    assert "Secret" not in by_kind()
    for document in documents():
        spec = document.get("spec", {})
        template = spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get("template")
        if template is None:
            continue
        assert template["spec"]["securityContext"]["runAsNonRoot"] is True
        for container in containers(template["spec"]):
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            if container["image"] == "d365-integration-portal":
                assert {"configMapRef": {"name": "portal-config"}} in container["envFrom"]
                assert {"secretRef": {"name": "portal-secrets"}} in container["envFrom"]


def test_the_web_replicas_share_one_cache_that_keeps_nothing_on_disk() -> None:
    (cache,) = [doc for doc in documents() if doc["kind"] == "Deployment" and doc["metadata"]["name"] == "portal-cache"]
    (service,) = [doc for doc in documents() if doc["kind"] == "Service" and doc["metadata"]["name"] == "portal-cache"]
    labels = cache["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert labels.items().isdisjoint(by_kind()["Deployment"]["spec"]["selector"]["matchLabels"].items())
    (redis,) = containers(cache["spec"]["template"]["spec"])
    assert {"--save", "--maxmemory", "--maxmemory-policy"} <= set(redis["args"])
    url = by_kind()["ConfigMap"]["data"]["CACHE_URL"]
    assert url == f"redis://{service['metadata']['name']}:{service['spec']['ports'][0]['port']}/0"


def test_every_configured_setting_is_one_the_portal_reads() -> None:
    read = (ROOT / "portal" / "settings.py").read_text() + (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    for name in by_kind()["ConfigMap"]["data"]:
        assert f'"{name}"' in read, f"{name} is not read by the portal"
