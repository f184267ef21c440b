"""Check the chart's rendered manifests against the rules that schemas cannot express.

kubeconform proves each resource is well formed; this proves the release is what we mean to
ship: every service has its hardened Deployment (non-root, read-only root, no capabilities,
RuntimeDefault seccomp, resources, /healthz and /readyz probes), a Service, PodDisruptionBudget
and NetworkPolicy that select its pods, a migration hook Job, and every event of the catalog
in libs/common has a KafkaTopic and a dead-letter KafkaTopic.

    python check_rendered_manifests.py --repo . [--kafka-topics] rendered.yaml
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from service_list import service_ports

CATALOG = "libs/common/src/pmo_common/events/catalog.py"
SETTINGS_FILES = ("libs/common/src/pmo_common/settings.py", "services/*/src/*/config.py")
# Environment names fixed by the architecture; settings classes may add more.
CONTRACT_ENV = {
    "PMO_KAFKA_BOOTSTRAP_SERVERS",
    "PMO_INTAKE_DATABASE_URL",
    "PMO_MONITORING_DATABASE_URL",
    "PMO_STANDARDS_DATABASE_URL",
    "PMO_NOTIFICATIONS_DATABASE_URL",
    "PMO_DATA_DIR",
    "PMO_ENVIRONMENT",
    "PMO_AUTH_JWT_SECRET",
    "PMO_AUTH_JWKS_URL",
    "PMO_AUTH_ISSUER",
    "PMO_AUTH_AUDIENCE",
    "PMO_SMTP_HOST",
    "PMO_SMTP_PORT",
    "PMO_SMTP_FROM",
    "PMO_SMTP_USERNAME",
    "PMO_SMTP_PASSWORD",
    "PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE",
    "PMO_LOG_LEVEL",
    "PORT",  # read by the image's entrypoint
}
# A path inside the containers, which the read-only root filesystem needs writable.
CONTAINER_TMP = "/tmp"  # noqa: S108
Manifest = dict[str, Any]


@dataclass
class Findings:
    """Problems found, each prefixed with the resource it concerns."""

    problems: list[str] = field(default_factory=list)

    def require(self, condition: object, resource: str, message: str) -> None:
        """Record a problem unless the condition holds."""
        if not condition:
            self.problems.append(f"{resource}: {message}")


def catalog_topics(repo: Path) -> set[str]:
    """Event types of the catalog in libs/common: the first argument of each EventSpec(...)."""
    tree = ast.parse((repo / CATALOG).read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "EventSpec"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def field_env_names(item: ast.AnnAssign) -> set[str]:
    """Environment names of one settings field: its upper-case validation aliases, if any."""
    assert isinstance(item.target, ast.Name)
    aliases: set[str] = set()
    if isinstance(item.value, ast.Call):
        for keyword in item.value.keywords:
            if keyword.arg == "validation_alias":
                aliases |= {
                    node.value
                    for node in ast.walk(keyword.value)
                    if isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and node.value.isupper()
                }
    return aliases or {f"PMO_{item.target.id.upper()}"}


def settings_env_names(repo: Path) -> set[str]:
    """Environment names read by the pydantic settings classes of libs/common and services."""
    names: set[str] = set()
    for pattern in SETTINGS_FILES:
        for path in repo.glob(pattern):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ClassDef) and any(
                    "Settings" in ast.unparse(base) for base in node.bases
                ):
                    for item in node.body:
                        if (
                            isinstance(item, ast.AnnAssign)
                            and isinstance(item.target, ast.Name)
                            and "ClassVar" not in ast.unparse(item.annotation)
                        ):
                            names |= field_env_names(item)
    return names


def load(paths: list[Path]) -> list[Manifest]:
    """Every non-empty document of the manifest files."""
    documents = (doc for path in paths for doc in yaml.safe_load_all(path.read_text()))
    return [doc for doc in documents if isinstance(doc, dict)]


def ref(doc: Manifest) -> str:
    """'Kind/name' of a resource, for messages."""
    return f"{doc['kind']}/{doc['metadata']['name']}"


def selects(selector: dict[str, str] | None, labels: dict[str, str]) -> bool:
    """Whether matchLabels select a pod with these labels (an empty selector selects none here)."""
    return bool(selector) and all(labels.get(k) == v for k, v in (selector or {}).items())


def containers(pod_spec: Manifest) -> Iterator[Manifest]:
    """Init and regular containers of a pod spec."""
    yield from pod_spec.get("initContainers", [])
    yield from pod_spec.get("containers", [])


def check_pod_hardening(f: Findings, name: str, pod_spec: Manifest, needs_tmp: bool) -> None:
    """The hardened defaults every pod of the chart must have."""
    security = pod_spec.get("securityContext", {})
    f.require(security.get("runAsNonRoot") is True, name, "pod securityContext.runAsNonRoot")
    f.require(
        security.get("seccompProfile", {}).get("type") == "RuntimeDefault",
        name,
        "pod seccompProfile RuntimeDefault",
    )
    f.require(
        pod_spec.get("automountServiceAccountToken") is False,
        name,
        "automountServiceAccountToken: false",
    )
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        f.require(not pod_spec.get(key), name, f"no {key}")
    volumes = {v["name"]: v for v in pod_spec.get("volumes", [])}
    for container in containers(pod_spec):
        where = f"{name} container {container['name']}"
        ctx = container.get("securityContext", {})
        f.require(ctx.get("allowPrivilegeEscalation") is False, where, "allowPrivilegeEscalation")
        f.require(ctx.get("readOnlyRootFilesystem") is True, where, "readOnlyRootFilesystem")
        f.require(not ctx.get("privileged"), where, "not privileged")
        caps = ctx.get("capabilities", {})
        f.require("ALL" in caps.get("drop", []), where, "capabilities drop ALL")
        f.require(not caps.get("add"), where, "no added capabilities")
        resources = container.get("resources", {})
        for kind, key in (("requests", "cpu"), ("requests", "memory"), ("limits", "memory")):
            f.require(resources.get(kind, {}).get(key), where, f"resources.{kind}.{key}")
        image = container.get("image", "")
        tag = image.rsplit("@", 1)[-1] if "@" in image else image.rpartition(":")[2]
        f.require(
            "@sha256:" in image or (":" in image.rsplit("/", 1)[-1] and tag != "latest"),
            where,
            f"image pinned by tag or digest, not {image!r}",
        )
        if needs_tmp:
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            volume = volumes.get(mounts.get(CONTAINER_TMP, ""), {})
            f.require("emptyDir" in volume, where, "an emptyDir mounted at /tmp")


def check_env(f: Findings, name: str, pod_spec: Manifest, known: set[str]) -> None:
    """Environment variable names the services actually read."""
    for container in containers(pod_spec):
        for var in container.get("env", []):
            f.require(var["name"] in known, name, f"unknown environment variable {var['name']}")


def check_service(
    f: Findings, service: str, docs: list[Manifest], known_env: set[str], sa_created: bool
) -> None:
    """One service: its Deployment and everything that must come with it."""
    deployments = [
        d
        for d in docs
        if d["kind"] == "Deployment"
        and d["metadata"]["labels"].get("app.kubernetes.io/component") == service
    ]
    f.require(len(deployments) == 1, service, f"one Deployment, found {len(deployments)}")
    if len(deployments) != 1:
        return
    deployment = deployments[0]
    name = ref(deployment)
    template = deployment["spec"]["template"]
    pod_labels = template["metadata"]["labels"]
    pod_spec = template["spec"]
    f.require(
        selects(deployment["spec"]["selector"].get("matchLabels"), pod_labels),
        name,
        "selector matches its pod template",
    )
    check_pod_hardening(f, name, pod_spec, needs_tmp=True)
    check_env(f, name, pod_spec, known_env)

    server = pod_spec["containers"][0]
    ports = {p.get("name"): p["containerPort"] for p in server.get("ports", [])}
    f.require("http" in ports, name, "a container port named http")
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        http_get = server.get(probe, {}).get("httpGet", {})
        f.require(http_get.get("path") == path, name, f"{probe} on {path}")
        f.require(http_get.get("port") in ("http", ports.get("http")), name, f"{probe} port")
    f.require(
        any("secretRef" in source for source in server.get("envFrom", [])),
        name,
        "envFrom its Secret",
    )
    account = pod_spec.get("serviceAccountName", "default")
    if sa_created:
        f.require(
            any(d["kind"] == "ServiceAccount" and d["metadata"]["name"] == account for d in docs),
            name,
            f"its ServiceAccount {account}",
        )

    def selecting(kind: str, selector_of: Any) -> list[Manifest]:
        return [d for d in docs if d["kind"] == kind and selects(selector_of(d), pod_labels)]

    services = selecting("Service", lambda d: d["spec"].get("selector"))
    f.require(len(services) == 1, name, f"one Service selects its pods, found {len(services)}")
    for svc in services:
        targets = {p.get("targetPort") for p in svc["spec"]["ports"]}
        f.require(targets <= {"http", ports.get("http")}, ref(svc), "targets the http port")
    pdbs = selecting("PodDisruptionBudget", lambda d: d["spec"]["selector"].get("matchLabels"))
    f.require(len(pdbs) == 1, name, f"one PodDisruptionBudget, found {len(pdbs)}")
    policies = selecting("NetworkPolicy", lambda d: d["spec"]["podSelector"].get("matchLabels"))
    f.require(len(policies) == 1, name, f"one NetworkPolicy, found {len(policies)}")
    for policy in policies:
        check_network_policy(f, policy, ports.get("http"))

    hpas = [
        d
        for d in docs
        if d["kind"] == "HorizontalPodAutoscaler"
        and d["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    ]
    f.require(len(hpas) <= 1, name, "at most one HorizontalPodAutoscaler")
    f.require(
        bool(hpas) != ("replicas" in deployment["spec"]),
        name,
        "spec.replicas set exactly when no HorizontalPodAutoscaler owns the replica count",
    )
    for hpa in hpas:
        spec = hpa["spec"]
        f.require(spec["minReplicas"] <= spec["maxReplicas"], ref(hpa), "minReplicas <= max")

    jobs = [
        d
        for d in docs
        if d["kind"] == "Job"
        and d["metadata"]["labels"].get("app.kubernetes.io/component") == f"{service}-migrate"
    ]
    f.require(len(jobs) == 1, name, f"one migration Job, found {len(jobs)}")
    for job in jobs:
        check_migration_job(f, job, server["image"], known_env)


def check_network_policy(f: Findings, policy: Manifest, port: int | None) -> None:
    """Ingress only on the service port; both directions restricted; DNS allowed out."""
    name = ref(policy)
    spec = policy["spec"]
    f.require(set(spec.get("policyTypes", [])) == {"Ingress", "Egress"}, name, "both policyTypes")
    for rule in spec.get("ingress", []):
        rule_ports = rule.get("ports", [])
        f.require(rule_ports, name, "every ingress rule names its ports")
        f.require(
            all(p.get("port") in ("http", port) for p in rule_ports),
            name,
            "ingress only on the service port",
        )
    egress_ports = {
        (p.get("protocol", "TCP"), p.get("port"))
        for rule in spec.get("egress", [])
        for p in rule.get("ports", [])
    }
    f.require(("UDP", 53) in egress_ports, name, "egress to DNS over UDP 53")
    f.require(
        all(rule.get("ports") for rule in spec.get("egress", [])),
        name,
        "every egress rule names its ports",
    )


def check_migration_job(f: Findings, job: Manifest, image: str, known_env: set[str]) -> None:
    """A pre-install/pre-upgrade hook running `migrate` with the service's image."""
    name = ref(job)
    hooks = set(job["metadata"].get("annotations", {}).get("helm.sh/hook", "").split(","))
    f.require({"pre-install", "pre-upgrade"} <= hooks, name, "pre-install,pre-upgrade hook")
    pod_spec = job["spec"]["template"]["spec"]
    f.require(pod_spec.get("restartPolicy") in ("Never", "OnFailure"), name, "restartPolicy")
    check_pod_hardening(f, name, pod_spec, needs_tmp=True)
    check_env(f, name, pod_spec, known_env)
    container = pod_spec["containers"][0]
    f.require(container["image"] == image, name, "the service's image")
    f.require("migrate" in container.get("args", []), name, "runs `migrate`")


