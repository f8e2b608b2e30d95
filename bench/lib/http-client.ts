// A lean HTTP/1.1 client for load generators: one keep-alive connection per simulated client, one request at a
// time on it (a closed loop, as before), the request written as one string and the response parsed from the
// socket's bytes. node:http's client (agent, header objects, streams per response) cost about 0.07 ms of CPU per
// payment in bench:pay, an eighth of the CPU the system under test had on the same two cores; the load generator
// should take as little of them as it can, as wrk does. Responses with Content-Length or chunked bodies.
import { connect, type Socket } from "node:net";

export interface HttpResponse {
  status: number;
  body: string;
}

const headerEnd = Buffer.from("\r\n\r\n");

export class HttpConnection {
  private socket: Socket | null = null;
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: HttpResponse) => void; reject: (e: Error) => void } | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  private open(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, noDelay: true });
      socket.once("connect", () => resolve(socket));
      socket.once("error", reject);
      socket.on("data", (chunk: Buffer) => this.onData(chunk));
      socket.on("error", (error) => this.fail(error));
      socket.on("close", () => {
        if (this.socket === socket) this.socket = null;
        this.fail(new Error("the server closed the connection"));
      });
    });
  }

  /** Sends one request (`head`: request line and headers without Content-Length) and resolves with its response. */
  async request(head: string, body: string): Promise<HttpResponse> {
    if (this.waiting) throw new Error("BUG: one request at a time on a connection");
    this.socket ??= await this.open();
    const socket = this.socket;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      socket.write(`${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = null;
    this.buffered = Buffer.alloc(0);
    waiting?.reject(error);
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const response = this.parse();
    if (!response) return;
    const waiting = this.waiting;
    this.waiting = null;
    if (!waiting) return this.fail(new Error("a response nobody asked for"));
    waiting.resolve(response);
  }

  /** A whole response from the buffer (consumed), or null while more bytes are needed. */
  private parse(): HttpResponse | null {
    const end = this.buffered.indexOf(headerEnd);
    if (end < 0) return null;
    const head = this.buffered.toString("latin1", 0, end);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const start = end + headerEnd.length;
    if (length) {
      const stop = start + Number(length[1]);
      if (this.buffered.length < stop) return null;
      const body = this.buffered.toString("utf8", start, stop);
      this.buffered = this.buffered.subarray(stop);
      return { status, body };
    }
    if (!/\r\ntransfer-encoding:\s*chunked/i.test(head)) throw new Error(`a response without a length: ${head.split("\r\n")[0]}`);
    const parts: Buffer[] = [];
    let at = start;
    for (;;) {
      const lineEnd = this.buffered.indexOf("\r\n", at);
      if (lineEnd < 0) return null;
      const size = parseInt(this.buffered.toString("latin1", at, lineEnd), 16);
      const dataEnd = lineEnd + 2 + size + 2;
      if (this.buffered.length < dataEnd) return null;
      if (size === 0) {
        this.buffered = this.buffered.subarray(dataEnd);
        return { status, body: Buffer.concat(parts).toString("utf8") };
      }
      parts.push(this.buffered.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = dataEnd;
    }
  }
}
