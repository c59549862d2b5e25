{{/* The chart's name. */}}
{{- define "envmirror.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The prefix of every object's name: the release name when it already says envmirror. */}}
{{- define "envmirror.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "envmirror.selectorLabels" -}}
app.kubernetes.io/name: {{ include "envmirror.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "envmirror.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "envmirror.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The manager's ServiceAccount, Deployment, ClusterRole and Role. */}}
{{- define "envmirror.managerName" -}}
{{ include "envmirror.fullname" . }}-manager
{{- end }}

{{/* The ClusterRole the operator binds to itself in each copy's namespace (--copy-writer-role). */}}
{{- define "envmirror.copyWriterName" -}}
{{ include "envmirror.fullname" . }}-copy-writer
{{- end }}

{{- define "envmirror.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The manager's ClusterRole or Role: the rules `make manifests` generates into config/rbac/role.yaml
(copied to files/rbac by `make chart-sync`), with the copy-writer role's name as this release
names it. Called with (list $ctx $kind).
*/}}
{{- define "envmirror.managerRules" -}}
{{- $ctx := index . 0 }}
{{- $kind := index . 1 }}
{{- $found := false }}
{{- range $doc := splitList "\n---" ($ctx.Files.Get "files/rbac/manager-role.yaml") }}
{{- $role := fromYaml $doc }}
{{- if eq ($role.kind | default "") $kind }}
{{- if and (eq $kind "Role") (ne $role.metadata.namespace "envmirror-system") }}
{{- fail (printf "files/rbac/manager-role.yaml has a Role in namespace %s: the chart only knows the operator's own (envmirror-system)" $role.metadata.namespace) }}
{{- end }}
{{- $found = true }}
{{- range $rule := $role.rules }}
{{- if has "envmirror-copy-writer" ($rule.resourceNames | default list) }}
{{- $_ := set $rule "resourceNames" (list (include "envmirror.copyWriterName" $ctx)) }}
{{- end }}
{{- end }}
{{- toYaml $role.rules }}
{{- end }}
{{- end }}
{{- if not $found }}
{{- fail (printf "files/rbac/manager-role.yaml has no %s: run make chart-sync" $kind) }}
{{- end }}
{{- end }}

{{/*
The copy-writer ClusterRole's rules (config/rbac/copywriter/role.yaml), less the optional verbs
that copyWriter turns off.
*/}}
{{- define "envmirror.copyWriterRules" -}}
{{- $cw := .Values.copyWriter }}
{{- $rules := list }}
{{- range $rule := (fromYaml (.Files.Get "files/rbac/copy-writer-role.yaml")).rules }}
{{- $rule = deepCopy $rule }}
{{- if has "rbac.authorization.k8s.io" $rule.apiGroups }}
{{- if and (has "roles" $rule.resources) (not $cw.escalateRoles) }}
{{- $_ := set $rule "verbs" (without $rule.verbs "escalate" "bind") }}
{{- end }}
{{- if has "clusterroles" $rule.resources }}
{{- if ne (len $rule.resources) 1 }}
{{- fail "files/rbac/copy-writer-role.yaml grants clusterroles together with other resources: teach templates/_helpers.tpl" }}
{{- end }}
{{- if not $cw.bindClusterRoles }}
{{- $_ := set $rule "verbs" (without $rule.verbs "bind") }}
{{- else if $cw.bindableClusterRoles }}
{{- $_ := set $rule "resourceNames" $cw.bindableClusterRoles }}
{{- end }}
{{- end }}
{{- end }}
{{- if $rule.verbs }}
{{- $rules = append $rules $rule }}
{{- end }}
{{- end }}
{{- toYaml $rules }}
{{- end }}
