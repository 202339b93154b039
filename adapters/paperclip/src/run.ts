// One run on `kubeclip serve`: send it, stream the agent's bytes to onLog as they arrive,
// cancel on abort or timeout, reconnect (saying how much arrived) if serve restarts.
import { StringDecoder } from "node:string_decoder";
import type { AdapterExecutionContext } from "@paperclipai/adapter-utils";
import { CANCEL, connect, EXIT, frame, FrameReader, RUN, STDERR, STDOUT } from "./serve.js";

export interface ServeRun {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
}

interface Options {
  onLog: AdapterExecutionContext["onLog"];
  signal?: AbortSignal;
  timeoutSec: number;
  graceSec: number;
  patienceMs?: number;
}

export async function runOnServe(socket: string, invocation: unknown, opts: Options): Promise<ServeRun> {
  const run: ServeRun = { stdout: "", stderr: "", exitCode: null, signal: null, timedOut: false };
  const decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  const received = { stdout: 0, stderr: 0 };
  let cancel: string | null = null;
  let current: import("node:net").Socket | null = null;
  const sendCancel = () => { if (cancel && current) current.write(frame(CANCEL, cancel)); };
  const onAbort = () => { cancel = cancel ?? "SIGTERM"; sendCancel(); };
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();
  const timer = opts.timeoutSec > 0
    ? setTimeout(() => { run.timedOut = true; onAbort(); }, opts.timeoutSec * 1000) : null;
  let reconnect = false;
  const giveUp = () => Date.now() + (opts.patienceMs ?? 60_000);
  let deadline = giveUp();
  try {
    for (;;) {
      try {
        current = await connect(socket);
      } catch (err) {
        if (!reconnect || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      const reader = new FrameReader(current);
      current.write(frame(RUN, JSON.stringify({ invocation, offsets: received, reconnect })));
      sendCancel();
      for (;;) {
        const got = await reader.read();
        if (got === null) break;
        const [kind, payload] = got;
        if (kind === STDOUT || kind === STDERR) {
          const stream = kind === STDOUT ? "stdout" : "stderr";
          received[stream] += payload.length;
          const text = decoders[stream].write(payload);
          if (text) {
            run[stream] += text;
            await opts.onLog(stream, text);
          }
        } else if (kind === EXIT) {
          const [code, name] = payload.toString("ascii").split(" ");
          run.signal = name ?? null;
          run.exitCode = name ? null : Number(code);
          current.destroy();
          return run;
        }
      }
      current.destroy();
      reconnect = true;  // serve went away mid-run: it comes back and reattaches
      deadline = giveUp();
    }
  } finally {
    if (timer) clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
}