def check_kafka_topics(f: Findings, docs: list[Manifest], expected: set[str]) -> None:
    """A KafkaTopic for every catalog event type and for its dead-letter topic, and no other."""
    topics = [d for d in docs if d["kind"] == "KafkaTopic"]
    rendered = {d["spec"].get("topicName", d["metadata"]["name"]) for d in topics}
    wanted = expected | {f"{t}.dlq" for t in expected}
    for missing in sorted(wanted - rendered):
        f.problems.append(f"KafkaTopic: missing topic {missing}")
    for extra in sorted(rendered - wanted):
        f.problems.append(f"KafkaTopic: {extra} is not in the event catalog")
    for topic in topics:
        name = ref(topic)
        spec = topic["spec"]
        f.require(topic["metadata"]["labels"].get("strimzi.io/cluster"), name, "cluster label")
        replicas = spec.get("replicas", 1)
        min_isr = int(spec.get("config", {}).get("min.insync.replicas", 1))
        f.require(
            replicas == 1 or min_isr < replicas,
            name,
            f"min.insync.replicas ({min_isr}) must stay below replicas ({replicas}), or one "
            "broker down stops every producer",
        )


def check(docs: list[Manifest], repo: Path, kafka_topics: bool) -> Findings:
    """Every rule over one rendering of the chart."""
    f = Findings()
    known_env = CONTRACT_ENV | settings_env_names(repo)
    sa_created = any(d["kind"] == "ServiceAccount" for d in docs)
    for service in service_ports(repo):
        check_service(f, service, docs, known_env, sa_created)
    for pod in (d for d in docs if d["kind"] == "Pod"):
        check_pod_hardening(f, ref(pod), pod["spec"], needs_tmp=False)
    for secret in (d for d in docs if d["kind"] == "Secret"):
        for key in secret.get("stringData", {}) | secret.get("data", {}):
            f.require(key in known_env, ref(secret), f"unknown key {key}")
    if kafka_topics:
        check_kafka_topics(f, docs, catalog_topics(repo))
    else:
        f.require(not any(d["kind"] == "KafkaTopic" for d in docs), "KafkaTopic", "none expected")
    return f


def main(argv: list[str] | None = None) -> int:
    """Check one rendering; print the problems; exit 1 if there are any."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument(
        "--kafka-topics", action="store_true", help="expect the catalog's KafkaTopics"
    )
    parser.add_argument("manifests", type=Path, nargs="+")
    args = parser.parse_args(argv)

    docs = load(args.manifests)
    findings = check(docs, args.repo, args.kafka_topics)
    for problem in findings.problems:
        print(f"    FAIL {problem}")
    if findings.problems:
        return 1
    print(f"    {len(docs)} resources follow the deployment rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
