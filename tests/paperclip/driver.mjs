// Drive the published @paperclipai/adapter-opencode-local exactly as Paperclip's server does:
// its own execute() / testEnvironment(), with a context read as JSON from stdin. Prints one
// JSON object: {result, stdout, stderr} where stdout/stderr are what onLog received.
// Usage: node driver.mjs <node_modules dir> execute|test [adapter index.js]  < case.json
// KUBECLIP_PAPERCLIP_ADAPTER names the published adapter (default adapter-opencode-local).
import { pathToFileURL } from "node:url";
import path from "node:path";

const [modules, mode, adapterModule] = process.argv.slice(2);
// Either the published opencode_local, or an adapter package (kubeclip's opencode_k8s) loaded as
// Paperclip's adapter manager loads it: its createServerAdapter().
const adapter = adapterModule
  ? (await import(pathToFileURL(adapterModule).href)).createServerAdapter()
  : await import(
    pathToFileURL(path.join(modules, "@paperclipai",
      process.env.KUBECLIP_PAPERCLIP_ADAPTER ?? "adapter-opencode-local", "dist/server/index.js")).href
  );
let input = "";
for await (const chunk of process.stdin) input += chunk;
const c = JSON.parse(input);
const logs = { stdout: "", stderr: "" };
const onLog = async (stream, chunk) => { logs[stream] += chunk; };
let result;
if (mode === "test") {
  result = await adapter.testEnvironment({
    companyId: c.agent.companyId, adapterType: c.agent.adapterType ?? "opencode_local",
    config: c.config,
  });
} else {
  const controller = new AbortController();
  // A board cancel, as the server does it (heartbeat.js terminateHeartbeatRunProcess): SIGTERM
  // to the child's process group, SIGKILL once graceSec has passed.
  let spawned = null;
  if (c.cancelAfterMs) {
    setTimeout(() => {
      controller.abort();
      if (!spawned) return;
      const group = -(spawned.processGroupId ?? spawned.pid);
      try { process.kill(group, "SIGTERM"); } catch {}
      const graceMs = Math.max(1, Number(c.config.graceSec ?? 20)) * 1000;
      setTimeout(() => { try { process.kill(group, "SIGKILL"); } catch {} }, graceMs).unref();
    }, c.cancelAfterMs);
  }
  result = await adapter.execute({
    runId: c.runId, agent: c.agent, runtime: c.runtime ?? {}, config: c.config,
    context: c.context ?? {}, authToken: c.authToken, onLog, signal: controller.signal,
    onMeta: async () => {}, onSpawn: async (info) => { spawned = info; },
  });
}
process.stdout.write(JSON.stringify({ result, ...logs }) + "\n");
