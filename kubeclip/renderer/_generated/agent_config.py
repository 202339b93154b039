# Generated from schema/agent-config.schema.json by scripts/gen_validators.py (fastjsonschema 2.22.3).
# Do not edit; run `python scripts/regen.py`.
# ruff: noqa
# mypy: ignore-errors
VERSION = "2.22.3"
import re
class JsonSchemaValueException(ValueError):
    """Raised on the first violation; kubeclip then asks jsonschema to explain all of them."""

    def __init__(self, message, value=None, name=None, definition=None, rule=None):
        super().__init__(message)
        self.message = message
        self.value = value
        self.name = name
        self.definition = definition
        self.rule = rule


JsonSchemaValuesException = JsonSchemaValueException


REGEX_PATTERNS = {
    '^[^/\\s]+/.': re.compile('^[^/\\s]+/.'),
    '^\\S+$': re.compile('^\\S+\\Z'),
    '^[^/\\s]+/\\S+$': re.compile('^[^/\\s]+/\\S+\\Z'),
    '^[^\\s]+$': re.compile('^[^\\s]+\\Z'),
    '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$': re.compile('^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?\\Z'),
    '^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$': re.compile('^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|\\Z)\\s*)*\\Z'),
    '^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$': re.compile('^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?\\Z'),
    '^[A-Za-z0-9_.*?\\-\\[\\]!]+$': re.compile('^[A-Za-z0-9_.*?\\-\\[\\]!]+\\Z'),
    '^[A-Za-z_][A-Za-z0-9_]*$': re.compile('^[A-Za-z_][A-Za-z0-9_]*\\Z'),
    '^[-._a-zA-Z0-9]+$': re.compile('^[-._a-zA-Z0-9]+\\Z'),
    '^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$': re.compile('^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?\\Z'),
    '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$': re.compile('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\Z'),
    '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$': re.compile('^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\Z')
}

NoneType = type(None)

