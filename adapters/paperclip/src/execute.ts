// execute(ctx): the run, prepared exactly as Paperclip's opencode_local prepares a local
// OpenCode run (same helpers from @paperclipai/adapter-utils, same prompt, env, argv, session
// rule, result), then run by `kubeclip serve` as a Kubernetes Job instead of a local process.
// The agent's output reaches onLog as it arrives; a cancel (ctx.signal) or the timeout deletes
// the Job; OpenCode's output is parsed by opencode_local's own parser.
import fs from "node:fs";
import path from "node:path";
import { inferOpenAiCompatibleBiller } from "@paperclipai/adapter-utils";
import type { AdapterExecutionContext, AdapterExecutionResult } from "@paperclipai/adapter-utils";
import {
  asNumber, asString, asStringArray, buildPaperclipEnv, buildRuntimeToolsEnv,
  DEFAULT_PAPERCLIP_AGENT_PROMPT_TEMPLATE, DEFAULT_PAPERCLIP_CONVERSATION_PROMPT_TEMPLATE,
  ensureAbsoluteDirectory, ensurePathInEnv, isPaperclipRecoveryWakePayload, joinPromptSections,
  parseObject, readPaperclipIssueWorkModeFromContext, refreshPaperclipWorkspaceEnvForExecution,
  renderPaperclipWakePrompt, renderTemplate, selectPaperclipTaskMarkdown,
  stringifyPaperclipWakePayload,
} from "@paperclipai/adapter-utils/server-utils";
import { parseOpenCodeJsonl } from "@paperclipai/adapter-opencode-local/server";
import { kubeclipConfig } from "./config.js";
import { runtimeOpenCodeConfig } from "./opencode-config.js";
import { runOnServe, type ServeRun } from "./run.js";
import { socketPath } from "./serve.js";

export const ADAPTER_TYPE = "opencode_k8s";

// kubeclip's rules for what the real OpenCode prints (kubeclip/paperclip/opencode.py; the
// patterns are the same strings, tests/test_adapter_package.py holds them equal). Where they
// differ from opencode_local's: ANSI codes are taken out of the message, and an unknown
// session is read from stderr lines and error events only, never from "NotFoundError" alone
// (which also matches ProviderModelNotFoundError: a wrong model is not a lost session).
const UNKNOWN_SESSION = new RegExp(String.raw`unknown\s+session|session\b.*\bnot\s+found|no\s+session\s+found|invalid\s+session|session\b.*\b(does\s+not|doesn't)\s+exist|resource\s+not\s+found:.*[\\/]session[\\/].*\.json`, "i");
const ANSI = new RegExp(String.raw`\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])`, "g");

function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

function firstNonEmptyLine(text: string): string {
  return text.split(/\r?\n/).map((line) => stripAnsi(line).trim()).find(Boolean) ?? "";
}

function saysUnknownSession(stdout: string, stderr: string): boolean {
  const errors = parseOpenCodeJsonl(stdout).errorMessage ?? "";
  return [...stderr.split(/\r?\n/), ...errors.split("\n")]
    .some((line) => UNKNOWN_SESSION.test(stripAnsi(line)));
}

function providerOf(model: string | null): string | null {
  if (!model || !model.includes("/")) return null;
  return model.slice(0, model.indexOf("/")).trim() || null;
}

function isTruthyEnvFlag(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v === "true" || v === "1" || v === "yes";
}

function trimmed(value: unknown): string | null {
  return typeof value === "string" && value.trim().length > 0 ? value.trim() : null;
}

