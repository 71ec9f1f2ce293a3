/**
 * Starts an HTTP server process on a free loopback port and waits for its `/health`, for
 * the benchmarks that compare against llama-server (bench/serve_compare.ts,
 * bench/_sheets_server.ts).
 *
 * @module
 */

/** A started server: its URL, its command line verbatim, its pid, and how to stop it. */
export interface Server {
  url: string;
  command: string;
  /** The server process (hearth serve runs Deno itself, not a wrapper). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `command` with `args(port)` for a free port on 127.0.0.1 and resolves once
 * `GET /health` answers 200 (llama-server's and hearth serve's readiness route).
 *
 * @throws {Error} when it does not answer within 120 s (the process is killed).
 */
export async function launchServer(
  command: string,
  args: (port: number) => string[],
  env?: Record<string, string>,
): Promise<Server> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const argv = args(port);
  const child = new Deno.Command(command, {
    args: argv,
    env,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(`${url}/health`).then(async (r) => {
      await r.body?.cancel();
      return r.ok;
    }, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`${command} did not answer /health on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    command: [command, ...argv].join(" "),
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}
