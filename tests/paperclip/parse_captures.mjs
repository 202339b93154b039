// Paperclip's own reading of OpenCode output (the published @paperclipai/adapter-opencode-local):
// for each {stdout, stderr, exitCode} on stdin, what parseOpenCodeJsonl says, whether
// isOpenCodeUnknownSessionError matches, and the errorMessage execute() would report.
// Usage: node parse_captures.mjs <node_modules>   (stdin: a JSON array; stdout: one)
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
const parse = await import(pathToFileURL(path.join(modules,
  "@paperclipai/adapter-opencode-local/dist/server/parse.js")).href);
const firstNonEmptyLine = (text) => text.split(/\r?\n/).map((l) => l.trim()).find(Boolean) ?? "";

const out = JSON.parse(fs.readFileSync(0, "utf8")).map(({ stdout, stderr, exitCode }) => {
  const parsed = parse.parseOpenCodeJsonl(stdout);
  const parsedError = typeof parsed.errorMessage === "string" ? parsed.errorMessage.trim() : "";
  const synthesized = parsedError && (exitCode ?? 0) === 0 ? 1 : exitCode;  // as execute.js
  const failed = (exitCode ?? 0) !== 0 || Boolean(parsed.errorMessage);
  return {
    ...parsed,
    errorMessage: (synthesized ?? 0) === 0 ? null
      : parsedError || firstNonEmptyLine(stderr) || `OpenCode exited with code ${synthesized ?? -1}`,
    unknownSession: failed && parse.isOpenCodeUnknownSessionError(stdout, stderr),
  };
});
process.stdout.write(JSON.stringify(out));
