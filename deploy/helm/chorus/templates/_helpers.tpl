{{/* Names and blocks every template shares. */}}

{{- define "chorus.name" -}}{{ .Release.Name }}-{{ .component }}{{- end }}

{{- define "chorus.labels" -}}
app.kubernetes.io/name: chorus
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/version: {{ include "chorus.appTag" .root | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ .root.Chart.Name }}-{{ .root.Chart.Version }}
{{- end }}

{{- define "chorus.selector" -}}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "chorus.appTag" -}}{{ .Values.images.apps.tag | default .Chart.AppVersion }}{{- end }}

{{- define "chorus.appImage" -}}{{ index .root.Values.images.apps .app }}:{{ include "chorus.appTag" .root }}{{- end }}

{{/* The Secret every password comes from: the user's own, or the one this chart generates. */}}
{{- define "chorus.secret" -}}{{ .Values.existingSecret | default (printf "%s-secrets" .Release.Name) }}{{- end }}

{{- define "chorus.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "chorus.secret" .root }}
      key: {{ .key | default .name }}
{{- end }}

{{/* Addresses inside the release: its own StatefulSets, or the Services the operators make (CloudNativePG's
`<cluster>-rw` for the primary, Strimzi's `<cluster>-kafka-bootstrap` and `<cluster>-connect-api`). */}}
{{- define "chorus.postgresHost" -}}{{ .Release.Name }}-postgres{{ if eq .Values.mode "operators" }}-rw{{ end }}{{- end }}
{{- define "chorus.connectUrl" -}}http://{{ .Release.Name }}-connect{{ if eq .Values.mode "operators" }}-api{{ end }}:8083{{- end }}
{{- define "chorus.kafkaBrokers" -}}
{{- $r := .Release.Name -}}
{{- if eq .Values.mode "operators" -}}{{ $r }}-kafka-bootstrap:9092
{{- else -}}
{{- range $i, $_ := until (int .Values.bundled.kafka.replicas) -}}{{ if $i }},{{ end }}{{ $r }}-kafka-{{ $i }}.{{ $r }}-kafka-headless:9092{{- end -}}
{{- end -}}
{{- end }}
{{/* Three brokers keep three copies and need two in sync; one keeps one. */}}
{{- define "chorus.kafkaReplicas" -}}{{ eq .Values.mode "operators" | ternary .Values.operators.kafka.replicas .Values.bundled.kafka.replicas }}{{- end }}
{{- define "chorus.replicationFactor" -}}{{ ge (int (include "chorus.kafkaReplicas" .)) 3 | ternary 3 1 }}{{- end }}
{{- define "chorus.minInsync" -}}{{ ge (int (include "chorus.kafkaReplicas" .)) 3 | ternary 2 1 }}{{- end }}
{{/* The superuser the roles step provisions with: the bundled image's POSTGRES_USER, or CloudNativePG's. */}}
{{- define "chorus.superuser" -}}{{ eq .Values.mode "operators" | ternary "postgres" "chorus" }}{{- end }}

{{- define "chorus.postgresClient" -}}
- name: POSTGRES_HOST
  value: {{ include "chorus.postgresHost" . }}
- name: POSTGRES_PORT
  value: "5432"
- name: POSTGRES_DB
  value: chorus
{{- end }}

{{- define "chorus.redisUrl" -}}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "chorus.secret" . }}
      key: REDIS_PASSWORD
- name: REDIS_URL
  value: redis://:$(REDIS_PASSWORD)@{{ .Release.Name }}-redis:6379
{{- end }}

{{/* The apps' containers: no root, no privilege, nothing written outside /tmp. */}}
{{- define "chorus.appSecurity" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 65534
  runAsGroup: 65534
  readOnlyRootFilesystem: true
  allowPrivilegeEscalation: false
  capabilities:
    drop: [ALL]
  seccompProfile:
    type: RuntimeDefault
{{- end }}

{{- define "chorus.setupConnectorEnv" -}}
{{ include "chorus.postgresClient" . }}
- name: POSTGRES_USER
  value: chorus_cdc
{{ include "chorus.secretEnv" (dict "root" . "name" "POSTGRES_PASSWORD" "key" "CHORUS_CDC_PASSWORD") }}
# Connect resolves this reference itself (EnvVarConfigProvider): the connector's config holds no password.
- name: CONNECTOR_DATABASE_PASSWORD
  value: ${env:CHORUS_CDC_PASSWORD}
- name: CHORUS_ENV
  value: {{ .Values.environment }}
- name: KAFKA_CONNECT_URL
  value: {{ include "chorus.connectUrl" . }}
{{ include "chorus.changeTopicEnv" . }}
{{- end }}

{{- define "chorus.changeTopicEnv" -}}
- name: CHANGE_TOPIC_PARTITIONS
  value: {{ .Values.stream.partitions | quote }}
- name: KAFKA_REPLICATION_FACTOR
  value: {{ include "chorus.replicationFactor" . | quote }}
{{- end }}

{{- define "chorus.webEnv" -}}
{{ include "chorus.postgresClient" . }}
- name: POSTGRES_USER
  value: chorus_app
{{ include "chorus.secretEnv" (dict "root" . "name" "POSTGRES_PASSWORD" "key" "CHORUS_APP_PASSWORD") }}
- name: CHORUS_ENV
  value: {{ .Values.environment }}
{{ include "chorus.redisUrl" . }}
- name: CHORUS_SIGN_IN
  value: {{ .Values.web.signIn }}
{{ include "chorus.secretEnv" (dict "root" . "name" "CHORUS_SESSION_SECRET") }}
{{- end }}

{{/* The tester's view: the web Service as a user reaches it, and Postgres and Redis to check against. */}}
{{- define "chorus.testerEnv" -}}
- name: CHORUS_WEB_URL
  value: http://{{ .Release.Name }}-web:{{ .Values.web.service.port }}
{{ include "chorus.postgresClient" . }}
- name: POSTGRES_USER
  value: chorus_app
{{ include "chorus.secretEnv" (dict "root" . "name" "POSTGRES_PASSWORD" "key" "CHORUS_APP_PASSWORD") }}
{{ include "chorus.redisUrl" . }}
{{ include "chorus.secretEnv" (dict "root" . "name" "CHORUS_ADMIN_PASSWORD") }}
- name: PIPELINE_TIMEOUT_MS
  value: "60000"
{{- end }}

{{/* Stateless pods leave a node that stopped answering after 20 s, not the default 5 minutes. */}}
{{- define "chorus.fastFailover" -}}
tolerations:
  - { key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 20 }
  - { key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 20 }
{{- end }}

{{/* The connector setup-connector registers (files/connector.yaml, written from its --print-config), for this release. */}}
{{- define "chorus.connector" -}}{{ tpl (.Files.Get "files/connector.yaml") . }}{{- end }}
