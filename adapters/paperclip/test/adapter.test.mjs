// The opencode_k8s adapter against a scripted `kubeclip serve` (a Unix socket speaking serve's
// frames): what it sends, what Paperclip gets back. The adapter against the real serve and a
// real control plane, case by case equal to opencode_local, is tests/test_paperclip_contract.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createServerAdapter } from "../dist/index.js";
import { frame, FrameReader } from "../dist/serve.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const transcripts = path.resolve(here, "../../../tests/transcripts");
const success = fs.readFileSync(path.join(transcripts, "success.jsonl"));
const unknown = fs.readFileSync(path.join(transcripts, "unknown-session.jsonl"));
const adapter = createServerAdapter();

/** A scripted serve: `script(request, conn, reader)` answers each connection. */
async function scriptedServe(script) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeclip-adapter-test-"));
  const socket = path.join(dir, "serve.sock");
  const requests = [];
  const server = net.createServer(async (conn) => {
    const reader = new FrameReader(conn);
    const first = await reader.read();
    if (!first) return;
    const request = JSON.parse(first[1].toString("utf8"));
    requests.push({ kind: first[0], request });
    await script(first[0], request, conn, reader, requests.length);
  });
  await new Promise((resolve) => server.listen(socket, resolve));
  return { socket, requests, close: () => server.close() };
}

function context(socket, overrides = {}) {
  const logs = { stdout: "", stderr: "" };
  return {
    logs,
    ctx: {
      runId: "run-7", agent: { id: "agent-1", companyId: "co-1", name: "Coder",
        adapterType: "opencode_k8s", adapterConfig: {} },
      runtime: {}, authToken: "pcp_run_token",
      config: { model: "openai/gpt-5", serveSocket: socket, promptTemplate: "Fix {{context.taskId}}.",
        "resources.requests.cpu": "250m", timeoutSec: "600", nodeSelector: "pool=agents",
        jobEnv: "PAPERCLIP_API_URL=http://paperclip.svc:3100",
        env: { OPENROUTER_API_KEY: "or-123" }, ...overrides.config },
      context: { taskId: "ISS-7", paperclipWorkspace: { cwd: fs.mkdtempSync(path.join(os.tmpdir(), "ws-")), source: "project_primary" } },
      onLog: async (stream, chunk) => { logs[stream] += chunk; },
      onMeta: async () => {},
      ...overrides.ctx,
    },
  };
}

test("a run is sent to serve as opencode_local would start it, and its output streams back", async () => {
  const serve = await scriptedServe(async (kind, request, conn) => {
    // the transcript in odd chunks, one of them cutting a UTF-8 character in two
    const bytes = Buffer.concat([success, Buffer.from("✓\n")]);
    for (let at = 0; at < bytes.length; at += 7) conn.write(frame("O", bytes.subarray(at, at + 7)));
    conn.write(frame("E", "a warning\n"));
    conn.end(frame("X", "0"));
  });
  const { ctx, logs } = context(serve.socket);
  const result = await adapter.execute(ctx);
  serve.close();
  const { invocation } = serve.requests[0].request;
  assert.deepEqual(invocation.args, ["run", "--format", "json", "--model", "openai/gpt-5"]);
  assert.equal(invocation.prompt, "Fix ISS-7.");
  assert.equal(invocation.env.PAPERCLIP_API_KEY, "pcp_run_token");
  assert.equal(invocation.env.OPENROUTER_API_KEY, "or-123");
  assert.equal(invocation.env.PAPERCLIP_TASK_ID, "ISS-7");
  assert.ok(invocation.added.includes("OPENROUTER_API_KEY"));
  const config = JSON.parse(Buffer.from(invocation.files.config.data, "latin1").toString("utf8"));
  assert.deepEqual(config, { model: "openai/gpt-5", "resources.requests.cpu": "250m",
    timeoutSec: 600, nodeSelector: { pool: "agents" },
    env: { PAPERCLIP_API_URL: "http://paperclip.svc:3100" } });
  const opencode = JSON.parse(Buffer.from(invocation.files.opencode.data, "latin1").toString("utf8"));
  assert.equal(opencode.permission.external_directory, "allow");
  assert.deepEqual(opencode.provider.openai.models["gpt-5"], {});
  assert.equal(logs.stdout, success.toString("utf8") + "✓\n");
  assert.equal(logs.stderr, "a warning\n");
  assert.equal(result.exitCode, 0);
  assert.equal(result.sessionId, "ses_1d63d5485ffeA1");
  assert.deepEqual(result.usage, { inputTokens: 2700, outputTokens: 160, cachedInputTokens: 1400 });
  assert.equal(result.sessionParams.cwd, ctx.context.paperclipWorkspace.cwd);
});

