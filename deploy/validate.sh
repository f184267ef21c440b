#!/usr/bin/env bash
# Offline checks of deploy/: the compose file, the image recipe and the Helm chart.
#
#   bash deploy/validate.sh
#
# 1. tools: helm, kubeconform and compose-spec (compose-go's validator) are built once from the
#    Go module proxy into <repo>/.cache/bin (PMO_CACHE_DIR overrides .cache); no release
#    binaries are downloaded. The Kubernetes JSON schemas come from the kubernetes-validate
#    package on PyPI (through uv), made standalone by checks/build_k8s_schemas.py.
# 2. compose: compose-spec validates deploy/compose.yaml against the Compose Specification;
#    checks/check_compose.py checks its wiring and the Dockerfile it builds.
# 3. chart: helm lint (strict), helm template for each values variant, kubeconform -strict on
#    every rendering for the oldest and the newest Kubernetes the chart targets (built-in kinds
#    from the schemas above, KafkaTopic and ServiceMonitor from deploy/schemas/), then
#    checks/check_rendered_manifests.py for the rules schemas cannot express.
# Rendered manifests are left in <cache>/deploy-validate/ for inspection.
set -euo pipefail

HELM_VERSION=v3.22.0
# The Kubernetes minor helm's k8s.io modules are at (v0.37): helm's Makefile stamps it, and
# helm's client-side defaults (lint, template without --kube-version) use it.
HELM_K8S_MINOR=37
KUBECONFORM_VERSION=v0.8.0
COMPOSE_GO_VERSION=v2.16.2
KUBERNETES_VALIDATE_VERSION=1.37.0
# The chart's kubeVersion floor (Chart.yaml) and the newest Kubernetes with schemas.
KUBERNETES_VERSIONS=(1.29.0 1.37.0)

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
deploy=$repo/deploy
chart=$deploy/helm/pmo
cache=${PMO_CACHE_DIR:-$repo/.cache}
bin=$cache/bin
work=$cache/deploy-validate
started=$SECONDS

step() { printf '==> %s\n' "$*"; }
fail() { printf 'deploy/validate.sh: %s\n' "$*" >&2; exit 1; }

# go_tool NAME PACKAGE VERSION [LDFLAGS]: build PACKAGE@VERSION into $bin/NAME unless there.
go_tool() {
  local name=$1 package=$2 version=$3 ldflags="-s -w ${4:-}" stamp="$bin/.$1.version"
  local t0=$SECONDS tmp
  if [[ -x $bin/$name && "$(cat "$stamp" 2>/dev/null)" == "$package@$version $ldflags" ]]; then
    return 0
  fi
  command -v go >/dev/null || fail "Go is needed to build $name (go install $package@$version)"
  tmp=$(mktemp -d)
  GOBIN=$tmp CGO_ENABLED=0 go install -trimpath -ldflags="$ldflags" "$package@$version"
  mkdir -p "$bin"
  mv "$tmp/$(basename "$package")" "$bin/$name"
  rmdir "$tmp"
  printf '%s\n' "$package@$version $ldflags" >"$stamp"
  printf '    built %s %s in %ds\n' "$name" "$version" $((SECONDS - t0))
}

# Python with PyYAML and the Kubernetes schemas, in a throwaway environment uv caches.
python_checks() {
  uv run --quiet --no-project --python python3 \
    --with "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" python "$@"
}

step "tools (cached in ${bin#"$repo"/})"
t0=$SECONDS
command -v uv >/dev/null || fail "uv is needed (it runs the Python checks)"
go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" "$(printf -- '-X %s ' \
  "helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
  "helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1" \
  "helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$HELM_K8S_MINOR" \
  "helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1" \
  "helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$HELM_K8S_MINOR")"
go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
go_tool compose-spec github.com/compose-spec/compose-go/v2/cmd "$COMPOSE_GO_VERSION"
python_checks -c 'import kubernetes_validate, yaml'
tools_seconds=$((SECONDS - t0))
printf '    tools ready in %ds\n' "$tools_seconds"

rm -rf "$work"
mkdir -p "$work/rendered"

step "compose: deploy/compose.yaml and deploy/docker/Dockerfile"
# Relative paths in a compose file resolve from its own folder, as `docker compose -f` does.
(cd "$deploy" && "$bin/compose-spec" -format json compose.yaml) >"$work/compose.json"
python_checks "$deploy/checks/check_compose.py" --repo "$repo" --resolved "$work/compose.json"

step "chart: helm lint"
"$bin/helm" lint --strict --kube-version "${KUBERNETES_VERSIONS[0]}" "$chart"
"$bin/helm" lint --strict --kube-version "${KUBERNETES_VERSIONS[0]}" "$chart" \
  -f "$chart/ci-values.yaml"

step "chart: helm template"
# render VARIANT [helm template arguments]
render() {
  local variant=$1
  shift
  "$bin/helm" template pmo "$chart" --namespace pmo --kube-version "${KUBERNETES_VERSIONS[0]}" \
    "$@" >"$work/rendered/$variant.yaml"
  printf '    %-12s %3d resources\n' "$variant" "$(grep -c '^kind:' "$work/rendered/$variant.yaml")"
}
render defaults
render ci-values -f "$chart/ci-values.yaml"
# Development-style install where the chart creates the Secrets (covers templates/secret.yaml).
render dev-secrets --set config.environment=development --set secrets.create=true \
  --set secrets.jwtSecret=ci-only-secret-0123456789abcdefghijkl \
  --set secrets.smtpUsername=pmo --set secrets.smtpPassword=ci-only \
  --set secrets.databaseUrls.intake=postgresql+asyncpg://intake:ci@db/intake \
  --set secrets.databaseUrls.monitoring=postgresql+asyncpg://monitoring:ci@db/monitoring \
  --set secrets.databaseUrls.standards=postgresql+asyncpg://standards:ci@db/standards \
  --set secrets.databaseUrls.notifications=postgresql+asyncpg://notifications:ci@db/notifications

step "chart: kubeconform -strict (offline schemas)"
for version in "${KUBERNETES_VERSIONS[@]}"; do
  python_checks "$deploy/checks/build_k8s_schemas.py" --kubernetes-version "$version" \
    --out "$work/schemas" "$work"/rendered/*.yaml
  "$bin/kubeconform" -strict -summary -kubernetes-version "$version" \
    -schema-location "$work/schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$deploy/schemas/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    "$work"/rendered/*.yaml
done

step "chart: deployment rules"
for rendered in "$work"/rendered/*.yaml; do
  printf '    %s\n' "$(basename "$rendered" .yaml)"
  python_checks "$deploy/checks/check_rendered_manifests.py" --repo "$repo" --kafka-topics \
    "$rendered"
done

printf '==> deploy/validate.sh passed in %ds (tools %ds, checks %ds)\n' \
  $((SECONDS - started)) "$tools_seconds" $((SECONDS - started - tools_seconds))
