{{- define "one-job.fullname" -}}
{{- printf "%s-%s" .Values.agent.name .Values.run.id | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "one-job.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: agent-run
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
paperclip.ai/agent: {{ .Values.agent.name | quote }}
paperclip.ai/run-id: {{ .Values.run.id | quote }}
{{- end -}}
