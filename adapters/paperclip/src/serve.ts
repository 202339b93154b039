// Talking to `kubeclip serve` over its Unix socket: the same frames as the Python relay
// (kubeclip/paperclip/protocol.py): one kind byte, a 4-byte big-endian length, the payload.
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const RUN = "R", CANCEL = "C", CHECK = "K";
export const STDOUT = "O", STDERR = "E", PROGRESS = "P", RESULT = "F", TABLE = "T", EXIT = "X";

export function frame(kind: string, payload: Buffer | string): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  const head = Buffer.alloc(5);
  head.write(kind, 0, "latin1");
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** serve's socket: the adapter config's `serveSocket`, else $KUBECLIP_SERVE_SOCKET (the chart's
 * sidecar sets it), else the per-user socket a relay would start. */
export function socketPath(configured?: string): string {
  if (configured) return configured;
  if (process.env.KUBECLIP_SERVE_SOCKET) return process.env.KUBECLIP_SERVE_SOCKET;
  const base = process.env.XDG_RUNTIME_DIR || "/tmp";
  return path.join(base, `kubeclip-${os.userInfo().uid}`, "serve.sock");
}

/** Frames from a socket, in order, as they arrive. */
export class FrameReader {
  private buf = Buffer.alloc(0);
  private waiting: Array<(f: [string, Buffer] | null) => void> = [];
  private queue: Array<[string, Buffer] | null> = [];

  constructor(sock: net.Socket) {
    sock.on("data", (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= 5) {
        const size = this.buf.readUInt32BE(1);
        if (this.buf.length < 5 + size) break;
        const kind = this.buf.subarray(0, 1).toString("latin1");
        const payload = Buffer.from(this.buf.subarray(5, 5 + size));
        this.buf = this.buf.subarray(5 + size);
        this.push([kind, payload]);
      }
    });
    const end = () => this.push(null);
    sock.on("end", end);
    sock.on("close", end);
    sock.on("error", end);
  }

  private push(item: [string, Buffer] | null): void {
    const next = this.waiting.shift();
    if (next) next(item);
    else this.queue.push(item);
  }

  /** The next frame, or null when the connection ended. */
  read(): Promise<[string, Buffer] | null> {
    if (this.queue.length) return Promise.resolve(this.queue.shift() ?? null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

export function connect(socket: string, timeoutMs = 10_000): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(socket);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`kubeclip serve at ${socket} did not answer in ${timeoutMs / 1000}s`));
    }, timeoutMs);
    sock.once("connect", () => { clearTimeout(timer); resolve(sock); });
    sock.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`no kubeclip serve at ${socket}: ${err.message}`));
    });
  });
}

/** One request answered by one TABLE frame (the cluster check). */
export async function ask(socket: string, kind: string, body: unknown): Promise<unknown> {
  const sock = await connect(socket);
  try {
    const reader = new FrameReader(sock);
    sock.write(frame(kind, JSON.stringify(body)));
    const got = await reader.read();
    if (!got || got[0] !== TABLE) throw new Error("kubeclip serve ended the connection");
    return JSON.parse(got[1].toString("utf8"));
  } finally {
    sock.destroy();
  }
}