def validate_https___kubeclip_dev_schema_agent_config_schema_json(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'https://json-schema.org/draft/2020-12/schema', '$id': 'https://kubeclip.dev/schema/agent-config.schema.json', 'title': 'kubeclip agent config', 'description': 'How one Paperclip agent runs as a Kubernetes Job. Unknown keys are rejected. Defaults shown here are the ones kubeclip applies.', 'type': 'object', 'additionalProperties': False, 'required': ['model'], 'properties': {'runtime': {'description': "The agent CLI the Job runs: `opencode` (OpenCode), `claude` (Claude Code) or `codex` (Codex). It decides the command's argv, the CLI's state home (kept per agent on the claim) and how its output is read.", 'enum': ['opencode', 'claude', 'codex'], 'default': 'opencode'}, 'model': {'description': "The model: provider/model for OpenCode, the CLI's own model name for Claude Code and Codex.", 'type': 'string', 'pattern': '^\\S+$', 'x-kubeclip-kind': 'word', 'examples': ['anthropic/claude-sonnet-4-5', 'claude-sonnet-4-5']}, 'variant': {'description': 'The model variant: OpenCode\'s --variant (reasoning effort), Claude Code\'s --effort (low, medium, high). Codex has none (its reasoning effort: -c model_reasoning_effort="high" in extraArgs).', 'type': 'string', 'pattern': '^\\S+$', 'x-kubeclip-kind': 'word'}, 'models': {'description': 'Models the Paperclip drop-in (kubeclip-opencode models) lists, as provider/model. Default: just `model`.', 'type': 'array', 'items': {'type': 'string', 'pattern': '^[^/\\s]+/\\S+$', 'x-kubeclip-kind': 'model'}, 'default': []}, 'command': {'description': "The agent CLI's executable inside the image. Default: the runtime's own (opencode, claude, codex).", 'type': 'string', 'minLength': 1}, 'namespace': {'type': 'string', 'maxLength': 63, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'x-kubeclip-kind': 'dns1123Label'}, 'image': {'description': "Container image. Default: the Paperclip container's image.", 'type': 'string', 'pattern': '^[^\\s]+$', 'x-kubeclip-kind': 'word'}, 'imagePullPolicy': {'type': 'string', 'enum': ['Always', 'IfNotPresent', 'Never'], 'default': 'IfNotPresent'}, 'kubeconfig': {'description': 'Path of a kubeconfig file (apply mode). Default: in-cluster, then ~/.kube/config.', 'type': 'string', 'minLength': 1}, 'serviceAccountName': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'resources': {'description': 'Container resources, merged key by key over the defaults. Paperclip\'s flat keys such as "resources.requests.cpu" are accepted too.', 'type': 'object', 'additionalProperties': False, 'properties': {'requests': {'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/quantity'}}, 'limits': {'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/quantity'}}}, 'default': {'requests': {'cpu': '1000m', 'memory': '2Gi'}, 'limits': {'cpu': '4000m', 'memory': '8Gi'}}, 'x-kubeclip-section': True}, 'timeoutSec': {'description': 'Run timeout in seconds (activeDeadlineSeconds); 0 means none.', 'type': 'integer', 'minimum': 0, 'default': 0}, 'graceSec': {'description': 'Seconds between SIGTERM and SIGKILL (terminationGracePeriodSeconds).', 'type': 'integer', 'minimum': 0, 'maximum': 3600, 'default': 20}, 'scheduleTimeoutSec': {'description': 'Apply mode: how long the pod may wait to be scheduled (Unschedulable, e.g. while a cluster autoscaler adds a node) before the run fails; separate from timeoutSec. 0 fails at the first Unschedulable.', 'type': 'integer', 'minimum': 0, 'default': 120}, 'idleTimeoutSec': {'description': 'Apply mode: end a running agent that has printed nothing, on stdout or stderr, for this many seconds (reason idle_timeout, exit 124, like a timeout). 0 (the default) never does. OpenCode prints once per completed step, so set it well above your longest silent step (a long test suite, a slow model), e.g. 900; it catches a hung agent (such as OpenCode resuming a session of another directory) long before timeoutSec.', 'type': 'integer', 'minimum': 0, 'default': 0}, 'concurrency': {'description': 'Apply mode: how many runs of one agent may be active at once, and what a run that finds them all busy does. Paperclip starts concurrent runs of one agent (up to its maxConcurrentRuns, default 20).', 'type': 'object', 'additionalProperties': False, 'properties': {'maxRunsPerAgent': {'description': "Active runs per agent (a run Secret name, the lock, per slot). 1 keeps one agent's runs from racing on its workspace and session.", 'type': 'integer', 'minimum': 1, 'maximum': 50, 'default': 1}, 'whenBusy': {'description': 'wait: the run waits its turn (a status line on stderr; bounded by timeoutSec and by cancellation). fail: it ends at once as agent_busy (exit 75).', 'enum': ['wait', 'fail'], 'default': 'wait'}}, 'default': {}, 'x-kubeclip-section': True}, 'retainJobs': {'description': 'Keep finished Jobs (no ttlSecondsAfterFinished, no cleanup).', 'type': 'boolean', 'default': False}, 'ttlSecondsAfterFinished': {'description': 'Seconds a finished Job is kept before Kubernetes deletes it. Ignored when retainJobs.', 'type': 'integer', 'minimum': 0, 'default': 300}, 'env': {'description': 'Extra environment: NAME -> value, or NAME -> {secretKeyRef|configMapKeyRef: {name, key}}. Values whose names look like credentials go into the per-run Secret.', 'type': 'object', 'propertyNames': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'additionalProperties': {'anyOf': [{'type': 'string'}, {'type': 'object', 'additionalProperties': False, 'minProperties': 1, 'maxProperties': 1, 'properties': {'secretKeyRef': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/keyRef'}, 'configMapKeyRef': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/keyRef'}}}]}, 'default': {}}, 'secretEnv': {'description': 'Force which literal env values are credentials (moved to the run Secret). By default a value is one when its name matches *_KEY, *TOKEN*, *SECRET*, *PASS, *PASSWORD*, *AUTH, *CREDENTIAL*, ... (case-insensitive) or it holds a URL with a password (scheme://user:pw@host).', 'type': 'object', 'additionalProperties': False, 'properties': {'always': {'description': 'Glob patterns of env names whose literal values always go to the run Secret.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'never': {'description': 'Glob patterns of env names whose literal values stay in the Job spec, whatever they look like.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}}, 'default': {}, 'x-kubeclip-section': True}, 'extraArgs': {'description': "Extra arguments appended to the CLI's argv (after kubeclip's), each one argv element.", 'type': 'array', 'items': {'type': 'string'}, 'default': []}, 'nodeSelector': {'description': 'Node labels, as an object or as key=value lines.', 'anyOf': [{'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/labelValue'}}, {'type': 'string', 'pattern': '^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$', 'x-kubeclip-kind': 'keyValueLines'}], 'default': {}}, 'labels': {'description': 'Extra labels for the Job and its pod, as an object or as key=value lines.', 'anyOf': [{'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/labelValue'}}, {'type': 'string', 'pattern': '^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$', 'x-kubeclip-kind': 'keyValueLines'}], 'default': {}}, 'annotations': {'description': 'Extra annotations for the Job and its pod (override the sidecar-injection defaults).', 'type': 'object', 'propertyNames': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'additionalProperties': {'type': 'string'}, 'default': {}}, 'tolerations': {'description': 'Pod tolerations, as an array or as a JSON string of one.', 'anyOf': [{'type': 'array', 'items': {'type': 'object', 'additionalProperties': False, 'properties': {'key': {'type': 'string'}, 'operator': {'type': 'string', 'enum': ['Exists', 'Equal']}, 'value': {'type': 'string'}, 'effect': {'type': 'string', 'enum': ['NoSchedule', 'PreferNoSchedule', 'NoExecute']}, 'tolerationSeconds': {'type': 'integer'}}}}, {'type': 'string', 'x-kubeclip-kind': 'jsonArray'}], 'default': []}, 'affinity': {'description': 'Pod affinity (a Kubernetes Affinity object), passed through.', 'type': 'object', 'additionalProperties': False, 'properties': {'nodeAffinity': {'type': 'object'}, 'podAffinity': {'type': 'object'}, 'podAntiAffinity': {'type': 'object'}}}, 'priorityClassName': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'runtimeClassName': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'dangerouslySkipPermissions': {'description': "Run the agent without permission prompts, as Paperclip's local adapters do: OpenCode may touch files outside the workspace (permission.external_directory=allow); Claude Code gets --dangerously-skip-permissions (and IS_SANDBOX=1, which it needs to accept that as root: the pod is the sandbox); Codex gets --dangerously-bypass-approvals-and-sandbox (its own sandbox needs bubblewrap and user namespaces in the pod).", 'type': 'boolean', 'default': True}, 'inherit': {'description': 'What the Job takes over from the Paperclip container. Env is inherited by allowlist, minus a built-in denylist of server-only secrets.', 'type': 'object', 'additionalProperties': False, 'properties': {'env': {'description': 'Glob patterns of Paperclip container env names to inherit (replaces the default list). [] inherits none.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': ['PAPERCLIP_API_URL', '*_API_KEY', '*_BASE_URL']}, 'envDeny': {'description': 'Extra glob patterns never inherited, added to the built-in denylist.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'envFrom': {'description': 'Glob patterns of Secret/ConfigMap names whose envFrom entries are inherited.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'secretVolumes': {'description': 'Glob patterns of secret volume names mounted into the Job at the same path.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'imagePullSecrets': {'description': "Reuse the Paperclip pod's imagePullSecrets.", 'type': 'boolean', 'default': True}, 'dns': {'description': "Reuse the Paperclip pod's dnsPolicy and dnsConfig.", 'type': 'boolean', 'default': True}}, 'x-kubeclip-section': True}}, 'allOf': [{'if': {'properties': {'runtime': {'const': 'opencode'}}}, 'then': {'properties': {'model': {'pattern': '^[^/\\s]+/.', 'x-kubeclip-kind': 'model'}}}}], '$defs': {'dns1123Label': {'type': 'string', 'maxLength': 63, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'x-kubeclip-kind': 'dns1123Label'}, 'dns1123Subdomain': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'qualifiedName': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'labelValue': {'type': 'string', 'maxLength': 63, 'pattern': '^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$', 'x-kubeclip-kind': 'labelValue'}, 'labelMap': {'type': 'object', 'propertyNames': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'additionalProperties': {'type': 'string', 'maxLength': 63, 'pattern': '^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$', 'x-kubeclip-kind': 'labelValue'}}, 'keyValueLines': {'type': 'string', 'pattern': '^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$', 'x-kubeclip-kind': 'keyValueLines'}, 'envName': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'envRef': {'type': 'object', 'additionalProperties': False, 'minProperties': 1, 'maxProperties': 1, 'properties': {'secretKeyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}, 'configMapKeyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}}}, 'keyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}, 'quantity': {'type': ['string', 'number'], 'minimum': 0, 'pattern': '^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$', 'x-kubeclip-kind': 'quantity'}, 'resourceList': {'type': 'object', 'propertyNames': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'additionalProperties': {'type': ['string', 'number'], 'minimum': 0, 'pattern': '^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$', 'x-kubeclip-kind': 'quantity'}}, 'toleration': {'type': 'object', 'additionalProperties': False, 'properties': {'key': {'type': 'string'}, 'operator': {'type': 'string', 'enum': ['Exists', 'Equal']}, 'value': {'type': 'string'}, 'effect': {'type': 'string', 'enum': ['NoSchedule', 'PreferNoSchedule', 'NoExecute']}, 'tolerationSeconds': {'type': 'integer'}}}, 'glob': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}}}, rule='type')
    try:
        data_is_dict = isinstance(data, dict)
        if data_is_dict:
            data_keys = set(data.keys())
            if "runtime" in data_keys:
                data_keys.remove("runtime")
                data__runtime = data["runtime"]
                if not (isinstance(data__runtime, str) and data__runtime == 'opencode'):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime must be same as const definition: opencode", value=data__runtime, name="" + (name_prefix or "data") + ".runtime", definition={'const': 'opencode'}, rule='const')
    except (JsonSchemaValueException, JsonSchemaValuesException):
        pass
    else:
        data_is_dict = isinstance(data, dict)
        if data_is_dict:
            data_keys = set(data.keys())
            if "model" in data_keys:
                data_keys.remove("model")
                data__model = data["model"]
                if isinstance(data__model, str):
                    if not REGEX_PATTERNS['^[^/\\s]+/.'].search(data__model):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".model must match pattern ^[^/\\s]+/.", value=data__model, name="" + (name_prefix or "data") + ".model", definition={'pattern': '^[^/\\s]+/.', 'x-kubeclip-kind': 'model'}, rule='pattern')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['model']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'https://json-schema.org/draft/2020-12/schema', '$id': 'https://kubeclip.dev/schema/agent-config.schema.json', 'title': 'kubeclip agent config', 'description': 'How one Paperclip agent runs as a Kubernetes Job. Unknown keys are rejected. Defaults shown here are the ones kubeclip applies.', 'type': 'object', 'additionalProperties': False, 'required': ['model'], 'properties': {'runtime': {'description': "The agent CLI the Job runs: `opencode` (OpenCode), `claude` (Claude Code) or `codex` (Codex). It decides the command's argv, the CLI's state home (kept per agent on the claim) and how its output is read.", 'enum': ['opencode', 'claude', 'codex'], 'default': 'opencode'}, 'model': {'description': "The model: provider/model for OpenCode, the CLI's own model name for Claude Code and Codex.", 'type': 'string', 'pattern': '^\\S+$', 'x-kubeclip-kind': 'word', 'examples': ['anthropic/claude-sonnet-4-5', 'claude-sonnet-4-5']}, 'variant': {'description': 'The model variant: OpenCode\'s --variant (reasoning effort), Claude Code\'s --effort (low, medium, high). Codex has none (its reasoning effort: -c model_reasoning_effort="high" in extraArgs).', 'type': 'string', 'pattern': '^\\S+$', 'x-kubeclip-kind': 'word'}, 'models': {'description': 'Models the Paperclip drop-in (kubeclip-opencode models) lists, as provider/model. Default: just `model`.', 'type': 'array', 'items': {'type': 'string', 'pattern': '^[^/\\s]+/\\S+$', 'x-kubeclip-kind': 'model'}, 'default': []}, 'command': {'description': "The agent CLI's executable inside the image. Default: the runtime's own (opencode, claude, codex).", 'type': 'string', 'minLength': 1}, 'namespace': {'type': 'string', 'maxLength': 63, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'x-kubeclip-kind': 'dns1123Label'}, 'image': {'description': "Container image. Default: the Paperclip container's image.", 'type': 'string', 'pattern': '^[^\\s]+$', 'x-kubeclip-kind': 'word'}, 'imagePullPolicy': {'type': 'string', 'enum': ['Always', 'IfNotPresent', 'Never'], 'default': 'IfNotPresent'}, 'kubeconfig': {'description': 'Path of a kubeconfig file (apply mode). Default: in-cluster, then ~/.kube/config.', 'type': 'string', 'minLength': 1}, 'serviceAccountName': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'resources': {'description': 'Container resources, merged key by key over the defaults. Paperclip\'s flat keys such as "resources.requests.cpu" are accepted too.', 'type': 'object', 'additionalProperties': False, 'properties': {'requests': {'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/quantity'}}, 'limits': {'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/quantity'}}}, 'default': {'requests': {'cpu': '1000m', 'memory': '2Gi'}, 'limits': {'cpu': '4000m', 'memory': '8Gi'}}, 'x-kubeclip-section': True}, 'timeoutSec': {'description': 'Run timeout in seconds (activeDeadlineSeconds); 0 means none.', 'type': 'integer', 'minimum': 0, 'default': 0}, 'graceSec': {'description': 'Seconds between SIGTERM and SIGKILL (terminationGracePeriodSeconds).', 'type': 'integer', 'minimum': 0, 'maximum': 3600, 'default': 20}, 'scheduleTimeoutSec': {'description': 'Apply mode: how long the pod may wait to be scheduled (Unschedulable, e.g. while a cluster autoscaler adds a node) before the run fails; separate from timeoutSec. 0 fails at the first Unschedulable.', 'type': 'integer', 'minimum': 0, 'default': 120}, 'idleTimeoutSec': {'description': 'Apply mode: end a running agent that has printed nothing, on stdout or stderr, for this many seconds (reason idle_timeout, exit 124, like a timeout). 0 (the default) never does. OpenCode prints once per completed step, so set it well above your longest silent step (a long test suite, a slow model), e.g. 900; it catches a hung agent (such as OpenCode resuming a session of another directory) long before timeoutSec.', 'type': 'integer', 'minimum': 0, 'default': 0}, 'concurrency': {'description': 'Apply mode: how many runs of one agent may be active at once, and what a run that finds them all busy does. Paperclip starts concurrent runs of one agent (up to its maxConcurrentRuns, default 20).', 'type': 'object', 'additionalProperties': False, 'properties': {'maxRunsPerAgent': {'description': "Active runs per agent (a run Secret name, the lock, per slot). 1 keeps one agent's runs from racing on its workspace and session.", 'type': 'integer', 'minimum': 1, 'maximum': 50, 'default': 1}, 'whenBusy': {'description': 'wait: the run waits its turn (a status line on stderr; bounded by timeoutSec and by cancellation). fail: it ends at once as agent_busy (exit 75).', 'enum': ['wait', 'fail'], 'default': 'wait'}}, 'default': {}, 'x-kubeclip-section': True}, 'retainJobs': {'description': 'Keep finished Jobs (no ttlSecondsAfterFinished, no cleanup).', 'type': 'boolean', 'default': False}, 'ttlSecondsAfterFinished': {'description': 'Seconds a finished Job is kept before Kubernetes deletes it. Ignored when retainJobs.', 'type': 'integer', 'minimum': 0, 'default': 300}, 'env': {'description': 'Extra environment: NAME -> value, or NAME -> {secretKeyRef|configMapKeyRef: {name, key}}. Values whose names look like credentials go into the per-run Secret.', 'type': 'object', 'propertyNames': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'additionalProperties': {'anyOf': [{'type': 'string'}, {'type': 'object', 'additionalProperties': False, 'minProperties': 1, 'maxProperties': 1, 'properties': {'secretKeyRef': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/keyRef'}, 'configMapKeyRef': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/keyRef'}}}]}, 'default': {}}, 'secretEnv': {'description': 'Force which literal env values are credentials (moved to the run Secret). By default a value is one when its name matches *_KEY, *TOKEN*, *SECRET*, *PASS, *PASSWORD*, *AUTH, *CREDENTIAL*, ... (case-insensitive) or it holds a URL with a password (scheme://user:pw@host).', 'type': 'object', 'additionalProperties': False, 'properties': {'always': {'description': 'Glob patterns of env names whose literal values always go to the run Secret.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'never': {'description': 'Glob patterns of env names whose literal values stay in the Job spec, whatever they look like.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}}, 'default': {}, 'x-kubeclip-section': True}, 'extraArgs': {'description': "Extra arguments appended to the CLI's argv (after kubeclip's), each one argv element.", 'type': 'array', 'items': {'type': 'string'}, 'default': []}, 'nodeSelector': {'description': 'Node labels, as an object or as key=value lines.', 'anyOf': [{'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/labelValue'}}, {'type': 'string', 'pattern': '^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$', 'x-kubeclip-kind': 'keyValueLines'}], 'default': {}}, 'labels': {'description': 'Extra labels for the Job and its pod, as an object or as key=value lines.', 'anyOf': [{'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/labelValue'}}, {'type': 'string', 'pattern': '^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$', 'x-kubeclip-kind': 'keyValueLines'}], 'default': {}}, 'annotations': {'description': 'Extra annotations for the Job and its pod (override the sidecar-injection defaults).', 'type': 'object', 'propertyNames': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'additionalProperties': {'type': 'string'}, 'default': {}}, 'tolerations': {'description': 'Pod tolerations, as an array or as a JSON string of one.', 'anyOf': [{'type': 'array', 'items': {'type': 'object', 'additionalProperties': False, 'properties': {'key': {'type': 'string'}, 'operator': {'type': 'string', 'enum': ['Exists', 'Equal']}, 'value': {'type': 'string'}, 'effect': {'type': 'string', 'enum': ['NoSchedule', 'PreferNoSchedule', 'NoExecute']}, 'tolerationSeconds': {'type': 'integer'}}}}, {'type': 'string', 'x-kubeclip-kind': 'jsonArray'}], 'default': []}, 'affinity': {'description': 'Pod affinity (a Kubernetes Affinity object), passed through.', 'type': 'object', 'additionalProperties': False, 'properties': {'nodeAffinity': {'type': 'object'}, 'podAffinity': {'type': 'object'}, 'podAntiAffinity': {'type': 'object'}}}, 'priorityClassName': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'runtimeClassName': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'dangerouslySkipPermissions': {'description': "Run the agent without permission prompts, as Paperclip's local adapters do: OpenCode may touch files outside the workspace (permission.external_directory=allow); Claude Code gets --dangerously-skip-permissions (and IS_SANDBOX=1, which it needs to accept that as root: the pod is the sandbox); Codex gets --dangerously-bypass-approvals-and-sandbox (its own sandbox needs bubblewrap and user namespaces in the pod).", 'type': 'boolean', 'default': True}, 'inherit': {'description': 'What the Job takes over from the Paperclip container. Env is inherited by allowlist, minus a built-in denylist of server-only secrets.', 'type': 'object', 'additionalProperties': False, 'properties': {'env': {'description': 'Glob patterns of Paperclip container env names to inherit (replaces the default list). [] inherits none.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': ['PAPERCLIP_API_URL', '*_API_KEY', '*_BASE_URL']}, 'envDeny': {'description': 'Extra glob patterns never inherited, added to the built-in denylist.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'envFrom': {'description': 'Glob patterns of Secret/ConfigMap names whose envFrom entries are inherited.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'secretVolumes': {'description': 'Glob patterns of secret volume names mounted into the Job at the same path.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'imagePullSecrets': {'description': "Reuse the Paperclip pod's imagePullSecrets.", 'type': 'boolean', 'default': True}, 'dns': {'description': "Reuse the Paperclip pod's dnsPolicy and dnsConfig.", 'type': 'boolean', 'default': True}}, 'x-kubeclip-section': True}}, 'allOf': [{'if': {'properties': {'runtime': {'const': 'opencode'}}}, 'then': {'properties': {'model': {'pattern': '^[^/\\s]+/.', 'x-kubeclip-kind': 'model'}}}}], '$defs': {'dns1123Label': {'type': 'string', 'maxLength': 63, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'x-kubeclip-kind': 'dns1123Label'}, 'dns1123Subdomain': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'qualifiedName': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'labelValue': {'type': 'string', 'maxLength': 63, 'pattern': '^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$', 'x-kubeclip-kind': 'labelValue'}, 'labelMap': {'type': 'object', 'propertyNames': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'additionalProperties': {'type': 'string', 'maxLength': 63, 'pattern': '^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$', 'x-kubeclip-kind': 'labelValue'}}, 'keyValueLines': {'type': 'string', 'pattern': '^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$', 'x-kubeclip-kind': 'keyValueLines'}, 'envName': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'envRef': {'type': 'object', 'additionalProperties': False, 'minProperties': 1, 'maxProperties': 1, 'properties': {'secretKeyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}, 'configMapKeyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}}}, 'keyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}, 'quantity': {'type': ['string', 'number'], 'minimum': 0, 'pattern': '^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$', 'x-kubeclip-kind': 'quantity'}, 'resourceList': {'type': 'object', 'propertyNames': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'additionalProperties': {'type': ['string', 'number'], 'minimum': 0, 'pattern': '^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$', 'x-kubeclip-kind': 'quantity'}}, 'toleration': {'type': 'object', 'additionalProperties': False, 'properties': {'key': {'type': 'string'}, 'operator': {'type': 'string', 'enum': ['Exists', 'Equal']}, 'value': {'type': 'string'}, 'effect': {'type': 'string', 'enum': ['NoSchedule', 'PreferNoSchedule', 'NoExecute']}, 'tolerationSeconds': {'type': 'integer'}}}, 'glob': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}}}, rule='required')
        data_keys = set(data.keys())
        if "runtime" in data_keys:
            data_keys.remove("runtime")
            data__runtime = data["runtime"]
            if not (isinstance(data__runtime, str) and data__runtime == 'opencode' or isinstance(data__runtime, str) and data__runtime == 'claude' or isinstance(data__runtime, str) and data__runtime == 'codex'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime must be one of ['opencode', 'claude', 'codex']", value=data__runtime, name="" + (name_prefix or "data") + ".runtime", definition={'description': "The agent CLI the Job runs: `opencode` (OpenCode), `claude` (Claude Code) or `codex` (Codex). It decides the command's argv, the CLI's state home (kept per agent on the claim) and how its output is read.", 'enum': ['opencode', 'claude', 'codex'], 'default': 'opencode'}, rule='enum')
        else: data["runtime"] = 'opencode'
        if "model" in data_keys:
            data_keys.remove("model")
            data__model = data["model"]
            if not isinstance(data__model, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".model must be string", value=data__model, name="" + (name_prefix or "data") + ".model", definition={'description': "The model: provider/model for OpenCode, the CLI's own model name for Claude Code and Codex.", 'type': 'string', 'pattern': '^\\S+$', 'x-kubeclip-kind': 'word', 'examples': ['anthropic/claude-sonnet-4-5', 'claude-sonnet-4-5']}, rule='type')
            if isinstance(data__model, str):
                if not REGEX_PATTERNS['^\\S+$'].search(data__model):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".model must match pattern ^\\S+$", value=data__model, name="" + (name_prefix or "data") + ".model", definition={'description': "The model: provider/model for OpenCode, the CLI's own model name for Claude Code and Codex.", 'type': 'string', 'pattern': '^\\S+$', 'x-kubeclip-kind': 'word', 'examples': ['anthropic/claude-sonnet-4-5', 'claude-sonnet-4-5']}, rule='pattern')
        if "variant" in data_keys:
            data_keys.remove("variant")
            data__variant = data["variant"]
            if not isinstance(data__variant, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".variant must be string", value=data__variant, name="" + (name_prefix or "data") + ".variant", definition={'description': 'The model variant: OpenCode\'s --variant (reasoning effort), Claude Code\'s --effort (low, medium, high). Codex has none (its reasoning effort: -c model_reasoning_effort="high" in extraArgs).', 'type': 'string', 'pattern': '^\\S+$', 'x-kubeclip-kind': 'word'}, rule='type')
            if isinstance(data__variant, str):
                if not REGEX_PATTERNS['^\\S+$'].search(data__variant):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".variant must match pattern ^\\S+$", value=data__variant, name="" + (name_prefix or "data") + ".variant", definition={'description': 'The model variant: OpenCode\'s --variant (reasoning effort), Claude Code\'s --effort (low, medium, high). Codex has none (its reasoning effort: -c model_reasoning_effort="high" in extraArgs).', 'type': 'string', 'pattern': '^\\S+$', 'x-kubeclip-kind': 'word'}, rule='pattern')
        if "models" in data_keys:
            data_keys.remove("models")
            data__models = data["models"]
            if not isinstance(data__models, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".models must be array", value=data__models, name="" + (name_prefix or "data") + ".models", definition={'description': 'Models the Paperclip drop-in (kubeclip-opencode models) lists, as provider/model. Default: just `model`.', 'type': 'array', 'items': {'type': 'string', 'pattern': '^[^/\\s]+/\\S+$', 'x-kubeclip-kind': 'model'}, 'default': []}, rule='type')
            data__models_is_list = isinstance(data__models, (list, tuple))
            if data__models_is_list:
                data__models_len = len(data__models)
                for data__models_x, data__models_item in enumerate(data__models):
                    if not isinstance(data__models_item, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".models[{data__models_x}]".format(**locals()) + " must be string", value=data__models_item, name="" + (name_prefix or "data") + ".models[{data__models_x}]".format(**locals()) + "", definition={'type': 'string', 'pattern': '^[^/\\s]+/\\S+$', 'x-kubeclip-kind': 'model'}, rule='type')
                    if isinstance(data__models_item, str):
                        if not REGEX_PATTERNS['^[^/\\s]+/\\S+$'].search(data__models_item):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".models[{data__models_x}]".format(**locals()) + " must match pattern ^[^/\\s]+/\\S+$", value=data__models_item, name="" + (name_prefix or "data") + ".models[{data__models_x}]".format(**locals()) + "", definition={'type': 'string', 'pattern': '^[^/\\s]+/\\S+$', 'x-kubeclip-kind': 'model'}, rule='pattern')
        else: data["models"] = []
        if "command" in data_keys:
            data_keys.remove("command")
            data__command = data["command"]
            if not isinstance(data__command, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".command must be string", value=data__command, name="" + (name_prefix or "data") + ".command", definition={'description': "The agent CLI's executable inside the image. Default: the runtime's own (opencode, claude, codex).", 'type': 'string', 'minLength': 1}, rule='type')
            if isinstance(data__command, str):
                data__command_len = len(data__command)
                if data__command_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".command must be longer than or equal to 1 characters", value=data__command, name="" + (name_prefix or "data") + ".command", definition={'description': "The agent CLI's executable inside the image. Default: the runtime's own (opencode, claude, codex).", 'type': 'string', 'minLength': 1}, rule='minLength')
        if "namespace" in data_keys:
            data_keys.remove("namespace")
            data__namespace = data["namespace"]
            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_dns1123label(data__namespace, custom_formats, (name_prefix or "data") + ".namespace")
        if "image" in data_keys:
            data_keys.remove("image")
            data__image = data["image"]
            if not isinstance(data__image, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".image must be string", value=data__image, name="" + (name_prefix or "data") + ".image", definition={'description': "Container image. Default: the Paperclip container's image.", 'type': 'string', 'pattern': '^[^\\s]+$', 'x-kubeclip-kind': 'word'}, rule='type')
            if isinstance(data__image, str):
                if not REGEX_PATTERNS['^[^\\s]+$'].search(data__image):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".image must match pattern ^[^\\s]+$", value=data__image, name="" + (name_prefix or "data") + ".image", definition={'description': "Container image. Default: the Paperclip container's image.", 'type': 'string', 'pattern': '^[^\\s]+$', 'x-kubeclip-kind': 'word'}, rule='pattern')
        if "imagePullPolicy" in data_keys:
            data_keys.remove("imagePullPolicy")
            data__imagePullPolicy = data["imagePullPolicy"]
            if not isinstance(data__imagePullPolicy, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".imagePullPolicy must be string", value=data__imagePullPolicy, name="" + (name_prefix or "data") + ".imagePullPolicy", definition={'type': 'string', 'enum': ['Always', 'IfNotPresent', 'Never'], 'default': 'IfNotPresent'}, rule='type')
            if not (isinstance(data__imagePullPolicy, str) and data__imagePullPolicy == 'Always' or isinstance(data__imagePullPolicy, str) and data__imagePullPolicy == 'IfNotPresent' or isinstance(data__imagePullPolicy, str) and data__imagePullPolicy == 'Never'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".imagePullPolicy must be one of ['Always', 'IfNotPresent', 'Never']", value=data__imagePullPolicy, name="" + (name_prefix or "data") + ".imagePullPolicy", definition={'type': 'string', 'enum': ['Always', 'IfNotPresent', 'Never'], 'default': 'IfNotPresent'}, rule='enum')
        else: data["imagePullPolicy"] = 'IfNotPresent'
        if "kubeconfig" in data_keys:
            data_keys.remove("kubeconfig")
            data__kubeconfig = data["kubeconfig"]
            if not isinstance(data__kubeconfig, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".kubeconfig must be string", value=data__kubeconfig, name="" + (name_prefix or "data") + ".kubeconfig", definition={'description': 'Path of a kubeconfig file (apply mode). Default: in-cluster, then ~/.kube/config.', 'type': 'string', 'minLength': 1}, rule='type')
            if isinstance(data__kubeconfig, str):
                data__kubeconfig_len = len(data__kubeconfig)
                if data__kubeconfig_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".kubeconfig must be longer than or equal to 1 characters", value=data__kubeconfig, name="" + (name_prefix or "data") + ".kubeconfig", definition={'description': 'Path of a kubeconfig file (apply mode). Default: in-cluster, then ~/.kube/config.', 'type': 'string', 'minLength': 1}, rule='minLength')
        if "serviceAccountName" in data_keys:
            data_keys.remove("serviceAccountName")
            data__serviceAccountName = data["serviceAccountName"]
            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_dns1123subdomain(data__serviceAccountName, custom_formats, (name_prefix or "data") + ".serviceAccountName")
        if "resources" in data_keys:
            data_keys.remove("resources")
            data__resources = data["resources"]
            if not isinstance(data__resources, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".resources must be object", value=data__resources, name="" + (name_prefix or "data") + ".resources", definition={'description': 'Container resources, merged key by key over the defaults. Paperclip\'s flat keys such as "resources.requests.cpu" are accepted too.', 'type': 'object', 'additionalProperties': False, 'properties': {'requests': {'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/quantity'}}, 'limits': {'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/quantity'}}}, 'default': {'requests': {'cpu': '1000m', 'memory': '2Gi'}, 'limits': {'cpu': '4000m', 'memory': '8Gi'}}, 'x-kubeclip-section': True}, rule='type')
            data__resources_is_dict = isinstance(data__resources, dict)
            if data__resources_is_dict:
                data__resources_keys = set(data__resources.keys())
                if "requests" in data__resources_keys:
                    data__resources_keys.remove("requests")
                    data__resources__requests = data__resources["requests"]
                    validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_resourcelist(data__resources__requests, custom_formats, (name_prefix or "data") + ".resources.requests")
                if "limits" in data__resources_keys:
                    data__resources_keys.remove("limits")
                    data__resources__limits = data__resources["limits"]
                    validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_resourcelist(data__resources__limits, custom_formats, (name_prefix or "data") + ".resources.limits")
                if data__resources_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".resources must not contain "+str(data__resources_keys)+" properties", value=data__resources, name="" + (name_prefix or "data") + ".resources", definition={'description': 'Container resources, merged key by key over the defaults. Paperclip\'s flat keys such as "resources.requests.cpu" are accepted too.', 'type': 'object', 'additionalProperties': False, 'properties': {'requests': {'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/quantity'}}, 'limits': {'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/quantity'}}}, 'default': {'requests': {'cpu': '1000m', 'memory': '2Gi'}, 'limits': {'cpu': '4000m', 'memory': '8Gi'}}, 'x-kubeclip-section': True}, rule='additionalProperties')
        else: data["resources"] = {'requests': {'cpu': '1000m', 'memory': '2Gi'}, 'limits': {'cpu': '4000m', 'memory': '8Gi'}}
        if "timeoutSec" in data_keys:
            data_keys.remove("timeoutSec")
            data__timeoutSec = data["timeoutSec"]
            if not isinstance(data__timeoutSec, (int)) and not (isinstance(data__timeoutSec, float) and data__timeoutSec.is_integer()) or isinstance(data__timeoutSec, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".timeoutSec must be integer", value=data__timeoutSec, name="" + (name_prefix or "data") + ".timeoutSec", definition={'description': 'Run timeout in seconds (activeDeadlineSeconds); 0 means none.', 'type': 'integer', 'minimum': 0, 'default': 0}, rule='type')
            if isinstance(data__timeoutSec, (int, float)) and not isinstance(data__timeoutSec, bool):
                if data__timeoutSec < 0:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".timeoutSec must be bigger than or equal to 0", value=data__timeoutSec, name="" + (name_prefix or "data") + ".timeoutSec", definition={'description': 'Run timeout in seconds (activeDeadlineSeconds); 0 means none.', 'type': 'integer', 'minimum': 0, 'default': 0}, rule='minimum')
        else: data["timeoutSec"] = 0
        if "graceSec" in data_keys:
            data_keys.remove("graceSec")
            data__graceSec = data["graceSec"]
            if not isinstance(data__graceSec, (int)) and not (isinstance(data__graceSec, float) and data__graceSec.is_integer()) or isinstance(data__graceSec, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".graceSec must be integer", value=data__graceSec, name="" + (name_prefix or "data") + ".graceSec", definition={'description': 'Seconds between SIGTERM and SIGKILL (terminationGracePeriodSeconds).', 'type': 'integer', 'minimum': 0, 'maximum': 3600, 'default': 20}, rule='type')
            if isinstance(data__graceSec, (int, float)) and not isinstance(data__graceSec, bool):
                if data__graceSec < 0:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".graceSec must be bigger than or equal to 0", value=data__graceSec, name="" + (name_prefix or "data") + ".graceSec", definition={'description': 'Seconds between SIGTERM and SIGKILL (terminationGracePeriodSeconds).', 'type': 'integer', 'minimum': 0, 'maximum': 3600, 'default': 20}, rule='minimum')
                if data__graceSec > 3600:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".graceSec must be smaller than or equal to 3600", value=data__graceSec, name="" + (name_prefix or "data") + ".graceSec", definition={'description': 'Seconds between SIGTERM and SIGKILL (terminationGracePeriodSeconds).', 'type': 'integer', 'minimum': 0, 'maximum': 3600, 'default': 20}, rule='maximum')
        else: data["graceSec"] = 20
        if "scheduleTimeoutSec" in data_keys:
            data_keys.remove("scheduleTimeoutSec")
            data__scheduleTimeoutSec = data["scheduleTimeoutSec"]
            if not isinstance(data__scheduleTimeoutSec, (int)) and not (isinstance(data__scheduleTimeoutSec, float) and data__scheduleTimeoutSec.is_integer()) or isinstance(data__scheduleTimeoutSec, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".scheduleTimeoutSec must be integer", value=data__scheduleTimeoutSec, name="" + (name_prefix or "data") + ".scheduleTimeoutSec", definition={'description': 'Apply mode: how long the pod may wait to be scheduled (Unschedulable, e.g. while a cluster autoscaler adds a node) before the run fails; separate from timeoutSec. 0 fails at the first Unschedulable.', 'type': 'integer', 'minimum': 0, 'default': 120}, rule='type')
            if isinstance(data__scheduleTimeoutSec, (int, float)) and not isinstance(data__scheduleTimeoutSec, bool):
                if data__scheduleTimeoutSec < 0:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".scheduleTimeoutSec must be bigger than or equal to 0", value=data__scheduleTimeoutSec, name="" + (name_prefix or "data") + ".scheduleTimeoutSec", definition={'description': 'Apply mode: how long the pod may wait to be scheduled (Unschedulable, e.g. while a cluster autoscaler adds a node) before the run fails; separate from timeoutSec. 0 fails at the first Unschedulable.', 'type': 'integer', 'minimum': 0, 'default': 120}, rule='minimum')
        else: data["scheduleTimeoutSec"] = 120
        if "idleTimeoutSec" in data_keys:
            data_keys.remove("idleTimeoutSec")
            data__idleTimeoutSec = data["idleTimeoutSec"]
            if not isinstance(data__idleTimeoutSec, (int)) and not (isinstance(data__idleTimeoutSec, float) and data__idleTimeoutSec.is_integer()) or isinstance(data__idleTimeoutSec, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".idleTimeoutSec must be integer", value=data__idleTimeoutSec, name="" + (name_prefix or "data") + ".idleTimeoutSec", definition={'description': 'Apply mode: end a running agent that has printed nothing, on stdout or stderr, for this many seconds (reason idle_timeout, exit 124, like a timeout). 0 (the default) never does. OpenCode prints once per completed step, so set it well above your longest silent step (a long test suite, a slow model), e.g. 900; it catches a hung agent (such as OpenCode resuming a session of another directory) long before timeoutSec.', 'type': 'integer', 'minimum': 0, 'default': 0}, rule='type')
            if isinstance(data__idleTimeoutSec, (int, float)) and not isinstance(data__idleTimeoutSec, bool):
                if data__idleTimeoutSec < 0:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".idleTimeoutSec must be bigger than or equal to 0", value=data__idleTimeoutSec, name="" + (name_prefix or "data") + ".idleTimeoutSec", definition={'description': 'Apply mode: end a running agent that has printed nothing, on stdout or stderr, for this many seconds (reason idle_timeout, exit 124, like a timeout). 0 (the default) never does. OpenCode prints once per completed step, so set it well above your longest silent step (a long test suite, a slow model), e.g. 900; it catches a hung agent (such as OpenCode resuming a session of another directory) long before timeoutSec.', 'type': 'integer', 'minimum': 0, 'default': 0}, rule='minimum')
        else: data["idleTimeoutSec"] = 0
        if "concurrency" in data_keys:
            data_keys.remove("concurrency")
            data__concurrency = data["concurrency"]
            if not isinstance(data__concurrency, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".concurrency must be object", value=data__concurrency, name="" + (name_prefix or "data") + ".concurrency", definition={'description': 'Apply mode: how many runs of one agent may be active at once, and what a run that finds them all busy does. Paperclip starts concurrent runs of one agent (up to its maxConcurrentRuns, default 20).', 'type': 'object', 'additionalProperties': False, 'properties': {'maxRunsPerAgent': {'description': "Active runs per agent (a run Secret name, the lock, per slot). 1 keeps one agent's runs from racing on its workspace and session.", 'type': 'integer', 'minimum': 1, 'maximum': 50, 'default': 1}, 'whenBusy': {'description': 'wait: the run waits its turn (a status line on stderr; bounded by timeoutSec and by cancellation). fail: it ends at once as agent_busy (exit 75).', 'enum': ['wait', 'fail'], 'default': 'wait'}}, 'default': {}, 'x-kubeclip-section': True}, rule='type')
            data__concurrency_is_dict = isinstance(data__concurrency, dict)
            if data__concurrency_is_dict:
                data__concurrency_keys = set(data__concurrency.keys())
                if "maxRunsPerAgent" in data__concurrency_keys:
                    data__concurrency_keys.remove("maxRunsPerAgent")
                    data__concurrency__maxRunsPerAgent = data__concurrency["maxRunsPerAgent"]
                    if not isinstance(data__concurrency__maxRunsPerAgent, (int)) and not (isinstance(data__concurrency__maxRunsPerAgent, float) and data__concurrency__maxRunsPerAgent.is_integer()) or isinstance(data__concurrency__maxRunsPerAgent, bool):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".concurrency.maxRunsPerAgent must be integer", value=data__concurrency__maxRunsPerAgent, name="" + (name_prefix or "data") + ".concurrency.maxRunsPerAgent", definition={'description': "Active runs per agent (a run Secret name, the lock, per slot). 1 keeps one agent's runs from racing on its workspace and session.", 'type': 'integer', 'minimum': 1, 'maximum': 50, 'default': 1}, rule='type')
                    if isinstance(data__concurrency__maxRunsPerAgent, (int, float)) and not isinstance(data__concurrency__maxRunsPerAgent, bool):
                        if data__concurrency__maxRunsPerAgent < 1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".concurrency.maxRunsPerAgent must be bigger than or equal to 1", value=data__concurrency__maxRunsPerAgent, name="" + (name_prefix or "data") + ".concurrency.maxRunsPerAgent", definition={'description': "Active runs per agent (a run Secret name, the lock, per slot). 1 keeps one agent's runs from racing on its workspace and session.", 'type': 'integer', 'minimum': 1, 'maximum': 50, 'default': 1}, rule='minimum')
                        if data__concurrency__maxRunsPerAgent > 50:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".concurrency.maxRunsPerAgent must be smaller than or equal to 50", value=data__concurrency__maxRunsPerAgent, name="" + (name_prefix or "data") + ".concurrency.maxRunsPerAgent", definition={'description': "Active runs per agent (a run Secret name, the lock, per slot). 1 keeps one agent's runs from racing on its workspace and session.", 'type': 'integer', 'minimum': 1, 'maximum': 50, 'default': 1}, rule='maximum')
                else: data__concurrency["maxRunsPerAgent"] = 1
                if "whenBusy" in data__concurrency_keys:
                    data__concurrency_keys.remove("whenBusy")
                    data__concurrency__whenBusy = data__concurrency["whenBusy"]
                    if not (isinstance(data__concurrency__whenBusy, str) and data__concurrency__whenBusy == 'wait' or isinstance(data__concurrency__whenBusy, str) and data__concurrency__whenBusy == 'fail'):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".concurrency.whenBusy must be one of ['wait', 'fail']", value=data__concurrency__whenBusy, name="" + (name_prefix or "data") + ".concurrency.whenBusy", definition={'description': 'wait: the run waits its turn (a status line on stderr; bounded by timeoutSec and by cancellation). fail: it ends at once as agent_busy (exit 75).', 'enum': ['wait', 'fail'], 'default': 'wait'}, rule='enum')
                else: data__concurrency["whenBusy"] = 'wait'
                if data__concurrency_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".concurrency must not contain "+str(data__concurrency_keys)+" properties", value=data__concurrency, name="" + (name_prefix or "data") + ".concurrency", definition={'description': 'Apply mode: how many runs of one agent may be active at once, and what a run that finds them all busy does. Paperclip starts concurrent runs of one agent (up to its maxConcurrentRuns, default 20).', 'type': 'object', 'additionalProperties': False, 'properties': {'maxRunsPerAgent': {'description': "Active runs per agent (a run Secret name, the lock, per slot). 1 keeps one agent's runs from racing on its workspace and session.", 'type': 'integer', 'minimum': 1, 'maximum': 50, 'default': 1}, 'whenBusy': {'description': 'wait: the run waits its turn (a status line on stderr; bounded by timeoutSec and by cancellation). fail: it ends at once as agent_busy (exit 75).', 'enum': ['wait', 'fail'], 'default': 'wait'}}, 'default': {}, 'x-kubeclip-section': True}, rule='additionalProperties')
        else: data["concurrency"] = {}
        if "retainJobs" in data_keys:
            data_keys.remove("retainJobs")
            data__retainJobs = data["retainJobs"]
            if not isinstance(data__retainJobs, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".retainJobs must be boolean", value=data__retainJobs, name="" + (name_prefix or "data") + ".retainJobs", definition={'description': 'Keep finished Jobs (no ttlSecondsAfterFinished, no cleanup).', 'type': 'boolean', 'default': False}, rule='type')
        else: data["retainJobs"] = False
        if "ttlSecondsAfterFinished" in data_keys:
            data_keys.remove("ttlSecondsAfterFinished")
            data__ttlSecondsAfterFinished = data["ttlSecondsAfterFinished"]
            if not isinstance(data__ttlSecondsAfterFinished, (int)) and not (isinstance(data__ttlSecondsAfterFinished, float) and data__ttlSecondsAfterFinished.is_integer()) or isinstance(data__ttlSecondsAfterFinished, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".ttlSecondsAfterFinished must be integer", value=data__ttlSecondsAfterFinished, name="" + (name_prefix or "data") + ".ttlSecondsAfterFinished", definition={'description': 'Seconds a finished Job is kept before Kubernetes deletes it. Ignored when retainJobs.', 'type': 'integer', 'minimum': 0, 'default': 300}, rule='type')
            if isinstance(data__ttlSecondsAfterFinished, (int, float)) and not isinstance(data__ttlSecondsAfterFinished, bool):
                if data__ttlSecondsAfterFinished < 0:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".ttlSecondsAfterFinished must be bigger than or equal to 0", value=data__ttlSecondsAfterFinished, name="" + (name_prefix or "data") + ".ttlSecondsAfterFinished", definition={'description': 'Seconds a finished Job is kept before Kubernetes deletes it. Ignored when retainJobs.', 'type': 'integer', 'minimum': 0, 'default': 300}, rule='minimum')
        else: data["ttlSecondsAfterFinished"] = 300
        if "env" in data_keys:
            data_keys.remove("env")
            data__env = data["env"]
            if not isinstance(data__env, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".env must be object", value=data__env, name="" + (name_prefix or "data") + ".env", definition={'description': 'Extra environment: NAME -> value, or NAME -> {secretKeyRef|configMapKeyRef: {name, key}}. Values whose names look like credentials go into the per-run Secret.', 'type': 'object', 'propertyNames': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'additionalProperties': {'anyOf': [{'type': 'string'}, {'type': 'object', 'additionalProperties': False, 'minProperties': 1, 'maxProperties': 1, 'properties': {'secretKeyRef': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/keyRef'}, 'configMapKeyRef': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/keyRef'}}}]}, 'default': {}}, rule='type')
            data__env_is_dict = isinstance(data__env, dict)
            if data__env_is_dict:
                data__env_keys = set(data__env.keys())
                for data__env_key in data__env_keys:
                    if data__env_key not in []:
                        data__env_value = data__env.get(data__env_key)
                        data__env_value_any_of_count1 = 0
                        if not data__env_value_any_of_count1:
                            try:
                                if not isinstance(data__env_value, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".env.{data__env_key}".format(**locals()) + " must be string", value=data__env_value, name="" + (name_prefix or "data") + ".env.{data__env_key}".format(**locals()) + "", definition={'type': 'string'}, rule='type')
                                data__env_value_any_of_count1 += 1
                            except (JsonSchemaValueException, JsonSchemaValuesException): pass
                        if not data__env_value_any_of_count1:
                            try:
                                validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_envref(data__env_value, custom_formats, (name_prefix or "data") + ".env.{data__env_key}".format(**locals()))
                                data__env_value_any_of_count1 += 1
                            except (JsonSchemaValueException, JsonSchemaValuesException): pass
                        if not data__env_value_any_of_count1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".env.{data__env_key}".format(**locals()) + " cannot be validated by any definition", value=data__env_value, name="" + (name_prefix or "data") + ".env.{data__env_key}".format(**locals()) + "", definition={'anyOf': [{'type': 'string'}, {'type': 'object', 'additionalProperties': False, 'minProperties': 1, 'maxProperties': 1, 'properties': {'secretKeyRef': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/keyRef'}, 'configMapKeyRef': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/keyRef'}}}]}, rule='anyOf')
                data__env_len = len(data__env)
                if data__env_len != 0:
                    data__env_property_names = True
                    for data__env_key in data__env:
                        try:
                            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_envname(data__env_key, custom_formats, (name_prefix or "data") + ".env")
                        except (JsonSchemaValueException, JsonSchemaValuesException):
                            data__env_property_names = False
                    if not data__env_property_names:
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".env must be named by propertyName definition", value=data__env, name="" + (name_prefix or "data") + ".env", definition={'description': 'Extra environment: NAME -> value, or NAME -> {secretKeyRef|configMapKeyRef: {name, key}}. Values whose names look like credentials go into the per-run Secret.', 'type': 'object', 'propertyNames': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'additionalProperties': {'anyOf': [{'type': 'string'}, {'type': 'object', 'additionalProperties': False, 'minProperties': 1, 'maxProperties': 1, 'properties': {'secretKeyRef': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/keyRef'}, 'configMapKeyRef': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/keyRef'}}}]}, 'default': {}}, rule='propertyNames')
        else: data["env"] = {}
        if "secretEnv" in data_keys:
            data_keys.remove("secretEnv")
            data__secretEnv = data["secretEnv"]
            if not isinstance(data__secretEnv, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".secretEnv must be object", value=data__secretEnv, name="" + (name_prefix or "data") + ".secretEnv", definition={'description': 'Force which literal env values are credentials (moved to the run Secret). By default a value is one when its name matches *_KEY, *TOKEN*, *SECRET*, *PASS, *PASSWORD*, *AUTH, *CREDENTIAL*, ... (case-insensitive) or it holds a URL with a password (scheme://user:pw@host).', 'type': 'object', 'additionalProperties': False, 'properties': {'always': {'description': 'Glob patterns of env names whose literal values always go to the run Secret.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'never': {'description': 'Glob patterns of env names whose literal values stay in the Job spec, whatever they look like.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}}, 'default': {}, 'x-kubeclip-section': True}, rule='type')
            data__secretEnv_is_dict = isinstance(data__secretEnv, dict)
            if data__secretEnv_is_dict:
                data__secretEnv_keys = set(data__secretEnv.keys())
                if "always" in data__secretEnv_keys:
                    data__secretEnv_keys.remove("always")
                    data__secretEnv__always = data__secretEnv["always"]
                    if not isinstance(data__secretEnv__always, (list, tuple)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".secretEnv.always must be array", value=data__secretEnv__always, name="" + (name_prefix or "data") + ".secretEnv.always", definition={'description': 'Glob patterns of env names whose literal values always go to the run Secret.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, rule='type')
                    data__secretEnv__always_is_list = isinstance(data__secretEnv__always, (list, tuple))
                    if data__secretEnv__always_is_list:
                        data__secretEnv__always_len = len(data__secretEnv__always)
                        for data__secretEnv__always_x, data__secretEnv__always_item in enumerate(data__secretEnv__always):
                            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_glob(data__secretEnv__always_item, custom_formats, (name_prefix or "data") + ".secretEnv.always[{data__secretEnv__always_x}]".format(**locals()))
                else: data__secretEnv["always"] = []
                if "never" in data__secretEnv_keys:
                    data__secretEnv_keys.remove("never")
                    data__secretEnv__never = data__secretEnv["never"]
                    if not isinstance(data__secretEnv__never, (list, tuple)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".secretEnv.never must be array", value=data__secretEnv__never, name="" + (name_prefix or "data") + ".secretEnv.never", definition={'description': 'Glob patterns of env names whose literal values stay in the Job spec, whatever they look like.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, rule='type')
                    data__secretEnv__never_is_list = isinstance(data__secretEnv__never, (list, tuple))
                    if data__secretEnv__never_is_list:
                        data__secretEnv__never_len = len(data__secretEnv__never)
                        for data__secretEnv__never_x, data__secretEnv__never_item in enumerate(data__secretEnv__never):
                            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_glob(data__secretEnv__never_item, custom_formats, (name_prefix or "data") + ".secretEnv.never[{data__secretEnv__never_x}]".format(**locals()))
                else: data__secretEnv["never"] = []
                if data__secretEnv_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".secretEnv must not contain "+str(data__secretEnv_keys)+" properties", value=data__secretEnv, name="" + (name_prefix or "data") + ".secretEnv", definition={'description': 'Force which literal env values are credentials (moved to the run Secret). By default a value is one when its name matches *_KEY, *TOKEN*, *SECRET*, *PASS, *PASSWORD*, *AUTH, *CREDENTIAL*, ... (case-insensitive) or it holds a URL with a password (scheme://user:pw@host).', 'type': 'object', 'additionalProperties': False, 'properties': {'always': {'description': 'Glob patterns of env names whose literal values always go to the run Secret.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'never': {'description': 'Glob patterns of env names whose literal values stay in the Job spec, whatever they look like.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}}, 'default': {}, 'x-kubeclip-section': True}, rule='additionalProperties')
        else: data["secretEnv"] = {}
        if "extraArgs" in data_keys:
            data_keys.remove("extraArgs")
            data__extraArgs = data["extraArgs"]
            if not isinstance(data__extraArgs, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".extraArgs must be array", value=data__extraArgs, name="" + (name_prefix or "data") + ".extraArgs", definition={'description': "Extra arguments appended to the CLI's argv (after kubeclip's), each one argv element.", 'type': 'array', 'items': {'type': 'string'}, 'default': []}, rule='type')
            data__extraArgs_is_list = isinstance(data__extraArgs, (list, tuple))
            if data__extraArgs_is_list:
                data__extraArgs_len = len(data__extraArgs)
                for data__extraArgs_x, data__extraArgs_item in enumerate(data__extraArgs):
                    if not isinstance(data__extraArgs_item, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".extraArgs[{data__extraArgs_x}]".format(**locals()) + " must be string", value=data__extraArgs_item, name="" + (name_prefix or "data") + ".extraArgs[{data__extraArgs_x}]".format(**locals()) + "", definition={'type': 'string'}, rule='type')
        else: data["extraArgs"] = []
        if "nodeSelector" in data_keys:
            data_keys.remove("nodeSelector")
            data__nodeSelector = data["nodeSelector"]
            data__nodeSelector_any_of_count2 = 0
            if not data__nodeSelector_any_of_count2:
                try:
                    validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_labelmap(data__nodeSelector, custom_formats, (name_prefix or "data") + ".nodeSelector")
                    data__nodeSelector_any_of_count2 += 1
                except (JsonSchemaValueException, JsonSchemaValuesException): pass
            if not data__nodeSelector_any_of_count2:
                try:
                    validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_keyvaluelines(data__nodeSelector, custom_formats, (name_prefix or "data") + ".nodeSelector")
                    data__nodeSelector_any_of_count2 += 1
                except (JsonSchemaValueException, JsonSchemaValuesException): pass
            if not data__nodeSelector_any_of_count2:
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".nodeSelector cannot be validated by any definition", value=data__nodeSelector, name="" + (name_prefix or "data") + ".nodeSelector", definition={'description': 'Node labels, as an object or as key=value lines.', 'anyOf': [{'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/labelValue'}}, {'type': 'string', 'pattern': '^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$', 'x-kubeclip-kind': 'keyValueLines'}], 'default': {}}, rule='anyOf')
        else: data["nodeSelector"] = {}
        if "labels" in data_keys:
            data_keys.remove("labels")
            data__labels = data["labels"]
            data__labels_any_of_count3 = 0
            if not data__labels_any_of_count3:
                try:
                    validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_labelmap(data__labels, custom_formats, (name_prefix or "data") + ".labels")
                    data__labels_any_of_count3 += 1
                except (JsonSchemaValueException, JsonSchemaValuesException): pass
            if not data__labels_any_of_count3:
                try:
                    validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_keyvaluelines(data__labels, custom_formats, (name_prefix or "data") + ".labels")
                    data__labels_any_of_count3 += 1
                except (JsonSchemaValueException, JsonSchemaValuesException): pass
            if not data__labels_any_of_count3:
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".labels cannot be validated by any definition", value=data__labels, name="" + (name_prefix or "data") + ".labels", definition={'description': 'Extra labels for the Job and its pod, as an object or as key=value lines.', 'anyOf': [{'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/labelValue'}}, {'type': 'string', 'pattern': '^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$', 'x-kubeclip-kind': 'keyValueLines'}], 'default': {}}, rule='anyOf')
        else: data["labels"] = {}
        if "annotations" in data_keys:
            data_keys.remove("annotations")
            data__annotations = data["annotations"]
            if not isinstance(data__annotations, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".annotations must be object", value=data__annotations, name="" + (name_prefix or "data") + ".annotations", definition={'description': 'Extra annotations for the Job and its pod (override the sidecar-injection defaults).', 'type': 'object', 'propertyNames': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'additionalProperties': {'type': 'string'}, 'default': {}}, rule='type')
            data__annotations_is_dict = isinstance(data__annotations, dict)
            if data__annotations_is_dict:
                data__annotations_keys = set(data__annotations.keys())
                for data__annotations_key in data__annotations_keys:
                    if data__annotations_key not in []:
                        data__annotations_value = data__annotations.get(data__annotations_key)
                        if not isinstance(data__annotations_value, (str)):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".annotations.{data__annotations_key}".format(**locals()) + " must be string", value=data__annotations_value, name="" + (name_prefix or "data") + ".annotations.{data__annotations_key}".format(**locals()) + "", definition={'type': 'string'}, rule='type')
                data__annotations_len = len(data__annotations)
                if data__annotations_len != 0:
                    data__annotations_property_names = True
                    for data__annotations_key in data__annotations:
                        try:
                            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_qualifiedname(data__annotations_key, custom_formats, (name_prefix or "data") + ".annotations")
                        except (JsonSchemaValueException, JsonSchemaValuesException):
                            data__annotations_property_names = False
                    if not data__annotations_property_names:
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".annotations must be named by propertyName definition", value=data__annotations, name="" + (name_prefix or "data") + ".annotations", definition={'description': 'Extra annotations for the Job and its pod (override the sidecar-injection defaults).', 'type': 'object', 'propertyNames': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'additionalProperties': {'type': 'string'}, 'default': {}}, rule='propertyNames')
        else: data["annotations"] = {}
        if "tolerations" in data_keys:
            data_keys.remove("tolerations")
            data__tolerations = data["tolerations"]
            data__tolerations_any_of_count4 = 0
            if not data__tolerations_any_of_count4:
                try:
                    if not isinstance(data__tolerations, (list, tuple)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".tolerations must be array", value=data__tolerations, name="" + (name_prefix or "data") + ".tolerations", definition={'type': 'array', 'items': {'type': 'object', 'additionalProperties': False, 'properties': {'key': {'type': 'string'}, 'operator': {'type': 'string', 'enum': ['Exists', 'Equal']}, 'value': {'type': 'string'}, 'effect': {'type': 'string', 'enum': ['NoSchedule', 'PreferNoSchedule', 'NoExecute']}, 'tolerationSeconds': {'type': 'integer'}}}}, rule='type')
                    data__tolerations_is_list = isinstance(data__tolerations, (list, tuple))
                    if data__tolerations_is_list:
                        data__tolerations_len = len(data__tolerations)
                        for data__tolerations_x, data__tolerations_item in enumerate(data__tolerations):
                            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_toleration(data__tolerations_item, custom_formats, (name_prefix or "data") + ".tolerations[{data__tolerations_x}]".format(**locals()))
                    data__tolerations_any_of_count4 += 1
                except (JsonSchemaValueException, JsonSchemaValuesException): pass
            if not data__tolerations_any_of_count4:
                try:
                    if not isinstance(data__tolerations, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".tolerations must be string", value=data__tolerations, name="" + (name_prefix or "data") + ".tolerations", definition={'type': 'string', 'x-kubeclip-kind': 'jsonArray'}, rule='type')
                    data__tolerations_any_of_count4 += 1
                except (JsonSchemaValueException, JsonSchemaValuesException): pass
            if not data__tolerations_any_of_count4:
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".tolerations cannot be validated by any definition", value=data__tolerations, name="" + (name_prefix or "data") + ".tolerations", definition={'description': 'Pod tolerations, as an array or as a JSON string of one.', 'anyOf': [{'type': 'array', 'items': {'type': 'object', 'additionalProperties': False, 'properties': {'key': {'type': 'string'}, 'operator': {'type': 'string', 'enum': ['Exists', 'Equal']}, 'value': {'type': 'string'}, 'effect': {'type': 'string', 'enum': ['NoSchedule', 'PreferNoSchedule', 'NoExecute']}, 'tolerationSeconds': {'type': 'integer'}}}}, {'type': 'string', 'x-kubeclip-kind': 'jsonArray'}], 'default': []}, rule='anyOf')
        else: data["tolerations"] = []
        if "affinity" in data_keys:
            data_keys.remove("affinity")
            data__affinity = data["affinity"]
            if not isinstance(data__affinity, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".affinity must be object", value=data__affinity, name="" + (name_prefix or "data") + ".affinity", definition={'description': 'Pod affinity (a Kubernetes Affinity object), passed through.', 'type': 'object', 'additionalProperties': False, 'properties': {'nodeAffinity': {'type': 'object'}, 'podAffinity': {'type': 'object'}, 'podAntiAffinity': {'type': 'object'}}}, rule='type')
            data__affinity_is_dict = isinstance(data__affinity, dict)
            if data__affinity_is_dict:
                data__affinity_keys = set(data__affinity.keys())
                if "nodeAffinity" in data__affinity_keys:
                    data__affinity_keys.remove("nodeAffinity")
                    data__affinity__nodeAffinity = data__affinity["nodeAffinity"]
                    if not isinstance(data__affinity__nodeAffinity, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".affinity.nodeAffinity must be object", value=data__affinity__nodeAffinity, name="" + (name_prefix or "data") + ".affinity.nodeAffinity", definition={'type': 'object'}, rule='type')
                if "podAffinity" in data__affinity_keys:
                    data__affinity_keys.remove("podAffinity")
                    data__affinity__podAffinity = data__affinity["podAffinity"]
                    if not isinstance(data__affinity__podAffinity, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".affinity.podAffinity must be object", value=data__affinity__podAffinity, name="" + (name_prefix or "data") + ".affinity.podAffinity", definition={'type': 'object'}, rule='type')
                if "podAntiAffinity" in data__affinity_keys:
                    data__affinity_keys.remove("podAntiAffinity")
                    data__affinity__podAntiAffinity = data__affinity["podAntiAffinity"]
                    if not isinstance(data__affinity__podAntiAffinity, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".affinity.podAntiAffinity must be object", value=data__affinity__podAntiAffinity, name="" + (name_prefix or "data") + ".affinity.podAntiAffinity", definition={'type': 'object'}, rule='type')
                if data__affinity_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".affinity must not contain "+str(data__affinity_keys)+" properties", value=data__affinity, name="" + (name_prefix or "data") + ".affinity", definition={'description': 'Pod affinity (a Kubernetes Affinity object), passed through.', 'type': 'object', 'additionalProperties': False, 'properties': {'nodeAffinity': {'type': 'object'}, 'podAffinity': {'type': 'object'}, 'podAntiAffinity': {'type': 'object'}}}, rule='additionalProperties')
        if "priorityClassName" in data_keys:
            data_keys.remove("priorityClassName")
            data__priorityClassName = data["priorityClassName"]
            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_dns1123subdomain(data__priorityClassName, custom_formats, (name_prefix or "data") + ".priorityClassName")
        if "runtimeClassName" in data_keys:
            data_keys.remove("runtimeClassName")
            data__runtimeClassName = data["runtimeClassName"]
            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_dns1123subdomain(data__runtimeClassName, custom_formats, (name_prefix or "data") + ".runtimeClassName")
        if "dangerouslySkipPermissions" in data_keys:
            data_keys.remove("dangerouslySkipPermissions")
            data__dangerouslySkipPermissions = data["dangerouslySkipPermissions"]
            if not isinstance(data__dangerouslySkipPermissions, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".dangerouslySkipPermissions must be boolean", value=data__dangerouslySkipPermissions, name="" + (name_prefix or "data") + ".dangerouslySkipPermissions", definition={'description': "Run the agent without permission prompts, as Paperclip's local adapters do: OpenCode may touch files outside the workspace (permission.external_directory=allow); Claude Code gets --dangerously-skip-permissions (and IS_SANDBOX=1, which it needs to accept that as root: the pod is the sandbox); Codex gets --dangerously-bypass-approvals-and-sandbox (its own sandbox needs bubblewrap and user namespaces in the pod).", 'type': 'boolean', 'default': True}, rule='type')
        else: data["dangerouslySkipPermissions"] = True
        if "inherit" in data_keys:
            data_keys.remove("inherit")
            data__inherit = data["inherit"]
            if not isinstance(data__inherit, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".inherit must be object", value=data__inherit, name="" + (name_prefix or "data") + ".inherit", definition={'description': 'What the Job takes over from the Paperclip container. Env is inherited by allowlist, minus a built-in denylist of server-only secrets.', 'type': 'object', 'additionalProperties': False, 'properties': {'env': {'description': 'Glob patterns of Paperclip container env names to inherit (replaces the default list). [] inherits none.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': ['PAPERCLIP_API_URL', '*_API_KEY', '*_BASE_URL']}, 'envDeny': {'description': 'Extra glob patterns never inherited, added to the built-in denylist.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'envFrom': {'description': 'Glob patterns of Secret/ConfigMap names whose envFrom entries are inherited.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'secretVolumes': {'description': 'Glob patterns of secret volume names mounted into the Job at the same path.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'imagePullSecrets': {'description': "Reuse the Paperclip pod's imagePullSecrets.", 'type': 'boolean', 'default': True}, 'dns': {'description': "Reuse the Paperclip pod's dnsPolicy and dnsConfig.", 'type': 'boolean', 'default': True}}, 'x-kubeclip-section': True}, rule='type')
            data__inherit_is_dict = isinstance(data__inherit, dict)
            if data__inherit_is_dict:
                data__inherit_keys = set(data__inherit.keys())
                if "env" in data__inherit_keys:
                    data__inherit_keys.remove("env")
                    data__inherit__env = data__inherit["env"]
                    if not isinstance(data__inherit__env, (list, tuple)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".inherit.env must be array", value=data__inherit__env, name="" + (name_prefix or "data") + ".inherit.env", definition={'description': 'Glob patterns of Paperclip container env names to inherit (replaces the default list). [] inherits none.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': ['PAPERCLIP_API_URL', '*_API_KEY', '*_BASE_URL']}, rule='type')
                    data__inherit__env_is_list = isinstance(data__inherit__env, (list, tuple))
                    if data__inherit__env_is_list:
                        data__inherit__env_len = len(data__inherit__env)
                        for data__inherit__env_x, data__inherit__env_item in enumerate(data__inherit__env):
                            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_glob(data__inherit__env_item, custom_formats, (name_prefix or "data") + ".inherit.env[{data__inherit__env_x}]".format(**locals()))
                else: data__inherit["env"] = ['PAPERCLIP_API_URL', '*_API_KEY', '*_BASE_URL']
                if "envDeny" in data__inherit_keys:
                    data__inherit_keys.remove("envDeny")
                    data__inherit__envDeny = data__inherit["envDeny"]
                    if not isinstance(data__inherit__envDeny, (list, tuple)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".inherit.envDeny must be array", value=data__inherit__envDeny, name="" + (name_prefix or "data") + ".inherit.envDeny", definition={'description': 'Extra glob patterns never inherited, added to the built-in denylist.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, rule='type')
                    data__inherit__envDeny_is_list = isinstance(data__inherit__envDeny, (list, tuple))
                    if data__inherit__envDeny_is_list:
                        data__inherit__envDeny_len = len(data__inherit__envDeny)
                        for data__inherit__envDeny_x, data__inherit__envDeny_item in enumerate(data__inherit__envDeny):
                            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_glob(data__inherit__envDeny_item, custom_formats, (name_prefix or "data") + ".inherit.envDeny[{data__inherit__envDeny_x}]".format(**locals()))
                else: data__inherit["envDeny"] = []
                if "envFrom" in data__inherit_keys:
                    data__inherit_keys.remove("envFrom")
                    data__inherit__envFrom = data__inherit["envFrom"]
                    if not isinstance(data__inherit__envFrom, (list, tuple)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".inherit.envFrom must be array", value=data__inherit__envFrom, name="" + (name_prefix or "data") + ".inherit.envFrom", definition={'description': 'Glob patterns of Secret/ConfigMap names whose envFrom entries are inherited.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, rule='type')
                    data__inherit__envFrom_is_list = isinstance(data__inherit__envFrom, (list, tuple))
                    if data__inherit__envFrom_is_list:
                        data__inherit__envFrom_len = len(data__inherit__envFrom)
                        for data__inherit__envFrom_x, data__inherit__envFrom_item in enumerate(data__inherit__envFrom):
                            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_glob(data__inherit__envFrom_item, custom_formats, (name_prefix or "data") + ".inherit.envFrom[{data__inherit__envFrom_x}]".format(**locals()))
                else: data__inherit["envFrom"] = []
                if "secretVolumes" in data__inherit_keys:
                    data__inherit_keys.remove("secretVolumes")
                    data__inherit__secretVolumes = data__inherit["secretVolumes"]
                    if not isinstance(data__inherit__secretVolumes, (list, tuple)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".inherit.secretVolumes must be array", value=data__inherit__secretVolumes, name="" + (name_prefix or "data") + ".inherit.secretVolumes", definition={'description': 'Glob patterns of secret volume names mounted into the Job at the same path.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, rule='type')
                    data__inherit__secretVolumes_is_list = isinstance(data__inherit__secretVolumes, (list, tuple))
                    if data__inherit__secretVolumes_is_list:
                        data__inherit__secretVolumes_len = len(data__inherit__secretVolumes)
                        for data__inherit__secretVolumes_x, data__inherit__secretVolumes_item in enumerate(data__inherit__secretVolumes):
                            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_glob(data__inherit__secretVolumes_item, custom_formats, (name_prefix or "data") + ".inherit.secretVolumes[{data__inherit__secretVolumes_x}]".format(**locals()))
                else: data__inherit["secretVolumes"] = []
                if "imagePullSecrets" in data__inherit_keys:
                    data__inherit_keys.remove("imagePullSecrets")
                    data__inherit__imagePullSecrets = data__inherit["imagePullSecrets"]
                    if not isinstance(data__inherit__imagePullSecrets, (bool)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".inherit.imagePullSecrets must be boolean", value=data__inherit__imagePullSecrets, name="" + (name_prefix or "data") + ".inherit.imagePullSecrets", definition={'description': "Reuse the Paperclip pod's imagePullSecrets.", 'type': 'boolean', 'default': True}, rule='type')
                else: data__inherit["imagePullSecrets"] = True
                if "dns" in data__inherit_keys:
                    data__inherit_keys.remove("dns")
                    data__inherit__dns = data__inherit["dns"]
                    if not isinstance(data__inherit__dns, (bool)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".inherit.dns must be boolean", value=data__inherit__dns, name="" + (name_prefix or "data") + ".inherit.dns", definition={'description': "Reuse the Paperclip pod's dnsPolicy and dnsConfig.", 'type': 'boolean', 'default': True}, rule='type')
                else: data__inherit["dns"] = True
                if data__inherit_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".inherit must not contain "+str(data__inherit_keys)+" properties", value=data__inherit, name="" + (name_prefix or "data") + ".inherit", definition={'description': 'What the Job takes over from the Paperclip container. Env is inherited by allowlist, minus a built-in denylist of server-only secrets.', 'type': 'object', 'additionalProperties': False, 'properties': {'env': {'description': 'Glob patterns of Paperclip container env names to inherit (replaces the default list). [] inherits none.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': ['PAPERCLIP_API_URL', '*_API_KEY', '*_BASE_URL']}, 'envDeny': {'description': 'Extra glob patterns never inherited, added to the built-in denylist.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'envFrom': {'description': 'Glob patterns of Secret/ConfigMap names whose envFrom entries are inherited.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'secretVolumes': {'description': 'Glob patterns of secret volume names mounted into the Job at the same path.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'imagePullSecrets': {'description': "Reuse the Paperclip pod's imagePullSecrets.", 'type': 'boolean', 'default': True}, 'dns': {'description': "Reuse the Paperclip pod's dnsPolicy and dnsConfig.", 'type': 'boolean', 'default': True}}, 'x-kubeclip-section': True}, rule='additionalProperties')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'https://json-schema.org/draft/2020-12/schema', '$id': 'https://kubeclip.dev/schema/agent-config.schema.json', 'title': 'kubeclip agent config', 'description': 'How one Paperclip agent runs as a Kubernetes Job. Unknown keys are rejected. Defaults shown here are the ones kubeclip applies.', 'type': 'object', 'additionalProperties': False, 'required': ['model'], 'properties': {'runtime': {'description': "The agent CLI the Job runs: `opencode` (OpenCode), `claude` (Claude Code) or `codex` (Codex). It decides the command's argv, the CLI's state home (kept per agent on the claim) and how its output is read.", 'enum': ['opencode', 'claude', 'codex'], 'default': 'opencode'}, 'model': {'description': "The model: provider/model for OpenCode, the CLI's own model name for Claude Code and Codex.", 'type': 'string', 'pattern': '^\\S+$', 'x-kubeclip-kind': 'word', 'examples': ['anthropic/claude-sonnet-4-5', 'claude-sonnet-4-5']}, 'variant': {'description': 'The model variant: OpenCode\'s --variant (reasoning effort), Claude Code\'s --effort (low, medium, high). Codex has none (its reasoning effort: -c model_reasoning_effort="high" in extraArgs).', 'type': 'string', 'pattern': '^\\S+$', 'x-kubeclip-kind': 'word'}, 'models': {'description': 'Models the Paperclip drop-in (kubeclip-opencode models) lists, as provider/model. Default: just `model`.', 'type': 'array', 'items': {'type': 'string', 'pattern': '^[^/\\s]+/\\S+$', 'x-kubeclip-kind': 'model'}, 'default': []}, 'command': {'description': "The agent CLI's executable inside the image. Default: the runtime's own (opencode, claude, codex).", 'type': 'string', 'minLength': 1}, 'namespace': {'type': 'string', 'maxLength': 63, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'x-kubeclip-kind': 'dns1123Label'}, 'image': {'description': "Container image. Default: the Paperclip container's image.", 'type': 'string', 'pattern': '^[^\\s]+$', 'x-kubeclip-kind': 'word'}, 'imagePullPolicy': {'type': 'string', 'enum': ['Always', 'IfNotPresent', 'Never'], 'default': 'IfNotPresent'}, 'kubeconfig': {'description': 'Path of a kubeconfig file (apply mode). Default: in-cluster, then ~/.kube/config.', 'type': 'string', 'minLength': 1}, 'serviceAccountName': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'resources': {'description': 'Container resources, merged key by key over the defaults. Paperclip\'s flat keys such as "resources.requests.cpu" are accepted too.', 'type': 'object', 'additionalProperties': False, 'properties': {'requests': {'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/quantity'}}, 'limits': {'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/quantity'}}}, 'default': {'requests': {'cpu': '1000m', 'memory': '2Gi'}, 'limits': {'cpu': '4000m', 'memory': '8Gi'}}, 'x-kubeclip-section': True}, 'timeoutSec': {'description': 'Run timeout in seconds (activeDeadlineSeconds); 0 means none.', 'type': 'integer', 'minimum': 0, 'default': 0}, 'graceSec': {'description': 'Seconds between SIGTERM and SIGKILL (terminationGracePeriodSeconds).', 'type': 'integer', 'minimum': 0, 'maximum': 3600, 'default': 20}, 'scheduleTimeoutSec': {'description': 'Apply mode: how long the pod may wait to be scheduled (Unschedulable, e.g. while a cluster autoscaler adds a node) before the run fails; separate from timeoutSec. 0 fails at the first Unschedulable.', 'type': 'integer', 'minimum': 0, 'default': 120}, 'idleTimeoutSec': {'description': 'Apply mode: end a running agent that has printed nothing, on stdout or stderr, for this many seconds (reason idle_timeout, exit 124, like a timeout). 0 (the default) never does. OpenCode prints once per completed step, so set it well above your longest silent step (a long test suite, a slow model), e.g. 900; it catches a hung agent (such as OpenCode resuming a session of another directory) long before timeoutSec.', 'type': 'integer', 'minimum': 0, 'default': 0}, 'concurrency': {'description': 'Apply mode: how many runs of one agent may be active at once, and what a run that finds them all busy does. Paperclip starts concurrent runs of one agent (up to its maxConcurrentRuns, default 20).', 'type': 'object', 'additionalProperties': False, 'properties': {'maxRunsPerAgent': {'description': "Active runs per agent (a run Secret name, the lock, per slot). 1 keeps one agent's runs from racing on its workspace and session.", 'type': 'integer', 'minimum': 1, 'maximum': 50, 'default': 1}, 'whenBusy': {'description': 'wait: the run waits its turn (a status line on stderr; bounded by timeoutSec and by cancellation). fail: it ends at once as agent_busy (exit 75).', 'enum': ['wait', 'fail'], 'default': 'wait'}}, 'default': {}, 'x-kubeclip-section': True}, 'retainJobs': {'description': 'Keep finished Jobs (no ttlSecondsAfterFinished, no cleanup).', 'type': 'boolean', 'default': False}, 'ttlSecondsAfterFinished': {'description': 'Seconds a finished Job is kept before Kubernetes deletes it. Ignored when retainJobs.', 'type': 'integer', 'minimum': 0, 'default': 300}, 'env': {'description': 'Extra environment: NAME -> value, or NAME -> {secretKeyRef|configMapKeyRef: {name, key}}. Values whose names look like credentials go into the per-run Secret.', 'type': 'object', 'propertyNames': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'additionalProperties': {'anyOf': [{'type': 'string'}, {'type': 'object', 'additionalProperties': False, 'minProperties': 1, 'maxProperties': 1, 'properties': {'secretKeyRef': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/keyRef'}, 'configMapKeyRef': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/keyRef'}}}]}, 'default': {}}, 'secretEnv': {'description': 'Force which literal env values are credentials (moved to the run Secret). By default a value is one when its name matches *_KEY, *TOKEN*, *SECRET*, *PASS, *PASSWORD*, *AUTH, *CREDENTIAL*, ... (case-insensitive) or it holds a URL with a password (scheme://user:pw@host).', 'type': 'object', 'additionalProperties': False, 'properties': {'always': {'description': 'Glob patterns of env names whose literal values always go to the run Secret.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'never': {'description': 'Glob patterns of env names whose literal values stay in the Job spec, whatever they look like.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}}, 'default': {}, 'x-kubeclip-section': True}, 'extraArgs': {'description': "Extra arguments appended to the CLI's argv (after kubeclip's), each one argv element.", 'type': 'array', 'items': {'type': 'string'}, 'default': []}, 'nodeSelector': {'description': 'Node labels, as an object or as key=value lines.', 'anyOf': [{'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/labelValue'}}, {'type': 'string', 'pattern': '^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$', 'x-kubeclip-kind': 'keyValueLines'}], 'default': {}}, 'labels': {'description': 'Extra labels for the Job and its pod, as an object or as key=value lines.', 'anyOf': [{'type': 'object', 'propertyNames': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/qualifiedName'}, 'additionalProperties': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/labelValue'}}, {'type': 'string', 'pattern': '^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$', 'x-kubeclip-kind': 'keyValueLines'}], 'default': {}}, 'annotations': {'description': 'Extra annotations for the Job and its pod (override the sidecar-injection defaults).', 'type': 'object', 'propertyNames': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'additionalProperties': {'type': 'string'}, 'default': {}}, 'tolerations': {'description': 'Pod tolerations, as an array or as a JSON string of one.', 'anyOf': [{'type': 'array', 'items': {'type': 'object', 'additionalProperties': False, 'properties': {'key': {'type': 'string'}, 'operator': {'type': 'string', 'enum': ['Exists', 'Equal']}, 'value': {'type': 'string'}, 'effect': {'type': 'string', 'enum': ['NoSchedule', 'PreferNoSchedule', 'NoExecute']}, 'tolerationSeconds': {'type': 'integer'}}}}, {'type': 'string', 'x-kubeclip-kind': 'jsonArray'}], 'default': []}, 'affinity': {'description': 'Pod affinity (a Kubernetes Affinity object), passed through.', 'type': 'object', 'additionalProperties': False, 'properties': {'nodeAffinity': {'type': 'object'}, 'podAffinity': {'type': 'object'}, 'podAntiAffinity': {'type': 'object'}}}, 'priorityClassName': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'runtimeClassName': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'dangerouslySkipPermissions': {'description': "Run the agent without permission prompts, as Paperclip's local adapters do: OpenCode may touch files outside the workspace (permission.external_directory=allow); Claude Code gets --dangerously-skip-permissions (and IS_SANDBOX=1, which it needs to accept that as root: the pod is the sandbox); Codex gets --dangerously-bypass-approvals-and-sandbox (its own sandbox needs bubblewrap and user namespaces in the pod).", 'type': 'boolean', 'default': True}, 'inherit': {'description': 'What the Job takes over from the Paperclip container. Env is inherited by allowlist, minus a built-in denylist of server-only secrets.', 'type': 'object', 'additionalProperties': False, 'properties': {'env': {'description': 'Glob patterns of Paperclip container env names to inherit (replaces the default list). [] inherits none.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': ['PAPERCLIP_API_URL', '*_API_KEY', '*_BASE_URL']}, 'envDeny': {'description': 'Extra glob patterns never inherited, added to the built-in denylist.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'envFrom': {'description': 'Glob patterns of Secret/ConfigMap names whose envFrom entries are inherited.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'secretVolumes': {'description': 'Glob patterns of secret volume names mounted into the Job at the same path.', 'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, 'default': []}, 'imagePullSecrets': {'description': "Reuse the Paperclip pod's imagePullSecrets.", 'type': 'boolean', 'default': True}, 'dns': {'description': "Reuse the Paperclip pod's dnsPolicy and dnsConfig.", 'type': 'boolean', 'default': True}}, 'x-kubeclip-section': True}}, 'allOf': [{'if': {'properties': {'runtime': {'const': 'opencode'}}}, 'then': {'properties': {'model': {'pattern': '^[^/\\s]+/.', 'x-kubeclip-kind': 'model'}}}}], '$defs': {'dns1123Label': {'type': 'string', 'maxLength': 63, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'x-kubeclip-kind': 'dns1123Label'}, 'dns1123Subdomain': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'qualifiedName': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'labelValue': {'type': 'string', 'maxLength': 63, 'pattern': '^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$', 'x-kubeclip-kind': 'labelValue'}, 'labelMap': {'type': 'object', 'propertyNames': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'additionalProperties': {'type': 'string', 'maxLength': 63, 'pattern': '^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$', 'x-kubeclip-kind': 'labelValue'}}, 'keyValueLines': {'type': 'string', 'pattern': '^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$', 'x-kubeclip-kind': 'keyValueLines'}, 'envName': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'envRef': {'type': 'object', 'additionalProperties': False, 'minProperties': 1, 'maxProperties': 1, 'properties': {'secretKeyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}, 'configMapKeyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}}}, 'keyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}, 'quantity': {'type': ['string', 'number'], 'minimum': 0, 'pattern': '^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$', 'x-kubeclip-kind': 'quantity'}, 'resourceList': {'type': 'object', 'propertyNames': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'additionalProperties': {'type': ['string', 'number'], 'minimum': 0, 'pattern': '^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$', 'x-kubeclip-kind': 'quantity'}}, 'toleration': {'type': 'object', 'additionalProperties': False, 'properties': {'key': {'type': 'string'}, 'operator': {'type': 'string', 'enum': ['Exists', 'Equal']}, 'value': {'type': 'string'}, 'effect': {'type': 'string', 'enum': ['NoSchedule', 'PreferNoSchedule', 'NoExecute']}, 'tolerationSeconds': {'type': 'integer'}}}, 'glob': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}}}, rule='additionalProperties')
    return data

def validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_toleration(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'additionalProperties': False, 'properties': {'key': {'type': 'string'}, 'operator': {'type': 'string', 'enum': ['Exists', 'Equal']}, 'value': {'type': 'string'}, 'effect': {'type': 'string', 'enum': ['NoSchedule', 'PreferNoSchedule', 'NoExecute']}, 'tolerationSeconds': {'type': 'integer'}}}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if "key" in data_keys:
            data_keys.remove("key")
            data__key = data["key"]
            if not isinstance(data__key, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".key must be string", value=data__key, name="" + (name_prefix or "data") + ".key", definition={'type': 'string'}, rule='type')
        if "operator" in data_keys:
            data_keys.remove("operator")
            data__operator = data["operator"]
            if not isinstance(data__operator, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".operator must be string", value=data__operator, name="" + (name_prefix or "data") + ".operator", definition={'type': 'string', 'enum': ['Exists', 'Equal']}, rule='type')
            if not (isinstance(data__operator, str) and data__operator == 'Exists' or isinstance(data__operator, str) and data__operator == 'Equal'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".operator must be one of ['Exists', 'Equal']", value=data__operator, name="" + (name_prefix or "data") + ".operator", definition={'type': 'string', 'enum': ['Exists', 'Equal']}, rule='enum')
        if "value" in data_keys:
            data_keys.remove("value")
            data__value = data["value"]
            if not isinstance(data__value, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".value must be string", value=data__value, name="" + (name_prefix or "data") + ".value", definition={'type': 'string'}, rule='type')
        if "effect" in data_keys:
            data_keys.remove("effect")
            data__effect = data["effect"]
            if not isinstance(data__effect, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".effect must be string", value=data__effect, name="" + (name_prefix or "data") + ".effect", definition={'type': 'string', 'enum': ['NoSchedule', 'PreferNoSchedule', 'NoExecute']}, rule='type')
            if not (isinstance(data__effect, str) and data__effect == 'NoSchedule' or isinstance(data__effect, str) and data__effect == 'PreferNoSchedule' or isinstance(data__effect, str) and data__effect == 'NoExecute'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".effect must be one of ['NoSchedule', 'PreferNoSchedule', 'NoExecute']", value=data__effect, name="" + (name_prefix or "data") + ".effect", definition={'type': 'string', 'enum': ['NoSchedule', 'PreferNoSchedule', 'NoExecute']}, rule='enum')
        if "tolerationSeconds" in data_keys:
            data_keys.remove("tolerationSeconds")
            data__tolerationSeconds = data["tolerationSeconds"]
            if not isinstance(data__tolerationSeconds, (int)) and not (isinstance(data__tolerationSeconds, float) and data__tolerationSeconds.is_integer()) or isinstance(data__tolerationSeconds, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".tolerationSeconds must be integer", value=data__tolerationSeconds, name="" + (name_prefix or "data") + ".tolerationSeconds", definition={'type': 'integer'}, rule='type')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'additionalProperties': False, 'properties': {'key': {'type': 'string'}, 'operator': {'type': 'string', 'enum': ['Exists', 'Equal']}, 'value': {'type': 'string'}, 'effect': {'type': 'string', 'enum': ['NoSchedule', 'PreferNoSchedule', 'NoExecute']}, 'tolerationSeconds': {'type': 'integer'}}}, rule='additionalProperties')
    return data

def validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_qualifiedname(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (str)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be string", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, rule='type')
    if isinstance(data, str):
        data_len = len(data)
        if data_len > 317:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must be shorter than or equal to 317 characters", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, rule='maxLength')
        if not REGEX_PATTERNS['^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$'].search(data):
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must match pattern ^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, rule='pattern')
    return data

def validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_keyvaluelines(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (str)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be string", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'pattern': '^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$', 'x-kubeclip-kind': 'keyValueLines'}, rule='type')
    if isinstance(data, str):
        if not REGEX_PATTERNS['^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$'].search(data):
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must match pattern ^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'pattern': '^\\s*([^=\\s]+\\s*=[^\\n]*(\\n|$)\\s*)*$', 'x-kubeclip-kind': 'keyValueLines'}, rule='pattern')
    return data

def validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_labelmap(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'propertyNames': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'additionalProperties': {'type': 'string', 'maxLength': 63, 'pattern': '^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$', 'x-kubeclip-kind': 'labelValue'}}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        for data_key in data_keys:
            if data_key not in []:
                data_value = data.get(data_key)
                validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_labelvalue(data_value, custom_formats, (name_prefix or "data") + ".{data_key}".format(**locals()))
        data_len = len(data)
        if data_len != 0:
            data_property_names = True
            for data_key in data:
                try:
                    validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_qualifiedname(data_key, custom_formats, (name_prefix or "data") + "")
                except (JsonSchemaValueException, JsonSchemaValuesException):
                    data_property_names = False
            if not data_property_names:
                raise JsonSchemaValueException("" + (name_prefix or "data") + " must be named by propertyName definition", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'propertyNames': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'additionalProperties': {'type': 'string', 'maxLength': 63, 'pattern': '^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$', 'x-kubeclip-kind': 'labelValue'}}, rule='propertyNames')
    return data

def validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_labelvalue(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (str)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be string", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'maxLength': 63, 'pattern': '^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$', 'x-kubeclip-kind': 'labelValue'}, rule='type')
    if isinstance(data, str):
        data_len = len(data)
        if data_len > 63:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must be shorter than or equal to 63 characters", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'maxLength': 63, 'pattern': '^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$', 'x-kubeclip-kind': 'labelValue'}, rule='maxLength')
        if not REGEX_PATTERNS['^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$'].search(data):
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must match pattern ^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'maxLength': 63, 'pattern': '^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$', 'x-kubeclip-kind': 'labelValue'}, rule='pattern')
    return data

def validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_glob(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (str)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be string", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, rule='type')
    if isinstance(data, str):
        data_len = len(data)
        if data_len < 1:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must be longer than or equal to 1 characters", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, rule='minLength')
        if not REGEX_PATTERNS['^[A-Za-z0-9_.*?\\-\\[\\]!]+$'].search(data):
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must match pattern ^[A-Za-z0-9_.*?\\-\\[\\]!]+$", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9_.*?\\-\\[\\]!]+$', 'x-kubeclip-kind': 'glob'}, rule='pattern')
    return data

def validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_envname(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (str)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be string", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, rule='type')
    if isinstance(data, str):
        if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_]*$'].search(data):
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must match pattern ^[A-Za-z_][A-Za-z0-9_]*$", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, rule='pattern')
    return data

def validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_envref(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'additionalProperties': False, 'minProperties': 1, 'maxProperties': 1, 'properties': {'secretKeyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}, 'configMapKeyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}}}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_len = len(data)
        if data_len < 1:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain at least 1 properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'additionalProperties': False, 'minProperties': 1, 'maxProperties': 1, 'properties': {'secretKeyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}, 'configMapKeyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}}}, rule='minProperties')
        if data_len > 1:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain less than or equal to 1 properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'additionalProperties': False, 'minProperties': 1, 'maxProperties': 1, 'properties': {'secretKeyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}, 'configMapKeyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}}}, rule='maxProperties')
        data_keys = set(data.keys())
        if "secretKeyRef" in data_keys:
            data_keys.remove("secretKeyRef")
            data__secretKeyRef = data["secretKeyRef"]
            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_keyref(data__secretKeyRef, custom_formats, (name_prefix or "data") + ".secretKeyRef")
        if "configMapKeyRef" in data_keys:
            data_keys.remove("configMapKeyRef")
            data__configMapKeyRef = data["configMapKeyRef"]
            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_keyref(data__configMapKeyRef, custom_formats, (name_prefix or "data") + ".configMapKeyRef")
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'additionalProperties': False, 'minProperties': 1, 'maxProperties': 1, 'properties': {'secretKeyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}, 'configMapKeyRef': {'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'$ref': 'https://kubeclip.dev/schema/agent-config.schema.json#/$defs/dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}}}, rule='additionalProperties')
    return data

def validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_keyref(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['name', 'key']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}, rule='required')
        data_keys = set(data.keys())
        if "name" in data_keys:
            data_keys.remove("name")
            data__name = data["name"]
            validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_dns1123subdomain(data__name, custom_formats, (name_prefix or "data") + ".name")
        if "key" in data_keys:
            data_keys.remove("key")
            data__key = data["key"]
            if not isinstance(data__key, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".key must be string", value=data__key, name="" + (name_prefix or "data") + ".key", definition={'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, rule='type')
            if isinstance(data__key, str):
                data__key_len = len(data__key)
                if data__key_len > 253:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".key must be shorter than or equal to 253 characters", value=data__key, name="" + (name_prefix or "data") + ".key", definition={'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, rule='maxLength')
                if not REGEX_PATTERNS['^[-._a-zA-Z0-9]+$'].search(data__key):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".key must match pattern ^[-._a-zA-Z0-9]+$", value=data__key, name="" + (name_prefix or "data") + ".key", definition={'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, rule='pattern')
        if "optional" in data_keys:
            data_keys.remove("optional")
            data__optional = data["optional"]
            if not isinstance(data__optional, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".optional must be boolean", value=data__optional, name="" + (name_prefix or "data") + ".optional", definition={'type': 'boolean'}, rule='type')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'additionalProperties': False, 'required': ['name', 'key'], 'properties': {'name': {'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, 'key': {'type': 'string', 'pattern': '^[-._a-zA-Z0-9]+$', 'maxLength': 253}, 'optional': {'type': 'boolean'}}}, rule='additionalProperties')
    return data

def validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_resourcelist(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'propertyNames': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'additionalProperties': {'type': ['string', 'number'], 'minimum': 0, 'pattern': '^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$', 'x-kubeclip-kind': 'quantity'}}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        for data_key in data_keys:
            if data_key not in []:
                data_value = data.get(data_key)
                validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_quantity(data_value, custom_formats, (name_prefix or "data") + ".{data_key}".format(**locals()))
        data_len = len(data)
        if data_len != 0:
            data_property_names = True
            for data_key in data:
                try:
                    validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_qualifiedname(data_key, custom_formats, (name_prefix or "data") + "")
                except (JsonSchemaValueException, JsonSchemaValuesException):
                    data_property_names = False
            if not data_property_names:
                raise JsonSchemaValueException("" + (name_prefix or "data") + " must be named by propertyName definition", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'propertyNames': {'type': 'string', 'maxLength': 317, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', 'x-kubeclip-kind': 'qualifiedName'}, 'additionalProperties': {'type': ['string', 'number'], 'minimum': 0, 'pattern': '^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$', 'x-kubeclip-kind': 'quantity'}}, rule='propertyNames')
    return data

def validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_quantity(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (str, int, float)) or isinstance(data, bool):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be string or number", value=data, name="" + (name_prefix or "data") + "", definition={'type': ['string', 'number'], 'minimum': 0, 'pattern': '^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$', 'x-kubeclip-kind': 'quantity'}, rule='type')
    if isinstance(data, str):
        if not REGEX_PATTERNS['^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$'].search(data):
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must match pattern ^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$", value=data, name="" + (name_prefix or "data") + "", definition={'type': ['string', 'number'], 'minimum': 0, 'pattern': '^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$', 'x-kubeclip-kind': 'quantity'}, rule='pattern')
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        if data < 0:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must be bigger than or equal to 0", value=data, name="" + (name_prefix or "data") + "", definition={'type': ['string', 'number'], 'minimum': 0, 'pattern': '^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$', 'x-kubeclip-kind': 'quantity'}, rule='minimum')
    return data

def validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_dns1123subdomain(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (str)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be string", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, rule='type')
    if isinstance(data, str):
        data_len = len(data)
        if data_len > 253:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must be shorter than or equal to 253 characters", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, rule='maxLength')
        if not REGEX_PATTERNS['^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'].search(data):
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must match pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'maxLength': 253, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'x-kubeclip-kind': 'dns1123Subdomain'}, rule='pattern')
    return data

def validate_https___kubeclip_dev_schema_agent_config_schema_json___defs_dns1123label(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (str)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be string", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'maxLength': 63, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'x-kubeclip-kind': 'dns1123Label'}, rule='type')
    if isinstance(data, str):
        data_len = len(data)
        if data_len > 63:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must be shorter than or equal to 63 characters", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'maxLength': 63, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'x-kubeclip-kind': 'dns1123Label'}, rule='maxLength')
        if not REGEX_PATTERNS['^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'].search(data):
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must match pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'maxLength': 63, 'pattern': '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'x-kubeclip-kind': 'dns1123Label'}, rule='pattern')
    return data

validate = validate_https___kubeclip_dev_schema_agent_config_schema_json
