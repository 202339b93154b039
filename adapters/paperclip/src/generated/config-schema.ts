// Generated from schema/agent-config.schema.json by scripts/gen-config-schema.mjs.
// Do not edit; run `npm run gen`.
import type { ConfigFieldSchema } from "@paperclipai/adapter-utils";

/** How a form value becomes kubeclip config: lines -> list, map -> {key: value} from
 * key=value lines, json -> parsed JSON, number/boolean -> coerced, string -> as is. */
export type ValueKind = "string" | "number" | "boolean" | "lines" | "map" | "json";

export const KUBECLIP_FIELDS: ConfigFieldSchema[] = [
  {
    "key": "models",
    "label": "Models",
    "type": "textarea",
    "group": "Kubernetes (kubeclip)",
    "hint": "Models the Paperclip drop-in (kubeclip-opencode models) lists, as provider/model. Default: just `model`."
  },
  {
    "key": "command",
    "label": "Command",
    "type": "text",
    "group": "Kubernetes (kubeclip)",
    "hint": "The agent CLI's executable inside the image. Default: the runtime's own (opencode, claude, codex)."
  },
  {
    "key": "namespace",
    "label": "Namespace",
    "type": "text",
    "group": "Kubernetes (kubeclip)",
    "hint": "Namespace of the Job. Default: the Paperclip pod's namespace."
  },
  {
    "key": "image",
    "label": "Image",
    "type": "text",
    "group": "Kubernetes (kubeclip)",
    "hint": "Container image. Default: the Paperclip container's image."
  },
  {
    "key": "imagePullPolicy",
    "label": "Image Pull Policy",
    "type": "select",
    "group": "Kubernetes (kubeclip)",
    "default": "IfNotPresent",
    "options": [
      {
        "label": "Always",
        "value": "Always"
      },
      {
        "label": "IfNotPresent",
        "value": "IfNotPresent"
      },
      {
        "label": "Never",
        "value": "Never"
      }
    ]
  },
  {
    "key": "kubeconfig",
    "label": "Kubeconfig",
    "type": "text",
    "group": "Kubernetes (kubeclip)",
    "hint": "Path of a kubeconfig file (apply mode). Default: in-cluster, then ~/.kube/config."
  },
  {
    "key": "serviceAccountName",
    "label": "Service Account Name",
    "type": "text",
    "group": "Kubernetes (kubeclip)",
    "hint": "ServiceAccount of the agent pod. When set, its token is mounted; otherwise no token is mounted."
  },
  {
    "key": "resources.requests.cpu",
    "label": "Cpu",
    "type": "text",
    "group": "Kubernetes (kubeclip)",
    "hint": "Container resources, merged key by key over the defaults. Paperclip's flat keys such as \"resources.requests.cpu\" are accepted too. requests of cpu (a Kubernetes quantity).",
    "default": "1000m"
  },
  {
    "key": "resources.requests.memory",
    "label": "Memory",
    "type": "text",
    "group": "Kubernetes (kubeclip)",
    "hint": "Container resources, merged key by key over the defaults. Paperclip's flat keys such as \"resources.requests.cpu\" are accepted too. requests of memory (a Kubernetes quantity).",
    "default": "2Gi"
  },
  {
    "key": "resources.limits.cpu",
    "label": "Cpu",
    "type": "text",
    "group": "Kubernetes (kubeclip)",
    "hint": "Container resources, merged key by key over the defaults. Paperclip's flat keys such as \"resources.requests.cpu\" are accepted too. limits of cpu (a Kubernetes quantity).",
    "default": "4000m"
  },
  {
    "key": "resources.limits.memory",
    "label": "Memory",
    "type": "text",
    "group": "Kubernetes (kubeclip)",
    "hint": "Container resources, merged key by key over the defaults. Paperclip's flat keys such as \"resources.requests.cpu\" are accepted too. limits of memory (a Kubernetes quantity).",
    "default": "8Gi"
  },
  {
    "key": "timeoutSec",
    "label": "Timeout Sec",
    "type": "number",
    "group": "Kubernetes (kubeclip)",
    "hint": "Run timeout in seconds (activeDeadlineSeconds); 0 means none.",
    "default": 0
  },
  {
    "key": "graceSec",
    "label": "Grace Sec",
    "type": "number",
    "group": "Kubernetes (kubeclip)",
    "hint": "Seconds between SIGTERM and SIGKILL (terminationGracePeriodSeconds).",
    "default": 20
  },
  {
    "key": "scheduleTimeoutSec",
    "label": "Schedule Timeout Sec",
    "type": "number",
    "group": "Kubernetes (kubeclip)",
    "hint": "Apply mode: how long the pod may wait to be scheduled (Unschedulable, e.g. while a cluster autoscaler adds a node) before the run fails; separate from timeoutSec. 0 fails at the first Unschedulable.",
    "default": 120
  },
  {
    "key": "idleTimeoutSec",
    "label": "Idle Timeout Sec",
    "type": "number",
    "group": "Kubernetes (kubeclip)",
    "hint": "Apply mode: end a running agent that has printed nothing, on stdout or stderr, for this many seconds (reason idle_timeout, exit 124, like a timeout). 0 (the default) never does. OpenCode prints once per completed step, so set it well above your longest silent step (a long test suite, a slow model), e.g. 900; it catches a hung agent (such as OpenCode resuming a session of another directory) long before timeoutSec.",
    "default": 0
  },
  {
    "key": "concurrency.maxRunsPerAgent",
    "label": "Max Runs Per Agent",
    "type": "number",
    "group": "Kubernetes (kubeclip)",
    "hint": "Active runs per agent (a run Secret name, the lock, per slot). 1 keeps one agent's runs from racing on its workspace and session.",
    "default": 1
  },
  {
    "key": "concurrency.whenBusy",
    "label": "When Busy",
    "type": "select",
    "group": "Kubernetes (kubeclip)",
    "hint": "wait: the run waits its turn (a status line on stderr; bounded by timeoutSec and by cancellation). fail: it ends at once as agent_busy (exit 75).",
    "default": "wait",
    "options": [
      {
        "label": "wait",
        "value": "wait"
      },
      {
        "label": "fail",
        "value": "fail"
      }
    ]
  },
  {
    "key": "retainJobs",
    "label": "Retain Jobs",
    "type": "toggle",
    "group": "Kubernetes (kubeclip)",
    "hint": "Keep finished Jobs (no ttlSecondsAfterFinished, no cleanup).",
    "default": false
  },
  {
    "key": "ttlSecondsAfterFinished",
    "label": "Ttl Seconds After Finished",
    "type": "number",
    "group": "Kubernetes (kubeclip)",
    "hint": "Seconds a finished Job is kept before Kubernetes deletes it. Ignored when retainJobs.",
    "default": 300
  },
  {
    "key": "jobEnv",
    "label": "Job Env",
    "type": "textarea",
    "group": "Kubernetes (kubeclip)",
    "hint": "Extra environment: NAME -> value, or NAME -> {secretKeyRef|configMapKeyRef: {name, key}}. Values whose names look like credentials go into the per-run Secret."
  },
  {
    "key": "secretEnv.always",
    "label": "Always",
    "type": "textarea",
    "group": "Kubernetes (kubeclip)",
    "hint": "Glob patterns of env names whose literal values always go to the run Secret."
  },
  {
    "key": "secretEnv.never",
    "label": "Never",
    "type": "textarea",
    "group": "Kubernetes (kubeclip)",
    "hint": "Glob patterns of env names whose literal values stay in the Job spec, whatever they look like."
  },
  {
    "key": "nodeSelector",
    "label": "Node Selector",
    "type": "textarea",
    "group": "Kubernetes (kubeclip)",
    "hint": "Node labels, as an object or as key=value lines."
  },
  {
    "key": "labels",
    "label": "Labels",
    "type": "textarea",
    "group": "Kubernetes (kubeclip)",
    "hint": "Extra labels for the Job and its pod, as an object or as key=value lines."
  },
  {
    "key": "annotations",
    "label": "Annotations",
    "type": "textarea",
    "group": "Kubernetes (kubeclip)",
    "hint": "Extra annotations for the Job and its pod (override the sidecar-injection defaults)."
  },
  {
    "key": "tolerations",
    "label": "Tolerations",
    "type": "textarea",
    "group": "Kubernetes (kubeclip)",
    "hint": "Pod tolerations, as an array or as a JSON string of one."
  },
  {
    "key": "affinity",
    "label": "Affinity",
    "type": "textarea",
    "group": "Kubernetes (kubeclip)",
    "hint": "Pod affinity (a Kubernetes Affinity object), passed through."
  },
  {
    "key": "priorityClassName",
    "label": "Priority Class Name",
    "type": "text",
    "group": "Kubernetes (kubeclip)"
  },
  {
    "key": "runtimeClassName",
    "label": "Runtime Class Name",
    "type": "text",
    "group": "Kubernetes (kubeclip)"
  },
  {
    "key": "dangerouslySkipPermissions",
    "label": "Dangerously Skip Permissions",
    "type": "toggle",
    "group": "Kubernetes (kubeclip)",
    "hint": "Run the agent without permission prompts, as Paperclip's local adapters do: OpenCode may touch files outside the workspace (permission.external_directory=allow); Claude Code gets --dangerously-skip-permissions (and IS_SANDBOX=1, which it needs to accept that as root: the pod is the sandbox); Codex gets --dangerously-bypass-approvals-and-sandbox (its own sandbox needs bubblewrap and user namespaces in the pod).",
    "default": true
  },
  {
    "key": "inherit.env",
    "label": "Env",
    "type": "textarea",
    "group": "Kubernetes (kubeclip)",
    "hint": "Glob patterns of Paperclip container env names to inherit (replaces the default list). [] inherits none.",
    "default": "PAPERCLIP_API_URL\n*_API_KEY\n*_BASE_URL"
  },
  {
    "key": "inherit.envDeny",
    "label": "Env Deny",
    "type": "textarea",
    "group": "Kubernetes (kubeclip)",
    "hint": "Extra glob patterns never inherited, added to the built-in denylist."
  },
  {
    "key": "inherit.envFrom",
    "label": "Env From",
    "type": "textarea",
    "group": "Kubernetes (kubeclip)",
    "hint": "Glob patterns of Secret/ConfigMap names whose envFrom entries are inherited."
  },
  {
    "key": "inherit.secretVolumes",
    "label": "Secret Volumes",
    "type": "textarea",
    "group": "Kubernetes (kubeclip)",
    "hint": "Glob patterns of secret volume names mounted into the Job at the same path."
  },
  {
    "key": "inherit.imagePullSecrets",
    "label": "Image Pull Secrets",
    "type": "toggle",
    "group": "Kubernetes (kubeclip)",
    "hint": "Reuse the Paperclip pod's imagePullSecrets.",
    "default": true
  },
  {
    "key": "inherit.dns",
    "label": "Dns",
    "type": "toggle",
    "group": "Kubernetes (kubeclip)",
    "hint": "Reuse the Paperclip pod's dnsPolicy and dnsConfig.",
    "default": true
  }
];

