{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "pmo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name: "<release>" when it already contains the chart name. */}}
{{- define "pmo.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "pmo.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels shared by every resource of the release. */}}
{{- define "pmo.labels" -}}
helm.sh/chart: {{ include "pmo.chart" . }}
app.kubernetes.io/name: {{ include "pmo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: pmo
{{- end }}

{{/*
The helpers below take a service context: (dict "root" $ "name" "<service>" "svc" <its values>),
built by pmo.serviceContexts.
*/}}

{{/* Name of a service's resources: "<fullname>-<service>". */}}
{{- define "pmo.serviceFullname" -}}
{{- printf "%s-%s" (include "pmo.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels of a service's pods (immutable once deployed). */}}
{{- define "pmo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pmo.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "pmo.serviceLabels" -}}
{{ include "pmo.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/* Container image of a service. */}}
{{- define "pmo.image" -}}
{{- $image := .root.Values.image }}
{{- $repository := .svc.image.repository | default (printf "%s/%s%s" $image.registry $image.namePrefix .name) }}
{{- $tag := .svc.image.tag | default $image.tag | default .root.Chart.AppVersion }}
{{- printf "%s:%s" $repository $tag }}
{{- end }}

{{/* The Secret a service reads its database URL and credentials from. */}}
{{- define "pmo.secretName" -}}
{{- .svc.existingSecret | default (include "pmo.serviceFullname" .) }}
{{- end }}

{{- define "pmo.serviceAccountName" -}}
{{- if .root.Values.serviceAccount.create }}
{{- include "pmo.serviceFullname" . }}
{{- else }}
{{- .root.Values.serviceAccount.name | default "default" }}
{{- end }}
{{- end }}

{{/* Environment of a service's containers (the Secret comes in through envFrom). */}}
{{- define "pmo.env" -}}
{{- $config := .root.Values.config -}}
- name: PMO_ENVIRONMENT
  value: {{ $config.environment | quote }}
- name: PMO_LOG_LEVEL
  value: {{ $config.logLevel | quote }}
- name: PMO_DATA_DIR
  value: /tmp/pmo
- name: PORT
  value: {{ .svc.port | quote }}
- name: PMO_KAFKA_BOOTSTRAP_SERVERS
  value: {{ $config.kafkaBootstrapServers | quote }}
{{- /* Topics the service creates when absent match the KafkaTopic resources. */}}
- name: PMO_KAFKA_TOPIC_PARTITIONS
  value: {{ .root.Values.kafkaTopics.partitions | quote }}
- name: PMO_KAFKA_TOPIC_REPLICATION
  value: {{ .root.Values.kafkaTopics.replicas | quote }}
{{- with $config.auth.jwksUrl }}
- name: PMO_AUTH_JWKS_URL
  value: {{ . | quote }}
{{- end }}
{{- with $config.auth.issuer }}
- name: PMO_AUTH_ISSUER
  value: {{ . | quote }}
{{- end }}
{{- with $config.auth.audience }}
- name: PMO_AUTH_AUDIENCE
  value: {{ . | quote }}
{{- end }}
{{- if .svc.egress.smtp }}
- name: PMO_SMTP_HOST
  value: {{ $config.smtp.host | quote }}
- name: PMO_SMTP_PORT
  value: {{ $config.smtp.port | quote }}
- name: PMO_SMTP_STARTTLS
  value: {{ $config.smtp.starttls | quote }}
- name: PMO_SMTP_FROM
  value: {{ $config.smtp.from | quote }}
{{- end }}
{{- if .svc.egress.webhooks }}
- name: PMO_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE
  value: {{ $config.webhookAllowPrivate | quote }}
{{- end }}
{{- with $config.retention }}
{{- /* A processed-event id forgotten while Kafka can still redeliver its event would be applied twice. */}}
{{- $topicRetentionMs := index $.root.Values.kafkaTopics.config "retention.ms" | default 604800000 | int64 }}
{{- if le (mul (int64 .processedEventsSeconds) 1000) $topicRetentionMs }}
{{- fail "config.retention.processedEventsSeconds must be longer than kafkaTopics.config retention.ms" }}
{{- end }}
{{- if le (int64 .processedEventsSeconds) (int64 .outboxSeconds) }}
{{- fail "config.retention.processedEventsSeconds must be longer than config.retention.outboxSeconds" }}
{{- end }}
- name: PMO_RETENTION_OUTBOX_SECONDS
  value: {{ .outboxSeconds | int64 | quote }}
- name: PMO_RETENTION_PROCESSED_EVENTS_SECONDS
  value: {{ .processedEventsSeconds | int64 | quote }}
- name: PMO_RETENTION_IDEMPOTENCY_SECONDS
  value: {{ .idempotencySeconds | int64 | quote }}
- name: PMO_RETENTION_INTERVAL_SECONDS
  value: {{ .intervalSeconds | int64 | quote }}
{{- end }}
{{- range $key, $value := merge (dict) .svc.env $config.extraEnv }}
- name: {{ $key }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* The hardened pod-level settings shared by Deployments, Jobs and test pods. */}}
{{- define "pmo.podSecurity" -}}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