/** The run's environment, as opencode_local builds it for its child. */
async function runEnv(ctx: AdapterExecutionContext, cwdInfo: Workspace): Promise<Record<string, string>> {
  const { agent, context, runId, config, authToken } = ctx;
  const env: Record<string, string> = {
    ...buildPaperclipEnv(agent),
    ...buildRuntimeToolsEnv((ctx as { runtimeTools?: never }).runtimeTools),
  };
  env.PAPERCLIP_RUN_ID = runId;
  const task = trimmed(context.taskId) ?? trimmed(context.issueId);
  const wakeReason = trimmed(context.wakeReason);
  const comment = trimmed(context.wakeCommentId) ?? trimmed(context.commentId);
  const approvalId = trimmed(context.approvalId);
  const approvalStatus = trimmed(context.approvalStatus);
  const linked = Array.isArray(context.issueIds)
    ? context.issueIds.filter((v): v is string => typeof v === "string" && v.trim().length > 0)
    : [];
  const wakePayload = stringifyPaperclipWakePayload(context.paperclipWake);
  const workMode = readPaperclipIssueWorkModeFromContext(context);
  if (task) env.PAPERCLIP_TASK_ID = task;
  if (workMode) env.PAPERCLIP_ISSUE_WORK_MODE = workMode;
  if (wakeReason) env.PAPERCLIP_WAKE_REASON = wakeReason;
  if (comment) env.PAPERCLIP_WAKE_COMMENT_ID = comment;
  if (approvalId) env.PAPERCLIP_APPROVAL_ID = approvalId;
  if (approvalStatus) env.PAPERCLIP_APPROVAL_STATUS = approvalStatus;
  if (linked.length > 0) env.PAPERCLIP_LINKED_ISSUE_IDS = linked.join(",");
  if (wakePayload) env.PAPERCLIP_WAKE_PAYLOAD_JSON = wakePayload;
  refreshPaperclipWorkspaceEnvForExecution({
    env, envConfig: parseObject(config.env), workspaceCwd: cwdInfo.effectiveWorkspaceCwd,
    workspaceSource: cwdInfo.source, workspaceId: cwdInfo.workspaceId,
    workspaceRepoUrl: cwdInfo.repoUrl, workspaceRepoRef: cwdInfo.repoRef,
    workspaceHints: cwdInfo.hints, agentHome: cwdInfo.agentHome,
    executionTargetIsRemote: false, executionCwd: cwdInfo.cwd,
  } as Parameters<typeof refreshPaperclipWorkspaceEnvForExecution>[0]);
  env.OPENCODE_DISABLE_PROJECT_CONFIG = "true";
  if (authToken) env.PAPERCLIP_API_KEY = authToken;
  return env;
}

interface Workspace {
  cwd: string;
  effectiveWorkspaceCwd: string;
  source: string;
  workspaceId: string;
  repoUrl: string;
  repoRef: string;
  agentHome: string;
  hints: Record<string, unknown>[];
}

function workspace(ctx: AdapterExecutionContext): Workspace {
  const ws = parseObject(ctx.context.paperclipWorkspace);
  const workspaceCwd = asString(ws.cwd, "");
  const source = asString(ws.source, "");
  const configuredCwd = asString(ctx.config.cwd, "");
  const effectiveWorkspaceCwd = source === "agent_home" && configuredCwd ? "" : workspaceCwd;
  return {
    cwd: effectiveWorkspaceCwd || configuredCwd || process.cwd(),
    effectiveWorkspaceCwd, source,
    workspaceId: asString(ws.workspaceId, ""),
    repoUrl: asString(ws.repoUrl, ""),
    repoRef: asString(ws.repoRef, ""),
    agentHome: asString(ws.agentHome, ""),
    hints: Array.isArray(ctx.context.paperclipWorkspaces)
      ? ctx.context.paperclipWorkspaces.filter(
          (v): v is Record<string, unknown> => typeof v === "object" && v !== null)
      : [],
  };
}

async function instructions(ctx: AdapterExecutionContext, cwd: string): Promise<string> {
  const file = asString(ctx.config.instructionsFilePath, "").trim();
  if (!file) return "";
  const resolved = path.resolve(cwd, file);
  try {
    const contents = await fs.promises.readFile(resolved, "utf8");
    return `${contents}\n\nThe above agent instructions were loaded from ${resolved}. ` +
      `Resolve any relative file references from ${path.dirname(resolved)}/.\n\n`;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    await ctx.onLog("stdout",
      `[paperclip] Warning: could not read agent instructions file "${resolved}": ${reason}\n`);
    return "";
  }
}