export const KUBECLIP_KINDS: Record<string, ValueKind> = {
  "models": "lines",
  "command": "string",
  "namespace": "string",
  "image": "string",
  "imagePullPolicy": "string",
  "kubeconfig": "string",
  "serviceAccountName": "string",
  "resources.requests.cpu": "string",
  "resources.requests.memory": "string",
  "resources.limits.cpu": "string",
  "resources.limits.memory": "string",
  "timeoutSec": "number",
  "graceSec": "number",
  "scheduleTimeoutSec": "number",
  "idleTimeoutSec": "number",
  "concurrency.maxRunsPerAgent": "number",
  "concurrency.whenBusy": "string",
  "retainJobs": "boolean",
  "ttlSecondsAfterFinished": "number",
  "jobEnv": "map",
  "secretEnv.always": "lines",
  "secretEnv.never": "lines",
  "nodeSelector": "map",
  "labels": "map",
  "annotations": "map",
  "tolerations": "json",
  "affinity": "json",
  "priorityClassName": "string",
  "runtimeClassName": "string",
  "dangerouslySkipPermissions": "boolean",
  "inherit.env": "lines",
  "inherit.envDeny": "lines",
  "inherit.envFrom": "lines",
  "inherit.secretVolumes": "lines",
  "inherit.imagePullSecrets": "boolean",
  "inherit.dns": "boolean"
};

/** Form keys that are another kubeclip key (Paperclip's `env` is the agent's env). */
export const KUBECLIP_RENAMED: Record<string, string> = {
  "jobEnv": "env"
};