test("a cancel deletes the Job: serve is told, the run ends by SIGTERM", async () => {
  const serve = await scriptedServe(async (kind, request, conn, reader) => {
    conn.write(frame("O", '{"type":"step_start"}\n'));
    const cancel = await reader.read();
    assert.deepEqual([cancel[0], cancel[1].toString()], ["C", "SIGTERM"]);
    conn.end(frame("X", "143 SIGTERM"));
  });
  const controller = new AbortController();
  const { ctx } = context(serve.socket, { ctx: { signal: controller.signal } });
  setTimeout(() => controller.abort(), 100);
  const result = await adapter.execute(ctx);
  serve.close();
  assert.equal(result.exitCode, null);
  assert.equal(result.signal, "SIGTERM");
});

test("a session resumes only in its own cwd, and an unknown one is retried fresh", async () => {
  const serve = await scriptedServe(async (kind, request, conn, reader, n) => {
    conn.end(Buffer.concat([frame("O", n === 1 ? unknown : success), frame("X", n === 1 ? "1" : "0")]));
  });
  const { ctx, logs } = context(serve.socket);
  ctx.runtime = { sessionParams: { sessionId: "ses_gone", cwd: ctx.context.paperclipWorkspace.cwd } };
  const result = await adapter.execute(ctx);
  assert.deepEqual(serve.requests[0].request.invocation.args.slice(3, 5), ["--session", "ses_gone"]);
  assert.ok(!serve.requests[1].request.invocation.args.includes("--session"));
  assert.match(logs.stdout, /is unavailable; retrying with a fresh session/);
  assert.equal(result.sessionId, "ses_1d63d5485ffeA1");

  const other = context(serve.socket);
  other.ctx.runtime = { sessionParams: { sessionId: "ses_elsewhere", cwd: "/somewhere/else" } };
  await adapter.execute(other.ctx);
  serve.close();
  assert.ok(!serve.requests[2].request.invocation.args.includes("--session"));
  assert.match(other.logs.stdout, /was saved for cwd "\/somewhere\/else" and will not be resumed/);
});

test("serve restarting mid-run loses and doubles nothing: the adapter says what it has", async () => {
  const serve = await scriptedServe(async (kind, request, conn, reader, n) => {
    if (n === 1) {
      conn.write(frame("O", success.subarray(0, 100)));
      setTimeout(() => conn.destroy(), 50);  // serve killed
      return;
    }
    assert.equal(request.reconnect, true);
    assert.deepEqual(request.offsets, { stdout: 100, stderr: 0 });
    conn.end(Buffer.concat([frame("O", success.subarray(100)), frame("X", "0")]));
  });
  const { ctx, logs } = context(serve.socket);
  const result = await adapter.execute(ctx);
  serve.close();
  assert.equal(logs.stdout, success.toString("utf8"));
  assert.equal(result.exitCode, 0);
});

test("Test environment is kubeclip check, asked of serve, in Paperclip's shape", async () => {
  const serve = await scriptedServe(async (kind, request, conn) => {
    assert.equal(kind, "K");
    assert.equal(request.config.model, "openai/gpt-5");
    conn.end(frame("T", JSON.stringify({ status: "warn", testedAt: "x",
      checks: [{ code: "api_reachable", level: "info", message: "Kubernetes v1.30" }] })));
  });
  const result = await adapter.testEnvironment({ companyId: "co-1", adapterType: "opencode_k8s",
    config: { model: "openai/gpt-5", serveSocket: serve.socket } });
  serve.close();
  assert.equal(result.adapterType, "opencode_k8s");
  assert.equal(result.status, "warn");
  assert.equal(result.checks[0].code, "api_reachable");
  const missing = await adapter.testEnvironment({ companyId: "co-1", adapterType: "opencode_k8s",
    config: { serveSocket: "/nonexistent/serve.sock" } });
  assert.equal(missing.status, "fail");
  assert.equal(missing.checks[0].code, "serve_reachable");
});

test("the config form shows every kubeclip setting, generated from kubeclip's schema", async () => {
  execFileSync(process.execPath, [path.resolve(here, "../scripts/gen-config-schema.mjs"), "--check"]);
  const schema = JSON.parse(fs.readFileSync(path.resolve(here, "../../../schema/agent-config.schema.json"), "utf8"));
  const keys = new Set((await adapter.getConfigSchema()).fields.map((f) => f.key));
  for (const [key, prop] of Object.entries(schema.properties)) {
    if (key === "env") {
      assert.ok(keys.has("jobEnv") && keys.has("env"), "kubeclip's env is the form's jobEnv");
    } else if (prop["x-kubeclip-section"]) {
      assert.ok([...keys].some((k) => k.startsWith(`${key}.`)), `no field for ${key}`);
    } else {
      assert.ok(keys.has(key), `no field for ${key}`);
    }
  }
  const timeout = (await adapter.getConfigSchema()).fields.find((f) => f.key === "timeoutSec");
  assert.equal(timeout.type, "number");
  assert.equal(timeout.hint, schema.properties.timeoutSec.description);
});

test("stored session params round-trip through the session codec", () => {
  const params = { sessionId: "ses_1", cwd: "/paperclip/ws", workspaceId: "w1" };
  assert.deepEqual(adapter.sessionCodec.deserialize(adapter.sessionCodec.serialize(params)), params);
  assert.equal(adapter.sessionCodec.getDisplayId(params), "ses_1");
});