function prompt(ctx: AdapterExecutionContext, sessionId: string | null, prefix: string): string {
  const { agent, runId, config, context } = ctx;
  const conversation = context.conversationMode === true;
  const template = asString(config.promptTemplate, conversation
    ? DEFAULT_PAPERCLIP_CONVERSATION_PROMPT_TEMPLATE : DEFAULT_PAPERCLIP_AGENT_PROMPT_TEMPLATE);
  const data = {
    agentId: agent.id, companyId: agent.companyId, runId, company: { id: agent.companyId },
    agent, run: { id: runId, source: "on_demand" }, context,
  };
  const bootstrap = asString(config.bootstrapPromptTemplate, "");
  const renderedBootstrap = !sessionId && bootstrap.trim() ? renderTemplate(bootstrap, data).trim() : "";
  const taskNote = conversation ? selectPaperclipTaskMarkdown(context, { resumedSession: Boolean(sessionId) }) : "";
  const wake = renderPaperclipWakePrompt(context.paperclipWake, {
    conversationMode: conversation, resumedSession: Boolean(sessionId),
    suppressIssueDescription: taskNote.length > 0,
  });
  const deltaOnly = Boolean(sessionId) && wake.length > 0;
  const rendered = deltaOnly || isPaperclipRecoveryWakePayload(context.paperclipWake)
    ? "" : renderTemplate(template, data);
  const handoff = asString(context.paperclipSessionHandoffMarkdown, "").trim();
  return joinPromptSections([prefix, renderedBootstrap, wake, taskNote, handoff, rendered]);
}

/** The form writes lists and the agent's env as text: read them as opencode_local's config. */
function asAdapterConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out = { ...config };
  if (typeof out.env === "string") {
    out.env = Object.fromEntries(out.env.split("\n").map((l) => l.trim()).filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf("=") < 0 ? l.length : l.indexOf("=")).trim(),
        l.indexOf("=") < 0 ? "" : l.slice(l.indexOf("=") + 1).trim()]));
  }
  for (const key of ["extraArgs", "args"]) {
    if (typeof out[key] === "string") {
      out[key] = (out[key] as string).split("\n").map((l) => l.trim()).filter(Boolean);
    }
  }
  return out;
}

