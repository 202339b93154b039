// The OpenCode config opencode_local generates for a run (its runtime-config.ts), built in
// memory: the user's opencode.json + permission.external_directory=allow + the configured
// model registered on its provider + PAPERCLIP_OPENCODE_PROVIDERS + small_model. serve
// passes it to the pod through the run Secret (OPENCODE_CONFIG_CONTENT).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { asBoolean } from "@paperclipai/adapter-utils/server-utils";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function expand(value: unknown, resolve: (name: string) => string | undefined): unknown {
  if (typeof value === "string") {
    return value.replace(/\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string) => {
      const resolved = resolve(name);
      return resolved !== undefined && resolved.length > 0 ? resolved : match;
    });
  }
  if (Array.isArray(value)) return value.map((v) => expand(v, resolve));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, resolve)]));
  return value;
}

function providers(raw: string | undefined, resolve: (n: string) => string | undefined, notes: string[]): Json | null {
  if (typeof raw !== "string" || raw.trim().length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    notes.push("PAPERCLIP_OPENCODE_PROVIDERS contains invalid JSON; custom providers ignored.");
    return null;
  }
  if (!isObject(parsed)) {
    notes.push("PAPERCLIP_OPENCODE_PROVIDERS is set but is not a JSON object; custom providers ignored.");
    return null;
  }
  const out: Json = {};
  const skipped: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (isObject(value)) out[key] = expand(value, resolve);
    else skipped.push(key);
  }
  if (skipped.length > 0) {
    notes.push(`PAPERCLIP_OPENCODE_PROVIDERS: skipped provider(s) with non-object values: ${skipped.join(", ")}.`);
  }
  return Object.keys(out).length > 0 ? out : null;
}

function readJson(file: string): Json {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

export async function runtimeOpenCodeConfig(
  env: Record<string, string>, config: Record<string, unknown>,
): Promise<{ json: string | null; notes: string[] }> {
  if (!asBoolean(config.dangerouslySkipPermissions, true)) return { json: null, notes: [] };
  const home = env.XDG_CONFIG_HOME?.trim() || process.env.XDG_CONFIG_HOME?.trim() || path.join(os.homedir(), ".config");
  const existing = readJson(path.join(home, "opencode", "opencode.json"));
  const notes = ["Injected runtime OpenCode config with permission.external_directory=allow to avoid headless approval prompts."];
  const resolve = (name: string) => env[name] ?? process.env[name];
  const gateway = providers(env.PAPERCLIP_OPENCODE_PROVIDERS ?? process.env.PAPERCLIP_OPENCODE_PROVIDERS, resolve, notes);
  let provider: Json = isObject(existing.provider) ? existing.provider : {};
  if (gateway) {
    provider = { ...provider, ...gateway };
    notes.push(`Injected ${Object.keys(gateway).length} custom OpenCode provider(s) from PAPERCLIP_OPENCODE_PROVIDERS: ${Object.keys(gateway).join(", ")}.`);
  }
  const model = typeof config.model === "string" ? config.model.trim() : "";
  const slash = model.indexOf("/");
  if (slash > 0 && slash < model.length - 1) {
    const [p, m] = [model.slice(0, slash), model.slice(slash + 1)];
    const entry: Json = isObject(provider[p]) ? { ...(provider[p] as Json) } : {};
    const models: Json = isObject(entry.models) ? { ...entry.models } : {};
    if (!isObject(models[m])) {
      models[m] = {};
      entry.models = models;
      provider = { ...provider, [p]: entry };
      notes.push(`Registered configured model ${p}/${m} in the runtime OpenCode config.`);
    }
  }
  const next: Json = {
    ...existing,
    permission: { ...(isObject(existing.permission) ? existing.permission : {}), external_directory: "allow" },
  };
  if (Object.keys(provider).length > 0) next.provider = provider;
  const small = (env.PAPERCLIP_OPENCODE_SMALL_MODEL ?? process.env.PAPERCLIP_OPENCODE_SMALL_MODEL)?.trim();
  if (small) {
    next.small_model = small;
    notes.push(`Pinned OpenCode small_model to ${small}.`);
  }
  return { json: `${JSON.stringify(next, null, 2)}\n`, notes };
}
