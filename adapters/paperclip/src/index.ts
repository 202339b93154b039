// @kubeclip/paperclip-adapter: the `opencode_k8s` adapter. Paperclip's adapter manager loads
// this package and calls createServerAdapter(); every run of an agent of this type is a
// Kubernetes Job run by `kubeclip serve` (the chart's sidecar), so the Paperclip container
// needs neither Python nor Kubernetes credentials.
import type {
  AdapterConfigSchema, AdapterEnvironmentTestContext, AdapterEnvironmentTestResult,
  AdapterModel, ConfigFieldSchema, ServerAdapterModule,
} from "@paperclipai/adapter-utils";
import { sessionCodec } from "@paperclipai/adapter-opencode-local/server";
import { kubeclipConfig } from "./config.js";
import { ADAPTER_TYPE, execute } from "./execute.js";
import { KUBECLIP_FIELDS } from "./generated/config-schema.js";
import { ask, CHECK, socketPath } from "./serve.js";

const OPENCODE_FIELDS: ConfigFieldSchema[] = [
  { key: "model", label: "Model", type: "text", required: true, group: "OpenCode",
    hint: "provider/model, e.g. anthropic/claude-sonnet-4-5 (passed as --model)" },
  { key: "variant", label: "Variant", type: "text", group: "OpenCode",
    hint: "OpenCode's --variant (e.g. high)" },
  { key: "promptTemplate", label: "Prompt template", type: "textarea", group: "OpenCode",
    hint: "Paperclip's prompt template ({{agent.name}}, {{context.…}}); default: Paperclip's" },
  { key: "instructionsFilePath", label: "Instructions file", type: "text", group: "OpenCode",
    hint: "a file on the shared claim prepended to the prompt" },
  { key: "cwd", label: "Working directory", type: "text", group: "OpenCode",
    hint: "used when the workspace is the agent's home; on the shared claim (/paperclip/…)" },
  { key: "extraArgs", label: "Extra arguments", type: "textarea", group: "OpenCode",
    hint: "one argument per line, appended to `opencode run`" },
  { key: "env", label: "Agent environment", type: "textarea", group: "OpenCode",
    hint: "KEY=value lines (provider keys, flags): every value reaches the pod through the " +
      "run's Secret, never the Job spec" },
  { key: "serveSocket", label: "kubeclip serve socket", type: "text", group: "Kubernetes (kubeclip)",
    hint: "default: $KUBECLIP_SERVE_SOCKET (the chart's sidecar sets it)" },
];

async function testEnvironment(ctx: AdapterEnvironmentTestContext): Promise<AdapterEnvironmentTestResult> {
  const config = (ctx.config ?? {}) as Record<string, unknown>;
  const socket = socketPath(typeof config.serveSocket === "string" ? config.serveSocket : undefined);
  const testedAt = new Date().toISOString();
  try {
    const report = (await ask(socket, CHECK, { config: kubeclipConfig(config) })) as {
      status: AdapterEnvironmentTestResult["status"];
      checks: AdapterEnvironmentTestResult["checks"];
    };
    return { adapterType: ADAPTER_TYPE, status: report.status, checks: report.checks, testedAt };
  } catch (err) {
    return {
      adapterType: ADAPTER_TYPE, status: "fail", testedAt,
      checks: [{
        code: "serve_reachable", level: "error",
        message: err instanceof Error ? err.message : String(err),
        hint: "run kubeclip serve beside Paperclip: the chart's paperclipPatch.serveSidecar",
      }],
    };
  }
}

async function listModels(): Promise<AdapterModel[]> {
  const listed = (process.env.KUBECLIP_MODELS ?? "").split(",").map((m) => m.trim()).filter(Boolean);
  return listed.map((id) => ({ id, label: id }));
}

export function createServerAdapter(): ServerAdapterModule {
  return {
    type: ADAPTER_TYPE,
    execute,
    testEnvironment,
    sessionCodec,
    supportsLocalAgentJwt: true,
    listModels,
    getConfigSchema: (): AdapterConfigSchema => ({ fields: [...OPENCODE_FIELDS, ...KUBECLIP_FIELDS] }),
    agentConfigurationDoc:
      "OpenCode in a Kubernetes Job per run (kubeclip). Set the model; the Kubernetes fields are " +
      "kubeclip's agent config (its README). Needs `kubeclip serve` beside Paperclip.",
  };
}

export { execute, kubeclipConfig, testEnvironment };
