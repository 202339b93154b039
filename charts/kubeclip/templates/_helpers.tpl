{{/* The chart name: app.kubernetes.io/name. */}}
{{- define "kubeclip.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The name every object is named after: the release name, else <release>-<chart>. */}}
{{- define "kubeclip.fullname" -}}
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

{{/* helm.sh/chart: <chart>-<version>. */}}
{{- define "kubeclip.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The standard labels, on every object. */}}
{{- define "kubeclip.labels" -}}
helm.sh/chart: {{ include "kubeclip.chart" . }}
app.kubernetes.io/name: {{ include "kubeclip.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kubeclip
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The serve image: registry/repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "kubeclip.serveImage" -}}
{{- $image := .Values.paperclipPatch.serveSidecar.image }}
{{- $ref := printf "%s:%s" $image.repository (default .Chart.AppVersion $image.tag) }}
{{- if $image.registry }}{{ printf "%s/%s" $image.registry $ref }}{{ else }}{{ $ref }}{{ end }}
{{- end }}

{{/* The agent config's ConfigMap, when agentConfig is set. */}}
{{- define "kubeclip.agentConfigName" -}}
{{- printf "%s-agent-config" (include "kubeclip.fullname" .) | trunc 253 }}
{{- end }}

{{/* The ServiceAccount Paperclip runs as: created (default name: the full name) or existing. */}}
{{- define "kubeclip.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kubeclip.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The namespace of the agent Jobs: jobsNamespace, else the release namespace. */}}
{{- define "kubeclip.jobsNamespace" -}}
{{- $ns := default .Release.Namespace .Values.jobsNamespace }}
{{- if and (hasPrefix "kube-" $ns) (not .Values.allowSystemNamespace) }}
{{- fail (printf "agent Jobs in the system namespace %q: the runner's Role there may create Secrets and delete Jobs beside the cluster's own components. Use another namespace (jobsNamespace), or set allowSystemNamespace=true if you really mean it" $ns) }}
{{- end }}
{{- $ns }}
{{- end }}

{{/* "true" when the agent Jobs run in another namespace than Paperclip, else "". */}}
{{- define "kubeclip.crossNamespace" -}}
{{- if ne (include "kubeclip.jobsNamespace" .) .Release.Namespace }}true{{ end }}
{{- end }}

{{/* Cluster-scoped, so unique per release namespace: <release namespace>:<full name>. */}}
{{- define "kubeclip.clusterRoleName" -}}
{{- printf "%s:%s" .Release.Namespace (include "kubeclip.fullname" .) }}
{{- end }}

{{/* The claim mounted at /paperclip: persistence.existingClaim, else <full name>-shared. */}}
{{- define "kubeclip.claimName" -}}
{{- default (printf "%s-shared" (include "kubeclip.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{/*
The runner's rules, in the agent Jobs' namespace: exactly kubeclip/permissions.py's
role_rules(), one rule per entry (tests/test_chart.py fails on any verb more or less).
SelfSubjectAccessReview and SelfSubjectReview (kubeclip check) are not here: every
authenticated user may create them (ClusterRole system:basic-user).
*/}}
{{- define "kubeclip.runnerRules" -}}
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["create", "get", "delete"]  # run, reattach, cancel agent Jobs
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "watch"]  # follow the agent pod; read Paperclip's pod
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]  # stream the agent's output
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["create", "get", "patch", "delete"]  # the run Secret, also the per-agent lock (values wiped once the agent runs); check pull secrets
- apiGroups: [""]
  resources: ["events"]
  verbs: ["watch"]  # explain a Job whose pod cannot be created
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["get"]  # check: the Jobs' namespace exists (a Role grants its own namespace only)
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get"]  # check: the /paperclip claim is RWX
{{- end }}

{{/*
The strategic merge patch for the Paperclip workload (printed by NOTES.txt): run as the
ServiceAccount, mount the claim at /paperclip, tell kubeclip its pod name (HOSTNAME is
truncated for long pod names) and, across namespaces, where the agent Jobs go.
*/}}
{{- define "kubeclip.paperclipPatch" -}}
{{- $sidecar := .Values.paperclipPatch.serveSidecar -}}
spec:
  template:
    spec:
      serviceAccountName: {{ include "kubeclip.serviceAccountName" . | quote }}
      {{- if $sidecar.enabled }}
      # the token is mounted into the kubeclip-serve sidecar only (kube-api-access-kubeclip)
      automountServiceAccountToken: false
      {{- else }}
      automountServiceAccountToken: true
      {{- end }}
      containers:
        - name: {{ .Values.paperclipPatch.container | quote }}
          env:
            - name: KUBECLIP_POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            {{- if include "kubeclip.crossNamespace" . }}
            - name: KUBECLIP_NAMESPACE
              value: {{ include "kubeclip.jobsNamespace" . | quote }}
            {{- end }}
            {{- if $sidecar.enabled }}
            - name: KUBECLIP_SERVE_SOCKET
              value: /var/run/kubeclip/serve.sock
            {{- end }}
            {{- if .Values.agentConfig }}
            - name: KUBECLIP_CONFIG
              value: /etc/kubeclip/agent.yaml
            {{- end }}
          volumeMounts:
            - name: {{ .Values.paperclipPatch.volumeName | quote }}
              mountPath: /paperclip
            {{- if $sidecar.enabled }}
            - name: kubeclip-socket
              mountPath: /var/run/kubeclip
            {{- end }}
            {{- if .Values.agentConfig }}
            - name: kubeclip-agent-config
              mountPath: /etc/kubeclip
              readOnly: true
            {{- end }}
        {{- if $sidecar.enabled }}
        - name: kubeclip-serve
          image: {{ include "kubeclip.serveImage" . | quote }}
          imagePullPolicy: {{ $sidecar.image.pullPolicy | quote }}
          args: ["serve", "--socket", "/var/run/kubeclip/serve.sock", "--allow-uid", {{ $sidecar.paperclipUid | quote }}]
          env:
            - name: KUBECLIP_POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: KUBECLIP_LOG_DIR
              value: /var/lib/kubeclip/logs
          securityContext:
            {{- include "kubeclip.serveSecurityContext" . | nindent 12 }}
          resources:
            {{- range $kind := list "requests" "limits" }}
            {{- $set := dict }}
            {{- range $name, $quantity := get $sidecar.resources $kind }}
            {{- if $quantity }}{{ $_ := set $set $name $quantity }}{{ end }}
            {{- end }}
            {{ $kind }}: {{ toJson $set }}
            {{- end }}
          volumeMounts:
            - name: kubeclip-socket
              mountPath: /var/run/kubeclip
            - name: {{ .Values.paperclipPatch.volumeName | quote }}
              mountPath: /var/lib/kubeclip
              subPath: .kubeclip
            - name: kubeclip-tmp
              mountPath: /tmp
            - name: kube-api-access-kubeclip
              mountPath: /var/run/secrets/kubernetes.io/serviceaccount
              readOnly: true
        {{- end }}
      {{- if and $sidecar.enabled $sidecar.imagePullSecrets }}
      imagePullSecrets:
        {{- range $sidecar.imagePullSecrets }}
        - name: {{ . | quote }}
        {{- end }}
      {{- end }}
      volumes:
        - name: {{ .Values.paperclipPatch.volumeName | quote }}
          persistentVolumeClaim:
            claimName: {{ include "kubeclip.claimName" . | quote }}
        {{- if .Values.agentConfig }}
        - name: kubeclip-agent-config
          configMap:
            name: {{ include "kubeclip.agentConfigName" . | quote }}
        {{- end }}
        {{- if $sidecar.enabled }}
        - name: kubeclip-socket
          emptyDir: {}
        - name: kubeclip-tmp
          emptyDir: {}
        - name: kube-api-access-kubeclip
          projected:
            sources:
              - serviceAccountToken:
                  path: token
                  expirationSeconds: 3607
              - configMap:
                  name: kube-root-ca.crt
                  items:
                    - key: ca.crt
                      path: ca.crt
              - downwardAPI:
                  items:
                    - path: namespace
                      fieldRef:
                        fieldPath: metadata.namespace
        {{- end }}
{{- end }}


{{/* The serve container's securityContext (the sidecar's, and the helm test pod's). */}}
{{- define "kubeclip.serveSecurityContext" -}}
{{- $sc := .Values.paperclipPatch.serveSidecar.securityContext -}}
runAsNonRoot: true
runAsUser: {{ $sc.runAsUser }}
runAsGroup: {{ $sc.runAsGroup }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: {{ $sc.readOnlyRootFilesystem }}
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}
