// Generate src/generated/config-schema.ts from kubeclip's schema/agent-config.schema.json: the
// Paperclip UI form (getConfigSchema) and how each field's value becomes kubeclip config.
// One source of truth: a new kubeclip setting shows up in the form with its help text.
//   node scripts/gen-config-schema.mjs [--check]
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const schemaPath = path.resolve(here, "../../../schema/agent-config.schema.json");
const outPath = path.resolve(here, "../src/generated/config-schema.ts");
const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
const defs = schema.$defs ?? {};

// What the adapter itself handles the way opencode_local does (argv; `env` is the agent's env),
// and `runtime`: opencode_k8s always runs OpenCode.
const OWN = new Set(["model", "variant", "extraArgs", "runtime"]);
// kubeclip keys whose name means something else to Paperclip: the form calls them otherwise.
const RENAMED = { env: "jobEnv" };
const label = (key) =>
  key.split(".").at(-1).replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase());

function resolve(node) {
  return node.$ref ? resolve(defs[node.$ref.split("/").at(-1)]) : node;
}

// A schema node -> [UI type, value kind]: how the form shows it, how its value is read.
function kindOf(node) {
  const n = resolve(node);
  if (n.anyOf) {
    const members = n.anyOf.map(resolve);
    if (members.some((m) => m.type === "array")) return ["textarea", "json"];
    return ["textarea", "map"];
  }
  if (n.enum) return ["select", "string"];
  if (n.type === "boolean") return ["toggle", "boolean"];
  if (n.type === "integer" || n.type === "number") return ["number", "number"];
  if (n.type === "array") return ["textarea", "lines"];
  if (n.type === "object") return ["textarea", n.properties ? "json" : "map"];
  return ["text", "string"];
}

function uiDefault(value, kind) {
  if (value === undefined || value === null) return undefined;
  if (kind === "lines") return value.join("\n");
  if (kind === "map") return Object.entries(value).map(([k, v]) => `${k}=${v}`).join("\n");
  if (kind === "json") return Object.keys(value).length ? JSON.stringify(value) : undefined;
  return value;
}

const fields = [];
const kinds = {};
function add(key, node, fallbackDefault) {
  const n = resolve(node);
  const [type, kind] = kindOf(node);
  const field = { key, label: label(key), type, group: "Kubernetes (kubeclip)" };
  const hint = node.description ?? n.description;
  if (hint) field.hint = hint;
  const def = uiDefault(node.default ?? fallbackDefault, kind);
  if (def !== undefined && def !== "") field.default = def;
  if (n.enum) field.options = n.enum.map((v) => ({ label: String(v), value: String(v) }));
  fields.push(field);
  kinds[key] = kind;
}

for (const [key, prop] of Object.entries(schema.properties)) {
  if (OWN.has(key)) continue;
  if (prop["x-kubeclip-section"] && key === "resources") {
    for (const [section, names] of Object.entries(prop.default ?? {})) {
      for (const [name, qty] of Object.entries(names)) {
        add(`resources.${section}.${name}`, { type: "string", description:
          `${prop.description} ${section} of ${name} (a Kubernetes quantity).` }, qty);
      }
    }
  } else if (prop["x-kubeclip-section"]) {
    for (const [sub, node] of Object.entries(prop.properties)) add(`${key}.${sub}`, node);
  } else {
    add(RENAMED[key] ?? key, prop);
  }
}

const body = `// Generated from schema/agent-config.schema.json by scripts/gen-config-schema.mjs.
// Do not edit; run \`npm run gen\`.
import type { ConfigFieldSchema } from "@paperclipai/adapter-utils";

/** How a form value becomes kubeclip config: lines -> list, map -> {key: value} from
 * key=value lines, json -> parsed JSON, number/boolean -> coerced, string -> as is. */
export type ValueKind = "string" | "number" | "boolean" | "lines" | "map" | "json";

export const KUBECLIP_FIELDS: ConfigFieldSchema[] = ${JSON.stringify(fields, null, 2)};

export const KUBECLIP_KINDS: Record<string, ValueKind> = ${JSON.stringify(kinds, null, 2)};

/** Form keys that are another kubeclip key (Paperclip's \`env\` is the agent's env). */
export const KUBECLIP_RENAMED: Record<string, string> = ${JSON.stringify(
  Object.fromEntries(Object.entries(RENAMED).map(([k, v]) => [v, k])), null, 2)};
`;

if (process.argv.includes("--check")) {
  const current = fs.existsSync(outPath) ? fs.readFileSync(outPath, "utf8") : "";
  if (current !== body) {
    console.error(`${outPath} is stale: run npm run gen`);
    process.exit(1);
  }
} else {
  fs.mkdirSync(path.dirname(outPath), { recursive: true });
  fs.writeFileSync(outPath, body);
}