export async function execute(input: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const ctx = { ...input, config: asAdapterConfig(input.config) };
  const { runtime, config, onLog, onMeta } = ctx;
  const ws = workspace(ctx);
  await ensureAbsoluteDirectory(ws.cwd, { createIfMissing: true });
  const env = await runEnv(ctx, ws);
  const model = asString(config.model, "").trim();
  const variant = asString(config.variant, "").trim();
  const opencode = await runtimeOpenCodeConfig(env, config);
  const runtimeEnv = Object.fromEntries(Object.entries(ensurePathInEnv({ ...process.env, ...env }))
    .filter((e): e is [string, string] => typeof e[1] === "string"));
  const timeoutSec = asNumber(config.timeoutSec, 0);
  const graceSec = asNumber(config.graceSec, 20);
  const fromExtra = asStringArray(config.extraArgs);
  const extraArgs = fromExtra.length > 0 ? fromExtra : asStringArray(config.args);

  const params = parseObject(runtime.sessionParams);
  const storedId = asString(params.sessionId, runtime.sessionId ?? "");
  const storedCwd = asString(params.cwd, "");
  const canResume = storedId.length > 0 &&
    (storedCwd.length === 0 || path.resolve(storedCwd) === path.resolve(ws.cwd));
  const sessionId = canResume ? storedId : null;
  if (storedId && !canResume) {
    await onLog("stdout", `[paperclip] OpenCode session "${storedId}" was saved for cwd ` +
      `"${storedCwd}" and will not be resumed in "${ws.cwd}".\n`);
  }
  const text = prompt(ctx, sessionId, await instructions(ctx, ws.cwd));
  const printLogs = isTruthyEnvFlag(env.PAPERCLIP_OPENCODE_PRINT_LOGS ?? process.env.PAPERCLIP_OPENCODE_PRINT_LOGS);
  const args = (resume: string | null) => [
    "run", "--format", "json", ...(printLogs ? ["--print-logs"] : []),
    ...(resume ? ["--session", resume] : []), ...(model ? ["--model", model] : []),
    ...(variant ? ["--variant", variant] : []), ...extraArgs,
  ];
  const socket = socketPath(asString(config.serveSocket, "") || undefined);

  const attempt = async (resume: string | null): Promise<ServeRun> => {
    const argv = args(resume);
    await onMeta?.({
      adapterType: ADAPTER_TYPE, command: `kubeclip serve (${socket})`, cwd: ws.cwd,
      commandNotes: opencode.notes, commandArgs: [...argv, `<stdin prompt ${text.length} chars>`],
      prompt: text, context: ctx.context,
    } as Parameters<NonNullable<typeof onMeta>>[0]);
    return runOnServe(socket, {
      args: argv, env: { ...env, KUBECLIP_CONFIG: "adapter-config.json" },
      added: Object.keys(env).sort(), cwd: ws.cwd, prompt: text,
      localPaths: Object.values(env).filter((v) => v.startsWith("/") && fs.existsSync(v)),
      files: {
        config: { path: "adapter-config.json", data: latin1(JSON.stringify(kubeclipConfig(config))) },
        pod: null,
        opencode: opencode.json === null ? null
          : { path: "opencode/opencode.json", data: latin1(opencode.json) },
      },
    }, { onLog, signal: ctx.signal, timeoutSec, graceSec });
  };

  const toResult = (run: ServeRun, clearOnMissing = false): AdapterExecutionResult => {
    if (run.timedOut) {
      return { exitCode: run.exitCode, signal: run.signal, timedOut: true,
        errorMessage: `Timed out after ${timeoutSec}s`, clearSession: clearOnMissing };
    }
    const parsed = parseOpenCodeJsonl(run.stdout);
    // as opencode_local: a stored id of "" stays "" (?? keeps it), only a missing one is null
    const resolvedId = parsed.sessionId ?? (clearOnMissing ? null : storedId ?? runtime.sessionId ?? null);
    const sessionParams = resolvedId ? {
      sessionId: resolvedId, cwd: ws.cwd,
      ...(ws.workspaceId ? { workspaceId: ws.workspaceId } : {}),
      ...(ws.repoUrl ? { repoUrl: ws.repoUrl } : {}),
      ...(ws.repoRef ? { repoRef: ws.repoRef } : {}),
    } : null;
    const parsedError = typeof parsed.errorMessage === "string" ? stripAnsi(parsed.errorMessage).trim() : "";
    const exitCode = parsedError && (run.exitCode ?? 0) === 0 ? 1 : run.exitCode;
    const fallback = parsedError || firstNonEmptyLine(run.stderr) || `OpenCode exited with code ${exitCode ?? -1}`;
    const modelId = model || null;
    return {
      exitCode, signal: run.signal, timedOut: false,
      errorMessage: (exitCode ?? 0) === 0 ? null : fallback, errorCode: null,
      usage: { inputTokens: parsed.usage.inputTokens, outputTokens: parsed.usage.outputTokens,
        cachedInputTokens: parsed.usage.cachedInputTokens },
      sessionId: resolvedId, sessionParams, sessionDisplayId: resolvedId,
      provider: providerOf(modelId),
      biller: inferOpenAiCompatibleBiller(runtimeEnv, null) ?? providerOf(modelId) ?? "unknown",
      model: modelId, billingType: "unknown", costUsd: parsed.costUsd,
      resultJson: { stdout: run.stdout, stderr: run.stderr },
      summary: parsed.summary,
      clearSession: Boolean(clearOnMissing && !parsed.sessionId),
    } as AdapterExecutionResult;
  };

  const initial = await attempt(sessionId);
  const parsedInitial = parseOpenCodeJsonl(initial.stdout);
  const failed = !initial.timedOut && ((initial.exitCode ?? 0) !== 0 || Boolean(parsedInitial.errorMessage));
  if (sessionId && failed && saysUnknownSession(initial.stdout, initial.stderr)) {
    await onLog("stdout", `[paperclip] OpenCode session "${sessionId}" is unavailable; retrying with a fresh session.\n`);
    return toResult(await attempt(null), true);
  }
  return toResult(initial);
}

/** serve reads a file's bytes as latin-1 text (kubeclip/paperclip/invocation.py). */
function latin1(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}
