// `npm test` and `npm run bench:*` share one embedded PostgreSQL across many processes: this runs it as a child
// process that prints `{"url": ...}` on stdout and stops the server when its stdin closes (so it dies with its
// parent) or on SIGINT/SIGTERM.
import { startTestPostgres } from "./pg";

const server = await startTestPostgres();
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
}
process.stdin.on("end", stop).on("close", stop).resume();
process.on("SIGINT", stop).on("SIGTERM", stop);
