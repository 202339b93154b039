# Generated from schema/run-context.schema.json by scripts/gen_validators.py (fastjsonschema 2.22.3).
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
    '^/': re.compile('^/'),
    '^[A-Za-z_][A-Za-z0-9_]*$': re.compile('^[A-Za-z_][A-Za-z0-9_]*\\Z'),
    '^/[^\\u0000:]*$': re.compile('^/[^\\u0000:]*\\Z'),
    '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$': re.compile('^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*\\Z')
}

NoneType = type(None)

def validate_https___kubeclip_dev_schema_run_context_schema_json(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'https://json-schema.org/draft/2020-12/schema', '$id': 'https://kubeclip.dev/schema/run-context.schema.json', 'title': 'kubeclip run context', 'description': "One Paperclip run: who runs, on what, with which prompt. Mirrors the execute() context of Paperclip's adapter contract. `context` is Paperclip's own bag and may carry more keys.", 'type': 'object', 'additionalProperties': False, 'required': ['runId', 'agent'], 'properties': {'runId': {'type': 'string', 'minLength': 1, 'maxLength': 256}, 'agent': {'type': 'object', 'additionalProperties': False, 'required': ['id', 'companyId'], 'properties': {'id': {'type': 'string', 'minLength': 1, 'maxLength': 256}, 'companyId': {'type': 'string', 'minLength': 1, 'maxLength': 256}, 'name': {'type': 'string'}}}, 'runtime': {'type': 'object', 'additionalProperties': False, 'properties': {'sessionId': {'type': ['string', 'null']}, 'sessionDisplayId': {'type': ['string', 'null']}, 'taskKey': {'type': ['string', 'null']}, 'sessionParams': {'type': ['object', 'null'], 'properties': {'sessionId': {'type': ['string', 'null']}, 'cwd': {'type': ['string', 'null']}, 'workspaceId': {'type': ['string', 'null']}, 'repoUrl': {'type': ['string', 'null']}, 'repoRef': {'type': ['string', 'null']}}}}}, 'context': {'type': 'object', 'properties': {'taskId': {'type': ['string', 'null']}, 'issueId': {'type': ['string', 'null']}, 'wakeReason': {'type': ['string', 'null']}, 'wakeCommentId': {'type': ['string', 'null']}, 'approvalId': {'type': ['string', 'null']}, 'approvalStatus': {'type': ['string', 'null']}, 'issueIds': {'type': ['array', 'null'], 'items': {'type': 'string'}}, 'paperclipWake': {}, 'paperclipWorkspace': {'type': ['object', 'null'], 'properties': {'cwd': {'type': ['string', 'null'], 'pattern': '^/', 'x-kubeclip-kind': 'absPath'}, 'source': {'type': ['string', 'null']}, 'strategy': {'type': ['string', 'null']}, 'workspaceId': {'type': ['string', 'null']}, 'repoUrl': {'type': ['string', 'null']}, 'repoRef': {'type': ['string', 'null']}, 'branchName': {'type': ['string', 'null']}, 'worktreePath': {'type': ['string', 'null']}, 'agentHome': {'type': ['string', 'null']}}}, 'paperclipWorkspaces': {}}}, 'prompt': {'type': 'string', 'description': "The prompt, written to opencode's stdin. Or use --prompt-file."}, 'paperclipApiUrl': {'type': 'string', 'minLength': 1}, 'authToken': {'type': 'string', 'minLength': 1, 'description': "The run's Paperclip API key (JWT). Goes only into the per-run Secret; redacted in dry-run output."}, 'env': {'type': 'object', 'description': 'More run variables to forward into the pod (e.g. PAPERCLIP_RUNTIME_TOOLS_*). Highest precedence; credential-looking names go through the per-run Secret.', 'propertyNames': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'additionalProperties': {'type': 'string'}}, 'opencodeConfig': {'type': 'object', 'description': "The OpenCode config Paperclip generated for the run (configured model registered, custom providers, small_model). Carried into the pod through the per-run Secret as OPENCODE_CONFIG_CONTENT, merged with kubeclip's permission bypass when dangerouslySkipPermissions."}, 'scratchDirs': {'type': 'array', 'maxItems': 8, 'description': "The run's scratch directories (Paperclip's PAPERCLIP_*SCRATCH_DIR, PAPERCLIP_TMPDIR): each is an empty pod-local directory at the same path, so paths in the prompt and env mean the same thing in the pod.", 'items': {'type': 'string', 'pattern': '^/[^\\u0000:]*$', 'maxLength': 1024}}, 'files': {'type': 'array', 'maxItems': 512, 'description': "Files the agent's CLI is given by path (an adapter's prompt bundle, instructions file, MCP config; symlinks followed): carried through the per-run Secret, never the Job spec, and copied when the pod starts to /tmp/kubeclip-files/<path>, where the argv names them. `credential` marks one whose content must be proven absent from every manifest and log.", 'items': {'type': 'object', 'additionalProperties': False, 'required': ['path', 'data'], 'properties': {'path': {'type': 'string', 'pattern': '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$', 'maxLength': 512}, 'data': {'type': 'string', 'description': "the file's bytes, base64", 'contentEncoding': 'base64'}, 'executable': {'type': 'boolean'}, 'credential': {'type': 'boolean'}}}}, 'agentEnv': {'type': 'object', 'description': "The agent's own env from Paperclip (its adapterConfig env: provider keys, feature flags, resolved secrets) and other run variables whose values must not be read from the Job spec. Every value goes through the per-run Secret; the Job shows only the names.", 'propertyNames': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'additionalProperties': {'type': 'string'}}}, '$defs': {'id': {'type': 'string', 'minLength': 1, 'maxLength': 256}}}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['runId', 'agent']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'https://json-schema.org/draft/2020-12/schema', '$id': 'https://kubeclip.dev/schema/run-context.schema.json', 'title': 'kubeclip run context', 'description': "One Paperclip run: who runs, on what, with which prompt. Mirrors the execute() context of Paperclip's adapter contract. `context` is Paperclip's own bag and may carry more keys.", 'type': 'object', 'additionalProperties': False, 'required': ['runId', 'agent'], 'properties': {'runId': {'type': 'string', 'minLength': 1, 'maxLength': 256}, 'agent': {'type': 'object', 'additionalProperties': False, 'required': ['id', 'companyId'], 'properties': {'id': {'type': 'string', 'minLength': 1, 'maxLength': 256}, 'companyId': {'type': 'string', 'minLength': 1, 'maxLength': 256}, 'name': {'type': 'string'}}}, 'runtime': {'type': 'object', 'additionalProperties': False, 'properties': {'sessionId': {'type': ['string', 'null']}, 'sessionDisplayId': {'type': ['string', 'null']}, 'taskKey': {'type': ['string', 'null']}, 'sessionParams': {'type': ['object', 'null'], 'properties': {'sessionId': {'type': ['string', 'null']}, 'cwd': {'type': ['string', 'null']}, 'workspaceId': {'type': ['string', 'null']}, 'repoUrl': {'type': ['string', 'null']}, 'repoRef': {'type': ['string', 'null']}}}}}, 'context': {'type': 'object', 'properties': {'taskId': {'type': ['string', 'null']}, 'issueId': {'type': ['string', 'null']}, 'wakeReason': {'type': ['string', 'null']}, 'wakeCommentId': {'type': ['string', 'null']}, 'approvalId': {'type': ['string', 'null']}, 'approvalStatus': {'type': ['string', 'null']}, 'issueIds': {'type': ['array', 'null'], 'items': {'type': 'string'}}, 'paperclipWake': {}, 'paperclipWorkspace': {'type': ['object', 'null'], 'properties': {'cwd': {'type': ['string', 'null'], 'pattern': '^/', 'x-kubeclip-kind': 'absPath'}, 'source': {'type': ['string', 'null']}, 'strategy': {'type': ['string', 'null']}, 'workspaceId': {'type': ['string', 'null']}, 'repoUrl': {'type': ['string', 'null']}, 'repoRef': {'type': ['string', 'null']}, 'branchName': {'type': ['string', 'null']}, 'worktreePath': {'type': ['string', 'null']}, 'agentHome': {'type': ['string', 'null']}}}, 'paperclipWorkspaces': {}}}, 'prompt': {'type': 'string', 'description': "The prompt, written to opencode's stdin. Or use --prompt-file."}, 'paperclipApiUrl': {'type': 'string', 'minLength': 1}, 'authToken': {'type': 'string', 'minLength': 1, 'description': "The run's Paperclip API key (JWT). Goes only into the per-run Secret; redacted in dry-run output."}, 'env': {'type': 'object', 'description': 'More run variables to forward into the pod (e.g. PAPERCLIP_RUNTIME_TOOLS_*). Highest precedence; credential-looking names go through the per-run Secret.', 'propertyNames': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'additionalProperties': {'type': 'string'}}, 'opencodeConfig': {'type': 'object', 'description': "The OpenCode config Paperclip generated for the run (configured model registered, custom providers, small_model). Carried into the pod through the per-run Secret as OPENCODE_CONFIG_CONTENT, merged with kubeclip's permission bypass when dangerouslySkipPermissions."}, 'scratchDirs': {'type': 'array', 'maxItems': 8, 'description': "The run's scratch directories (Paperclip's PAPERCLIP_*SCRATCH_DIR, PAPERCLIP_TMPDIR): each is an empty pod-local directory at the same path, so paths in the prompt and env mean the same thing in the pod.", 'items': {'type': 'string', 'pattern': '^/[^\\u0000:]*$', 'maxLength': 1024}}, 'files': {'type': 'array', 'maxItems': 512, 'description': "Files the agent's CLI is given by path (an adapter's prompt bundle, instructions file, MCP config; symlinks followed): carried through the per-run Secret, never the Job spec, and copied when the pod starts to /tmp/kubeclip-files/<path>, where the argv names them. `credential` marks one whose content must be proven absent from every manifest and log.", 'items': {'type': 'object', 'additionalProperties': False, 'required': ['path', 'data'], 'properties': {'path': {'type': 'string', 'pattern': '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$', 'maxLength': 512}, 'data': {'type': 'string', 'description': "the file's bytes, base64", 'contentEncoding': 'base64'}, 'executable': {'type': 'boolean'}, 'credential': {'type': 'boolean'}}}}, 'agentEnv': {'type': 'object', 'description': "The agent's own env from Paperclip (its adapterConfig env: provider keys, feature flags, resolved secrets) and other run variables whose values must not be read from the Job spec. Every value goes through the per-run Secret; the Job shows only the names.", 'propertyNames': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'additionalProperties': {'type': 'string'}}}, '$defs': {'id': {'type': 'string', 'minLength': 1, 'maxLength': 256}}}, rule='required')
        data_keys = set(data.keys())
        if "runId" in data_keys:
            data_keys.remove("runId")
            data__runId = data["runId"]
            validate_https___kubeclip_dev_schema_run_context_schema_json___defs_id(data__runId, custom_formats, (name_prefix or "data") + ".runId")
        if "agent" in data_keys:
            data_keys.remove("agent")
            data__agent = data["agent"]
            if not isinstance(data__agent, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".agent must be object", value=data__agent, name="" + (name_prefix or "data") + ".agent", definition={'type': 'object', 'additionalProperties': False, 'required': ['id', 'companyId'], 'properties': {'id': {'type': 'string', 'minLength': 1, 'maxLength': 256}, 'companyId': {'type': 'string', 'minLength': 1, 'maxLength': 256}, 'name': {'type': 'string'}}}, rule='type')
            data__agent_is_dict = isinstance(data__agent, dict)
            if data__agent_is_dict:
                data__agent__missing_keys = set(['id', 'companyId']) - data__agent.keys()
                if data__agent__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".agent must contain " + (str(sorted(data__agent__missing_keys)) + " properties"), value=data__agent, name="" + (name_prefix or "data") + ".agent", definition={'type': 'object', 'additionalProperties': False, 'required': ['id', 'companyId'], 'properties': {'id': {'type': 'string', 'minLength': 1, 'maxLength': 256}, 'companyId': {'type': 'string', 'minLength': 1, 'maxLength': 256}, 'name': {'type': 'string'}}}, rule='required')
                data__agent_keys = set(data__agent.keys())
                if "id" in data__agent_keys:
                    data__agent_keys.remove("id")
                    data__agent__id = data__agent["id"]
                    validate_https___kubeclip_dev_schema_run_context_schema_json___defs_id(data__agent__id, custom_formats, (name_prefix or "data") + ".agent.id")
                if "companyId" in data__agent_keys:
                    data__agent_keys.remove("companyId")
                    data__agent__companyId = data__agent["companyId"]
                    validate_https___kubeclip_dev_schema_run_context_schema_json___defs_id(data__agent__companyId, custom_formats, (name_prefix or "data") + ".agent.companyId")
                if "name" in data__agent_keys:
                    data__agent_keys.remove("name")
                    data__agent__name = data__agent["name"]
                    if not isinstance(data__agent__name, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".agent.name must be string", value=data__agent__name, name="" + (name_prefix or "data") + ".agent.name", definition={'type': 'string'}, rule='type')
                if data__agent_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".agent must not contain "+str(data__agent_keys)+" properties", value=data__agent, name="" + (name_prefix or "data") + ".agent", definition={'type': 'object', 'additionalProperties': False, 'required': ['id', 'companyId'], 'properties': {'id': {'type': 'string', 'minLength': 1, 'maxLength': 256}, 'companyId': {'type': 'string', 'minLength': 1, 'maxLength': 256}, 'name': {'type': 'string'}}}, rule='additionalProperties')
        if "runtime" in data_keys:
            data_keys.remove("runtime")
            data__runtime = data["runtime"]
            if not isinstance(data__runtime, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime must be object", value=data__runtime, name="" + (name_prefix or "data") + ".runtime", definition={'type': 'object', 'additionalProperties': False, 'properties': {'sessionId': {'type': ['string', 'null']}, 'sessionDisplayId': {'type': ['string', 'null']}, 'taskKey': {'type': ['string', 'null']}, 'sessionParams': {'type': ['object', 'null'], 'properties': {'sessionId': {'type': ['string', 'null']}, 'cwd': {'type': ['string', 'null']}, 'workspaceId': {'type': ['string', 'null']}, 'repoUrl': {'type': ['string', 'null']}, 'repoRef': {'type': ['string', 'null']}}}}}, rule='type')
            data__runtime_is_dict = isinstance(data__runtime, dict)
            if data__runtime_is_dict:
                data__runtime_keys = set(data__runtime.keys())
                if "sessionId" in data__runtime_keys:
                    data__runtime_keys.remove("sessionId")
                    data__runtime__sessionId = data__runtime["sessionId"]
                    if not isinstance(data__runtime__sessionId, (str, NoneType)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.sessionId must be string or null", value=data__runtime__sessionId, name="" + (name_prefix or "data") + ".runtime.sessionId", definition={'type': ['string', 'null']}, rule='type')
                if "sessionDisplayId" in data__runtime_keys:
                    data__runtime_keys.remove("sessionDisplayId")
                    data__runtime__sessionDisplayId = data__runtime["sessionDisplayId"]
                    if not isinstance(data__runtime__sessionDisplayId, (str, NoneType)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.sessionDisplayId must be string or null", value=data__runtime__sessionDisplayId, name="" + (name_prefix or "data") + ".runtime.sessionDisplayId", definition={'type': ['string', 'null']}, rule='type')
                if "taskKey" in data__runtime_keys:
                    data__runtime_keys.remove("taskKey")
                    data__runtime__taskKey = data__runtime["taskKey"]
                    if not isinstance(data__runtime__taskKey, (str, NoneType)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.taskKey must be string or null", value=data__runtime__taskKey, name="" + (name_prefix or "data") + ".runtime.taskKey", definition={'type': ['string', 'null']}, rule='type')
                if "sessionParams" in data__runtime_keys:
                    data__runtime_keys.remove("sessionParams")
                    data__runtime__sessionParams = data__runtime["sessionParams"]
                    if not isinstance(data__runtime__sessionParams, (dict, NoneType)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.sessionParams must be object or null", value=data__runtime__sessionParams, name="" + (name_prefix or "data") + ".runtime.sessionParams", definition={'type': ['object', 'null'], 'properties': {'sessionId': {'type': ['string', 'null']}, 'cwd': {'type': ['string', 'null']}, 'workspaceId': {'type': ['string', 'null']}, 'repoUrl': {'type': ['string', 'null']}, 'repoRef': {'type': ['string', 'null']}}}, rule='type')
                    data__runtime__sessionParams_is_dict = isinstance(data__runtime__sessionParams, dict)
                    if data__runtime__sessionParams_is_dict:
                        data__runtime__sessionParams_keys = set(data__runtime__sessionParams.keys())
                        if "sessionId" in data__runtime__sessionParams_keys:
                            data__runtime__sessionParams_keys.remove("sessionId")
                            data__runtime__sessionParams__sessionId = data__runtime__sessionParams["sessionId"]
                            if not isinstance(data__runtime__sessionParams__sessionId, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.sessionParams.sessionId must be string or null", value=data__runtime__sessionParams__sessionId, name="" + (name_prefix or "data") + ".runtime.sessionParams.sessionId", definition={'type': ['string', 'null']}, rule='type')
                        if "cwd" in data__runtime__sessionParams_keys:
                            data__runtime__sessionParams_keys.remove("cwd")
                            data__runtime__sessionParams__cwd = data__runtime__sessionParams["cwd"]
                            if not isinstance(data__runtime__sessionParams__cwd, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.sessionParams.cwd must be string or null", value=data__runtime__sessionParams__cwd, name="" + (name_prefix or "data") + ".runtime.sessionParams.cwd", definition={'type': ['string', 'null']}, rule='type')
                        if "workspaceId" in data__runtime__sessionParams_keys:
                            data__runtime__sessionParams_keys.remove("workspaceId")
                            data__runtime__sessionParams__workspaceId = data__runtime__sessionParams["workspaceId"]
                            if not isinstance(data__runtime__sessionParams__workspaceId, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.sessionParams.workspaceId must be string or null", value=data__runtime__sessionParams__workspaceId, name="" + (name_prefix or "data") + ".runtime.sessionParams.workspaceId", definition={'type': ['string', 'null']}, rule='type')
                        if "repoUrl" in data__runtime__sessionParams_keys:
                            data__runtime__sessionParams_keys.remove("repoUrl")
                            data__runtime__sessionParams__repoUrl = data__runtime__sessionParams["repoUrl"]
                            if not isinstance(data__runtime__sessionParams__repoUrl, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.sessionParams.repoUrl must be string or null", value=data__runtime__sessionParams__repoUrl, name="" + (name_prefix or "data") + ".runtime.sessionParams.repoUrl", definition={'type': ['string', 'null']}, rule='type')
                        if "repoRef" in data__runtime__sessionParams_keys:
                            data__runtime__sessionParams_keys.remove("repoRef")
                            data__runtime__sessionParams__repoRef = data__runtime__sessionParams["repoRef"]
                            if not isinstance(data__runtime__sessionParams__repoRef, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.sessionParams.repoRef must be string or null", value=data__runtime__sessionParams__repoRef, name="" + (name_prefix or "data") + ".runtime.sessionParams.repoRef", definition={'type': ['string', 'null']}, rule='type')
                if data__runtime_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime must not contain "+str(data__runtime_keys)+" properties", value=data__runtime, name="" + (name_prefix or "data") + ".runtime", definition={'type': 'object', 'additionalProperties': False, 'properties': {'sessionId': {'type': ['string', 'null']}, 'sessionDisplayId': {'type': ['string', 'null']}, 'taskKey': {'type': ['string', 'null']}, 'sessionParams': {'type': ['object', 'null'], 'properties': {'sessionId': {'type': ['string', 'null']}, 'cwd': {'type': ['string', 'null']}, 'workspaceId': {'type': ['string', 'null']}, 'repoUrl': {'type': ['string', 'null']}, 'repoRef': {'type': ['string', 'null']}}}}}, rule='additionalProperties')
        if "context" in data_keys:
            data_keys.remove("context")
            data__context = data["context"]
            if not isinstance(data__context, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".context must be object", value=data__context, name="" + (name_prefix or "data") + ".context", definition={'type': 'object', 'properties': {'taskId': {'type': ['string', 'null']}, 'issueId': {'type': ['string', 'null']}, 'wakeReason': {'type': ['string', 'null']}, 'wakeCommentId': {'type': ['string', 'null']}, 'approvalId': {'type': ['string', 'null']}, 'approvalStatus': {'type': ['string', 'null']}, 'issueIds': {'type': ['array', 'null'], 'items': {'type': 'string'}}, 'paperclipWake': {}, 'paperclipWorkspace': {'type': ['object', 'null'], 'properties': {'cwd': {'type': ['string', 'null'], 'pattern': '^/', 'x-kubeclip-kind': 'absPath'}, 'source': {'type': ['string', 'null']}, 'strategy': {'type': ['string', 'null']}, 'workspaceId': {'type': ['string', 'null']}, 'repoUrl': {'type': ['string', 'null']}, 'repoRef': {'type': ['string', 'null']}, 'branchName': {'type': ['string', 'null']}, 'worktreePath': {'type': ['string', 'null']}, 'agentHome': {'type': ['string', 'null']}}}, 'paperclipWorkspaces': {}}}, rule='type')
            data__context_is_dict = isinstance(data__context, dict)
            if data__context_is_dict:
                data__context_keys = set(data__context.keys())
                if "taskId" in data__context_keys:
                    data__context_keys.remove("taskId")
                    data__context__taskId = data__context["taskId"]
                    if not isinstance(data__context__taskId, (str, NoneType)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.taskId must be string or null", value=data__context__taskId, name="" + (name_prefix or "data") + ".context.taskId", definition={'type': ['string', 'null']}, rule='type')
                if "issueId" in data__context_keys:
                    data__context_keys.remove("issueId")
                    data__context__issueId = data__context["issueId"]
                    if not isinstance(data__context__issueId, (str, NoneType)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.issueId must be string or null", value=data__context__issueId, name="" + (name_prefix or "data") + ".context.issueId", definition={'type': ['string', 'null']}, rule='type')
                if "wakeReason" in data__context_keys:
                    data__context_keys.remove("wakeReason")
                    data__context__wakeReason = data__context["wakeReason"]
                    if not isinstance(data__context__wakeReason, (str, NoneType)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.wakeReason must be string or null", value=data__context__wakeReason, name="" + (name_prefix or "data") + ".context.wakeReason", definition={'type': ['string', 'null']}, rule='type')
                if "wakeCommentId" in data__context_keys:
                    data__context_keys.remove("wakeCommentId")
                    data__context__wakeCommentId = data__context["wakeCommentId"]
                    if not isinstance(data__context__wakeCommentId, (str, NoneType)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.wakeCommentId must be string or null", value=data__context__wakeCommentId, name="" + (name_prefix or "data") + ".context.wakeCommentId", definition={'type': ['string', 'null']}, rule='type')
                if "approvalId" in data__context_keys:
                    data__context_keys.remove("approvalId")
                    data__context__approvalId = data__context["approvalId"]
                    if not isinstance(data__context__approvalId, (str, NoneType)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.approvalId must be string or null", value=data__context__approvalId, name="" + (name_prefix or "data") + ".context.approvalId", definition={'type': ['string', 'null']}, rule='type')
                if "approvalStatus" in data__context_keys:
                    data__context_keys.remove("approvalStatus")
                    data__context__approvalStatus = data__context["approvalStatus"]
                    if not isinstance(data__context__approvalStatus, (str, NoneType)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.approvalStatus must be string or null", value=data__context__approvalStatus, name="" + (name_prefix or "data") + ".context.approvalStatus", definition={'type': ['string', 'null']}, rule='type')
                if "issueIds" in data__context_keys:
                    data__context_keys.remove("issueIds")
                    data__context__issueIds = data__context["issueIds"]
                    if not isinstance(data__context__issueIds, (list, tuple, NoneType)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.issueIds must be array or null", value=data__context__issueIds, name="" + (name_prefix or "data") + ".context.issueIds", definition={'type': ['array', 'null'], 'items': {'type': 'string'}}, rule='type')
                    data__context__issueIds_is_list = isinstance(data__context__issueIds, (list, tuple))
                    if data__context__issueIds_is_list:
                        data__context__issueIds_len = len(data__context__issueIds)
                        for data__context__issueIds_x, data__context__issueIds_item in enumerate(data__context__issueIds):
                            if not isinstance(data__context__issueIds_item, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.issueIds[{data__context__issueIds_x}]".format(**locals()) + " must be string", value=data__context__issueIds_item, name="" + (name_prefix or "data") + ".context.issueIds[{data__context__issueIds_x}]".format(**locals()) + "", definition={'type': 'string'}, rule='type')
                if "paperclipWake" in data__context_keys:
                    data__context_keys.remove("paperclipWake")
                    data__context__paperclipWake = data__context["paperclipWake"]
                if "paperclipWorkspace" in data__context_keys:
                    data__context_keys.remove("paperclipWorkspace")
                    data__context__paperclipWorkspace = data__context["paperclipWorkspace"]
                    if not isinstance(data__context__paperclipWorkspace, (dict, NoneType)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.paperclipWorkspace must be object or null", value=data__context__paperclipWorkspace, name="" + (name_prefix or "data") + ".context.paperclipWorkspace", definition={'type': ['object', 'null'], 'properties': {'cwd': {'type': ['string', 'null'], 'pattern': '^/', 'x-kubeclip-kind': 'absPath'}, 'source': {'type': ['string', 'null']}, 'strategy': {'type': ['string', 'null']}, 'workspaceId': {'type': ['string', 'null']}, 'repoUrl': {'type': ['string', 'null']}, 'repoRef': {'type': ['string', 'null']}, 'branchName': {'type': ['string', 'null']}, 'worktreePath': {'type': ['string', 'null']}, 'agentHome': {'type': ['string', 'null']}}}, rule='type')
                    data__context__paperclipWorkspace_is_dict = isinstance(data__context__paperclipWorkspace, dict)
                    if data__context__paperclipWorkspace_is_dict:
                        data__context__paperclipWorkspace_keys = set(data__context__paperclipWorkspace.keys())
                        if "cwd" in data__context__paperclipWorkspace_keys:
                            data__context__paperclipWorkspace_keys.remove("cwd")
                            data__context__paperclipWorkspace__cwd = data__context__paperclipWorkspace["cwd"]
                            if not isinstance(data__context__paperclipWorkspace__cwd, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.paperclipWorkspace.cwd must be string or null", value=data__context__paperclipWorkspace__cwd, name="" + (name_prefix or "data") + ".context.paperclipWorkspace.cwd", definition={'type': ['string', 'null'], 'pattern': '^/', 'x-kubeclip-kind': 'absPath'}, rule='type')
                            if isinstance(data__context__paperclipWorkspace__cwd, str):
                                if not REGEX_PATTERNS['^/'].search(data__context__paperclipWorkspace__cwd):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.paperclipWorkspace.cwd must match pattern ^/", value=data__context__paperclipWorkspace__cwd, name="" + (name_prefix or "data") + ".context.paperclipWorkspace.cwd", definition={'type': ['string', 'null'], 'pattern': '^/', 'x-kubeclip-kind': 'absPath'}, rule='pattern')
                        if "source" in data__context__paperclipWorkspace_keys:
                            data__context__paperclipWorkspace_keys.remove("source")
                            data__context__paperclipWorkspace__source = data__context__paperclipWorkspace["source"]
                            if not isinstance(data__context__paperclipWorkspace__source, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.paperclipWorkspace.source must be string or null", value=data__context__paperclipWorkspace__source, name="" + (name_prefix or "data") + ".context.paperclipWorkspace.source", definition={'type': ['string', 'null']}, rule='type')
                        if "strategy" in data__context__paperclipWorkspace_keys:
                            data__context__paperclipWorkspace_keys.remove("strategy")
                            data__context__paperclipWorkspace__strategy = data__context__paperclipWorkspace["strategy"]
                            if not isinstance(data__context__paperclipWorkspace__strategy, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.paperclipWorkspace.strategy must be string or null", value=data__context__paperclipWorkspace__strategy, name="" + (name_prefix or "data") + ".context.paperclipWorkspace.strategy", definition={'type': ['string', 'null']}, rule='type')
                        if "workspaceId" in data__context__paperclipWorkspace_keys:
                            data__context__paperclipWorkspace_keys.remove("workspaceId")
                            data__context__paperclipWorkspace__workspaceId = data__context__paperclipWorkspace["workspaceId"]
                            if not isinstance(data__context__paperclipWorkspace__workspaceId, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.paperclipWorkspace.workspaceId must be string or null", value=data__context__paperclipWorkspace__workspaceId, name="" + (name_prefix or "data") + ".context.paperclipWorkspace.workspaceId", definition={'type': ['string', 'null']}, rule='type')
                        if "repoUrl" in data__context__paperclipWorkspace_keys:
                            data__context__paperclipWorkspace_keys.remove("repoUrl")
                            data__context__paperclipWorkspace__repoUrl = data__context__paperclipWorkspace["repoUrl"]
                            if not isinstance(data__context__paperclipWorkspace__repoUrl, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.paperclipWorkspace.repoUrl must be string or null", value=data__context__paperclipWorkspace__repoUrl, name="" + (name_prefix or "data") + ".context.paperclipWorkspace.repoUrl", definition={'type': ['string', 'null']}, rule='type')
                        if "repoRef" in data__context__paperclipWorkspace_keys:
                            data__context__paperclipWorkspace_keys.remove("repoRef")
                            data__context__paperclipWorkspace__repoRef = data__context__paperclipWorkspace["repoRef"]
                            if not isinstance(data__context__paperclipWorkspace__repoRef, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.paperclipWorkspace.repoRef must be string or null", value=data__context__paperclipWorkspace__repoRef, name="" + (name_prefix or "data") + ".context.paperclipWorkspace.repoRef", definition={'type': ['string', 'null']}, rule='type')
                        if "branchName" in data__context__paperclipWorkspace_keys:
                            data__context__paperclipWorkspace_keys.remove("branchName")
                            data__context__paperclipWorkspace__branchName = data__context__paperclipWorkspace["branchName"]
                            if not isinstance(data__context__paperclipWorkspace__branchName, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.paperclipWorkspace.branchName must be string or null", value=data__context__paperclipWorkspace__branchName, name="" + (name_prefix or "data") + ".context.paperclipWorkspace.branchName", definition={'type': ['string', 'null']}, rule='type')
                        if "worktreePath" in data__context__paperclipWorkspace_keys:
                            data__context__paperclipWorkspace_keys.remove("worktreePath")
                            data__context__paperclipWorkspace__worktreePath = data__context__paperclipWorkspace["worktreePath"]
                            if not isinstance(data__context__paperclipWorkspace__worktreePath, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.paperclipWorkspace.worktreePath must be string or null", value=data__context__paperclipWorkspace__worktreePath, name="" + (name_prefix or "data") + ".context.paperclipWorkspace.worktreePath", definition={'type': ['string', 'null']}, rule='type')
                        if "agentHome" in data__context__paperclipWorkspace_keys:
                            data__context__paperclipWorkspace_keys.remove("agentHome")
                            data__context__paperclipWorkspace__agentHome = data__context__paperclipWorkspace["agentHome"]
                            if not isinstance(data__context__paperclipWorkspace__agentHome, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".context.paperclipWorkspace.agentHome must be string or null", value=data__context__paperclipWorkspace__agentHome, name="" + (name_prefix or "data") + ".context.paperclipWorkspace.agentHome", definition={'type': ['string', 'null']}, rule='type')
                if "paperclipWorkspaces" in data__context_keys:
                    data__context_keys.remove("paperclipWorkspaces")
                    data__context__paperclipWorkspaces = data__context["paperclipWorkspaces"]
        if "prompt" in data_keys:
            data_keys.remove("prompt")
            data__prompt = data["prompt"]
            if not isinstance(data__prompt, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".prompt must be string", value=data__prompt, name="" + (name_prefix or "data") + ".prompt", definition={'type': 'string', 'description': "The prompt, written to opencode's stdin. Or use --prompt-file."}, rule='type')
        if "paperclipApiUrl" in data_keys:
            data_keys.remove("paperclipApiUrl")
            data__paperclipApiUrl = data["paperclipApiUrl"]
            if not isinstance(data__paperclipApiUrl, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".paperclipApiUrl must be string", value=data__paperclipApiUrl, name="" + (name_prefix or "data") + ".paperclipApiUrl", definition={'type': 'string', 'minLength': 1}, rule='type')
            if isinstance(data__paperclipApiUrl, str):
                data__paperclipApiUrl_len = len(data__paperclipApiUrl)
                if data__paperclipApiUrl_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".paperclipApiUrl must be longer than or equal to 1 characters", value=data__paperclipApiUrl, name="" + (name_prefix or "data") + ".paperclipApiUrl", definition={'type': 'string', 'minLength': 1}, rule='minLength')
        if "authToken" in data_keys:
            data_keys.remove("authToken")
            data__authToken = data["authToken"]
            if not isinstance(data__authToken, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".authToken must be string", value=data__authToken, name="" + (name_prefix or "data") + ".authToken", definition={'type': 'string', 'minLength': 1, 'description': "The run's Paperclip API key (JWT). Goes only into the per-run Secret; redacted in dry-run output."}, rule='type')
            if isinstance(data__authToken, str):
                data__authToken_len = len(data__authToken)
                if data__authToken_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".authToken must be longer than or equal to 1 characters", value=data__authToken, name="" + (name_prefix or "data") + ".authToken", definition={'type': 'string', 'minLength': 1, 'description': "The run's Paperclip API key (JWT). Goes only into the per-run Secret; redacted in dry-run output."}, rule='minLength')
        if "env" in data_keys:
            data_keys.remove("env")
            data__env = data["env"]
            if not isinstance(data__env, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".env must be object", value=data__env, name="" + (name_prefix or "data") + ".env", definition={'type': 'object', 'description': 'More run variables to forward into the pod (e.g. PAPERCLIP_RUNTIME_TOOLS_*). Highest precedence; credential-looking names go through the per-run Secret.', 'propertyNames': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'additionalProperties': {'type': 'string'}}, rule='type')
            data__env_is_dict = isinstance(data__env, dict)
            if data__env_is_dict:
                data__env_keys = set(data__env.keys())
                for data__env_key in data__env_keys:
                    if data__env_key not in []:
                        data__env_value = data__env.get(data__env_key)
                        if not isinstance(data__env_value, (str)):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".env.{data__env_key}".format(**locals()) + " must be string", value=data__env_value, name="" + (name_prefix or "data") + ".env.{data__env_key}".format(**locals()) + "", definition={'type': 'string'}, rule='type')
                data__env_len = len(data__env)
                if data__env_len != 0:
                    data__env_property_names = True
                    for data__env_key in data__env:
                        try:
                            if not isinstance(data__env_key, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".env must be string", value=data__env_key, name="" + (name_prefix or "data") + ".env", definition={'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, rule='type')
                            if isinstance(data__env_key, str):
                                if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_]*$'].search(data__env_key):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".env must match pattern ^[A-Za-z_][A-Za-z0-9_]*$", value=data__env_key, name="" + (name_prefix or "data") + ".env", definition={'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, rule='pattern')
                        except (JsonSchemaValueException, JsonSchemaValuesException):
                            data__env_property_names = False
                    if not data__env_property_names:
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".env must be named by propertyName definition", value=data__env, name="" + (name_prefix or "data") + ".env", definition={'type': 'object', 'description': 'More run variables to forward into the pod (e.g. PAPERCLIP_RUNTIME_TOOLS_*). Highest precedence; credential-looking names go through the per-run Secret.', 'propertyNames': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'additionalProperties': {'type': 'string'}}, rule='propertyNames')
        if "opencodeConfig" in data_keys:
            data_keys.remove("opencodeConfig")
            data__opencodeConfig = data["opencodeConfig"]
            if not isinstance(data__opencodeConfig, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".opencodeConfig must be object", value=data__opencodeConfig, name="" + (name_prefix or "data") + ".opencodeConfig", definition={'type': 'object', 'description': "The OpenCode config Paperclip generated for the run (configured model registered, custom providers, small_model). Carried into the pod through the per-run Secret as OPENCODE_CONFIG_CONTENT, merged with kubeclip's permission bypass when dangerouslySkipPermissions."}, rule='type')
        if "scratchDirs" in data_keys:
            data_keys.remove("scratchDirs")
            data__scratchDirs = data["scratchDirs"]
            if not isinstance(data__scratchDirs, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".scratchDirs must be array", value=data__scratchDirs, name="" + (name_prefix or "data") + ".scratchDirs", definition={'type': 'array', 'maxItems': 8, 'description': "The run's scratch directories (Paperclip's PAPERCLIP_*SCRATCH_DIR, PAPERCLIP_TMPDIR): each is an empty pod-local directory at the same path, so paths in the prompt and env mean the same thing in the pod.", 'items': {'type': 'string', 'pattern': '^/[^\\u0000:]*$', 'maxLength': 1024}}, rule='type')
            data__scratchDirs_is_list = isinstance(data__scratchDirs, (list, tuple))
            if data__scratchDirs_is_list:
                data__scratchDirs_len = len(data__scratchDirs)
                if data__scratchDirs_len > 8:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".scratchDirs must contain less than or equal to 8 items", value=data__scratchDirs, name="" + (name_prefix or "data") + ".scratchDirs", definition={'type': 'array', 'maxItems': 8, 'description': "The run's scratch directories (Paperclip's PAPERCLIP_*SCRATCH_DIR, PAPERCLIP_TMPDIR): each is an empty pod-local directory at the same path, so paths in the prompt and env mean the same thing in the pod.", 'items': {'type': 'string', 'pattern': '^/[^\\u0000:]*$', 'maxLength': 1024}}, rule='maxItems')
                for data__scratchDirs_x, data__scratchDirs_item in enumerate(data__scratchDirs):
                    if not isinstance(data__scratchDirs_item, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".scratchDirs[{data__scratchDirs_x}]".format(**locals()) + " must be string", value=data__scratchDirs_item, name="" + (name_prefix or "data") + ".scratchDirs[{data__scratchDirs_x}]".format(**locals()) + "", definition={'type': 'string', 'pattern': '^/[^\\u0000:]*$', 'maxLength': 1024}, rule='type')
                    if isinstance(data__scratchDirs_item, str):
                        data__scratchDirs_item_len = len(data__scratchDirs_item)
                        if data__scratchDirs_item_len > 1024:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".scratchDirs[{data__scratchDirs_x}]".format(**locals()) + " must be shorter than or equal to 1024 characters", value=data__scratchDirs_item, name="" + (name_prefix or "data") + ".scratchDirs[{data__scratchDirs_x}]".format(**locals()) + "", definition={'type': 'string', 'pattern': '^/[^\\u0000:]*$', 'maxLength': 1024}, rule='maxLength')
                        if not REGEX_PATTERNS['^/[^\\u0000:]*$'].search(data__scratchDirs_item):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".scratchDirs[{data__scratchDirs_x}]".format(**locals()) + " must match pattern ^/[^\\u0000:]*$", value=data__scratchDirs_item, name="" + (name_prefix or "data") + ".scratchDirs[{data__scratchDirs_x}]".format(**locals()) + "", definition={'type': 'string', 'pattern': '^/[^\\u0000:]*$', 'maxLength': 1024}, rule='pattern')
        if "files" in data_keys:
            data_keys.remove("files")
            data__files = data["files"]
            if not isinstance(data__files, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".files must be array", value=data__files, name="" + (name_prefix or "data") + ".files", definition={'type': 'array', 'maxItems': 512, 'description': "Files the agent's CLI is given by path (an adapter's prompt bundle, instructions file, MCP config; symlinks followed): carried through the per-run Secret, never the Job spec, and copied when the pod starts to /tmp/kubeclip-files/<path>, where the argv names them. `credential` marks one whose content must be proven absent from every manifest and log.", 'items': {'type': 'object', 'additionalProperties': False, 'required': ['path', 'data'], 'properties': {'path': {'type': 'string', 'pattern': '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$', 'maxLength': 512}, 'data': {'type': 'string', 'description': "the file's bytes, base64", 'contentEncoding': 'base64'}, 'executable': {'type': 'boolean'}, 'credential': {'type': 'boolean'}}}}, rule='type')
            data__files_is_list = isinstance(data__files, (list, tuple))
            if data__files_is_list:
                data__files_len = len(data__files)
                if data__files_len > 512:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".files must contain less than or equal to 512 items", value=data__files, name="" + (name_prefix or "data") + ".files", definition={'type': 'array', 'maxItems': 512, 'description': "Files the agent's CLI is given by path (an adapter's prompt bundle, instructions file, MCP config; symlinks followed): carried through the per-run Secret, never the Job spec, and copied when the pod starts to /tmp/kubeclip-files/<path>, where the argv names them. `credential` marks one whose content must be proven absent from every manifest and log.", 'items': {'type': 'object', 'additionalProperties': False, 'required': ['path', 'data'], 'properties': {'path': {'type': 'string', 'pattern': '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$', 'maxLength': 512}, 'data': {'type': 'string', 'description': "the file's bytes, base64", 'contentEncoding': 'base64'}, 'executable': {'type': 'boolean'}, 'credential': {'type': 'boolean'}}}}, rule='maxItems')
                for data__files_x, data__files_item in enumerate(data__files):
                    if not isinstance(data__files_item, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".files[{data__files_x}]".format(**locals()) + " must be object", value=data__files_item, name="" + (name_prefix or "data") + ".files[{data__files_x}]".format(**locals()) + "", definition={'type': 'object', 'additionalProperties': False, 'required': ['path', 'data'], 'properties': {'path': {'type': 'string', 'pattern': '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$', 'maxLength': 512}, 'data': {'type': 'string', 'description': "the file's bytes, base64", 'contentEncoding': 'base64'}, 'executable': {'type': 'boolean'}, 'credential': {'type': 'boolean'}}}, rule='type')
                    data__files_item_is_dict = isinstance(data__files_item, dict)
                    if data__files_item_is_dict:
                        data__files_item__missing_keys = set(['path', 'data']) - data__files_item.keys()
                        if data__files_item__missing_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".files[{data__files_x}]".format(**locals()) + " must contain " + (str(sorted(data__files_item__missing_keys)) + " properties"), value=data__files_item, name="" + (name_prefix or "data") + ".files[{data__files_x}]".format(**locals()) + "", definition={'type': 'object', 'additionalProperties': False, 'required': ['path', 'data'], 'properties': {'path': {'type': 'string', 'pattern': '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$', 'maxLength': 512}, 'data': {'type': 'string', 'description': "the file's bytes, base64", 'contentEncoding': 'base64'}, 'executable': {'type': 'boolean'}, 'credential': {'type': 'boolean'}}}, rule='required')
                        data__files_item_keys = set(data__files_item.keys())
                        if "path" in data__files_item_keys:
                            data__files_item_keys.remove("path")
                            data__files_item__path = data__files_item["path"]
                            if not isinstance(data__files_item__path, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".files[{data__files_x}].path".format(**locals()) + " must be string", value=data__files_item__path, name="" + (name_prefix or "data") + ".files[{data__files_x}].path".format(**locals()) + "", definition={'type': 'string', 'pattern': '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$', 'maxLength': 512}, rule='type')
                            if isinstance(data__files_item__path, str):
                                data__files_item__path_len = len(data__files_item__path)
                                if data__files_item__path_len > 512:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".files[{data__files_x}].path".format(**locals()) + " must be shorter than or equal to 512 characters", value=data__files_item__path, name="" + (name_prefix or "data") + ".files[{data__files_x}].path".format(**locals()) + "", definition={'type': 'string', 'pattern': '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$', 'maxLength': 512}, rule='maxLength')
                                if not REGEX_PATTERNS['^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$'].search(data__files_item__path):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".files[{data__files_x}].path".format(**locals()) + " must match pattern ^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$", value=data__files_item__path, name="" + (name_prefix or "data") + ".files[{data__files_x}].path".format(**locals()) + "", definition={'type': 'string', 'pattern': '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$', 'maxLength': 512}, rule='pattern')
                        if "data" in data__files_item_keys:
                            data__files_item_keys.remove("data")
                            data__files_item__data = data__files_item["data"]
                            if not isinstance(data__files_item__data, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".files[{data__files_x}].data".format(**locals()) + " must be string", value=data__files_item__data, name="" + (name_prefix or "data") + ".files[{data__files_x}].data".format(**locals()) + "", definition={'type': 'string', 'description': "the file's bytes, base64", 'contentEncoding': 'base64'}, rule='type')
                            if isinstance(data__files_item__data, str):
                                try:
                                    import base64
                                    data__files_item__data = base64.b64decode(data__files_item__data)
                                except Exception:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".files[{data__files_x}].data".format(**locals()) + " must be encoded by base64", value=data__files_item__data, name="" + (name_prefix or "data") + ".files[{data__files_x}].data".format(**locals()) + "", definition={'type': 'string', 'description': "the file's bytes, base64", 'contentEncoding': 'base64'}, rule=None)
                                if data__files_item__data == "":
                                    raise JsonSchemaValueException("contentEncoding must be base64", value=data__files_item__data, name="" + (name_prefix or "data") + ".files[{data__files_x}].data".format(**locals()) + "", definition={'type': 'string', 'description': "the file's bytes, base64", 'contentEncoding': 'base64'}, rule=None)
                        if "executable" in data__files_item_keys:
                            data__files_item_keys.remove("executable")
                            data__files_item__executable = data__files_item["executable"]
                            if not isinstance(data__files_item__executable, (bool)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".files[{data__files_x}].executable".format(**locals()) + " must be boolean", value=data__files_item__executable, name="" + (name_prefix or "data") + ".files[{data__files_x}].executable".format(**locals()) + "", definition={'type': 'boolean'}, rule='type')
                        if "credential" in data__files_item_keys:
                            data__files_item_keys.remove("credential")
                            data__files_item__credential = data__files_item["credential"]
                            if not isinstance(data__files_item__credential, (bool)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".files[{data__files_x}].credential".format(**locals()) + " must be boolean", value=data__files_item__credential, name="" + (name_prefix or "data") + ".files[{data__files_x}].credential".format(**locals()) + "", definition={'type': 'boolean'}, rule='type')
                        if data__files_item_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".files[{data__files_x}]".format(**locals()) + " must not contain "+str(data__files_item_keys)+" properties", value=data__files_item, name="" + (name_prefix or "data") + ".files[{data__files_x}]".format(**locals()) + "", definition={'type': 'object', 'additionalProperties': False, 'required': ['path', 'data'], 'properties': {'path': {'type': 'string', 'pattern': '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$', 'maxLength': 512}, 'data': {'type': 'string', 'description': "the file's bytes, base64", 'contentEncoding': 'base64'}, 'executable': {'type': 'boolean'}, 'credential': {'type': 'boolean'}}}, rule='additionalProperties')
        if "agentEnv" in data_keys:
            data_keys.remove("agentEnv")
            data__agentEnv = data["agentEnv"]
            if not isinstance(data__agentEnv, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".agentEnv must be object", value=data__agentEnv, name="" + (name_prefix or "data") + ".agentEnv", definition={'type': 'object', 'description': "The agent's own env from Paperclip (its adapterConfig env: provider keys, feature flags, resolved secrets) and other run variables whose values must not be read from the Job spec. Every value goes through the per-run Secret; the Job shows only the names.", 'propertyNames': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'additionalProperties': {'type': 'string'}}, rule='type')
            data__agentEnv_is_dict = isinstance(data__agentEnv, dict)
            if data__agentEnv_is_dict:
                data__agentEnv_keys = set(data__agentEnv.keys())
                for data__agentEnv_key in data__agentEnv_keys:
                    if data__agentEnv_key not in []:
                        data__agentEnv_value = data__agentEnv.get(data__agentEnv_key)
                        if not isinstance(data__agentEnv_value, (str)):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".agentEnv.{data__agentEnv_key}".format(**locals()) + " must be string", value=data__agentEnv_value, name="" + (name_prefix or "data") + ".agentEnv.{data__agentEnv_key}".format(**locals()) + "", definition={'type': 'string'}, rule='type')
                data__agentEnv_len = len(data__agentEnv)
                if data__agentEnv_len != 0:
                    data__agentEnv_property_names = True
                    for data__agentEnv_key in data__agentEnv:
                        try:
                            if not isinstance(data__agentEnv_key, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".agentEnv must be string", value=data__agentEnv_key, name="" + (name_prefix or "data") + ".agentEnv", definition={'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, rule='type')
                            if isinstance(data__agentEnv_key, str):
                                if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_]*$'].search(data__agentEnv_key):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".agentEnv must match pattern ^[A-Za-z_][A-Za-z0-9_]*$", value=data__agentEnv_key, name="" + (name_prefix or "data") + ".agentEnv", definition={'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, rule='pattern')
                        except (JsonSchemaValueException, JsonSchemaValuesException):
                            data__agentEnv_property_names = False
                    if not data__agentEnv_property_names:
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".agentEnv must be named by propertyName definition", value=data__agentEnv, name="" + (name_prefix or "data") + ".agentEnv", definition={'type': 'object', 'description': "The agent's own env from Paperclip (its adapterConfig env: provider keys, feature flags, resolved secrets) and other run variables whose values must not be read from the Job spec. Every value goes through the per-run Secret; the Job shows only the names.", 'propertyNames': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'additionalProperties': {'type': 'string'}}, rule='propertyNames')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'https://json-schema.org/draft/2020-12/schema', '$id': 'https://kubeclip.dev/schema/run-context.schema.json', 'title': 'kubeclip run context', 'description': "One Paperclip run: who runs, on what, with which prompt. Mirrors the execute() context of Paperclip's adapter contract. `context` is Paperclip's own bag and may carry more keys.", 'type': 'object', 'additionalProperties': False, 'required': ['runId', 'agent'], 'properties': {'runId': {'type': 'string', 'minLength': 1, 'maxLength': 256}, 'agent': {'type': 'object', 'additionalProperties': False, 'required': ['id', 'companyId'], 'properties': {'id': {'type': 'string', 'minLength': 1, 'maxLength': 256}, 'companyId': {'type': 'string', 'minLength': 1, 'maxLength': 256}, 'name': {'type': 'string'}}}, 'runtime': {'type': 'object', 'additionalProperties': False, 'properties': {'sessionId': {'type': ['string', 'null']}, 'sessionDisplayId': {'type': ['string', 'null']}, 'taskKey': {'type': ['string', 'null']}, 'sessionParams': {'type': ['object', 'null'], 'properties': {'sessionId': {'type': ['string', 'null']}, 'cwd': {'type': ['string', 'null']}, 'workspaceId': {'type': ['string', 'null']}, 'repoUrl': {'type': ['string', 'null']}, 'repoRef': {'type': ['string', 'null']}}}}}, 'context': {'type': 'object', 'properties': {'taskId': {'type': ['string', 'null']}, 'issueId': {'type': ['string', 'null']}, 'wakeReason': {'type': ['string', 'null']}, 'wakeCommentId': {'type': ['string', 'null']}, 'approvalId': {'type': ['string', 'null']}, 'approvalStatus': {'type': ['string', 'null']}, 'issueIds': {'type': ['array', 'null'], 'items': {'type': 'string'}}, 'paperclipWake': {}, 'paperclipWorkspace': {'type': ['object', 'null'], 'properties': {'cwd': {'type': ['string', 'null'], 'pattern': '^/', 'x-kubeclip-kind': 'absPath'}, 'source': {'type': ['string', 'null']}, 'strategy': {'type': ['string', 'null']}, 'workspaceId': {'type': ['string', 'null']}, 'repoUrl': {'type': ['string', 'null']}, 'repoRef': {'type': ['string', 'null']}, 'branchName': {'type': ['string', 'null']}, 'worktreePath': {'type': ['string', 'null']}, 'agentHome': {'type': ['string', 'null']}}}, 'paperclipWorkspaces': {}}}, 'prompt': {'type': 'string', 'description': "The prompt, written to opencode's stdin. Or use --prompt-file."}, 'paperclipApiUrl': {'type': 'string', 'minLength': 1}, 'authToken': {'type': 'string', 'minLength': 1, 'description': "The run's Paperclip API key (JWT). Goes only into the per-run Secret; redacted in dry-run output."}, 'env': {'type': 'object', 'description': 'More run variables to forward into the pod (e.g. PAPERCLIP_RUNTIME_TOOLS_*). Highest precedence; credential-looking names go through the per-run Secret.', 'propertyNames': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'additionalProperties': {'type': 'string'}}, 'opencodeConfig': {'type': 'object', 'description': "The OpenCode config Paperclip generated for the run (configured model registered, custom providers, small_model). Carried into the pod through the per-run Secret as OPENCODE_CONFIG_CONTENT, merged with kubeclip's permission bypass when dangerouslySkipPermissions."}, 'scratchDirs': {'type': 'array', 'maxItems': 8, 'description': "The run's scratch directories (Paperclip's PAPERCLIP_*SCRATCH_DIR, PAPERCLIP_TMPDIR): each is an empty pod-local directory at the same path, so paths in the prompt and env mean the same thing in the pod.", 'items': {'type': 'string', 'pattern': '^/[^\\u0000:]*$', 'maxLength': 1024}}, 'files': {'type': 'array', 'maxItems': 512, 'description': "Files the agent's CLI is given by path (an adapter's prompt bundle, instructions file, MCP config; symlinks followed): carried through the per-run Secret, never the Job spec, and copied when the pod starts to /tmp/kubeclip-files/<path>, where the argv names them. `credential` marks one whose content must be proven absent from every manifest and log.", 'items': {'type': 'object', 'additionalProperties': False, 'required': ['path', 'data'], 'properties': {'path': {'type': 'string', 'pattern': '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$', 'maxLength': 512}, 'data': {'type': 'string', 'description': "the file's bytes, base64", 'contentEncoding': 'base64'}, 'executable': {'type': 'boolean'}, 'credential': {'type': 'boolean'}}}}, 'agentEnv': {'type': 'object', 'description': "The agent's own env from Paperclip (its adapterConfig env: provider keys, feature flags, resolved secrets) and other run variables whose values must not be read from the Job spec. Every value goes through the per-run Secret; the Job shows only the names.", 'propertyNames': {'type': 'string', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'x-kubeclip-kind': 'envName'}, 'additionalProperties': {'type': 'string'}}}, '$defs': {'id': {'type': 'string', 'minLength': 1, 'maxLength': 256}}}, rule='additionalProperties')
    return data

def validate_https___kubeclip_dev_schema_run_context_schema_json___defs_id(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (str)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be string", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'minLength': 1, 'maxLength': 256}, rule='type')
    if isinstance(data, str):
        data_len = len(data)
        if data_len < 1:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must be longer than or equal to 1 characters", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'minLength': 1, 'maxLength': 256}, rule='minLength')
        if data_len > 256:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must be shorter than or equal to 256 characters", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'string', 'minLength': 1, 'maxLength': 256}, rule='maxLength')
    return data

validate = validate_https___kubeclip_dev_schema_run_context_schema_json
