// The agent's adapter config -> kubeclip's agent config (sent to serve as data). The form
// writes nested keys dotted and every value as the field's type shows it; kubeclip's own
// normalisation reads dotted section keys, so they pass as they are.
import { KUBECLIP_KINDS, KUBECLIP_RENAMED, type ValueKind } from "./generated/config-schema.js";

function lines(value: string): string[] {
  return value.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
}

function convert(value: unknown, kind: ValueKind): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (text === "") return undefined;
  switch (kind) {
    case "lines": return lines(text);
    case "map": return Object.fromEntries(text.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
      const at = l.indexOf("=");
      return at < 0 ? [l, ""] : [l.slice(0, at).trim(), l.slice(at + 1).trim()];
    }));
    case "json": return JSON.parse(text);
    case "number": return Number.isFinite(Number(text)) ? Number(text) : text;
    case "boolean": return text === "true" ? true : text === "false" ? false : text;
    default: return text;
  }
}

/** What of the adapter config is kubeclip's: the model, and every schema key (nested or dotted). */
export function kubeclipConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof config.model === "string" && config.model.trim()) out.model = config.model.trim();
  const sections = new Set(Object.keys(KUBECLIP_KINDS).filter((k) => k.includes(".")).map((k) => k.split(".")[0]));
  for (const [key, value] of Object.entries(config)) {
    const kind = KUBECLIP_KINDS[key];
    if (kind !== undefined) {
      const converted = convert(value, kind);
      if (converted !== undefined) out[KUBECLIP_RENAMED[key] ?? key] = converted;
    } else if (sections.has(key) && typeof value === "object" && value !== null) {
      out[key] = value;  // a whole section, as an API client may write it
    }
  }
  return out;
}
