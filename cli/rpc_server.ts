/**
 * `hearth rpc-server` (`deno task rpc-server`): runs llama.cpp's RPC worker,
 * `ggml-rpc-server` as native/build.sh builds it (`rpc` part), so that another
 * machine's Hearth (or llama.cpp) can put model layers on this one's devices with
 * `--rpc HOST:PORT`. It binds 127.0.0.1 unless told otherwise, and refuses an address
 * other than loopback without `--allow-remote`: the RPC protocol has no
 * authentication and no encryption, so anyone who reaches the port can make the worker
 * allocate memory and run graphs, and read what it holds.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { defaultRpcLibDirs } from "../engine/engine.ts";
import { isLoopback } from "../server/openai/server.ts";
import { formatOptions, optionRow, type OptionSpec, readOptions } from "../config/args.ts";
import { writeAllSync } from "./errors.ts";

const row = optionRow(["rpc-server"]);

/** `rpc-server`'s options, with ggml-rpc-server's flag names (tools/rpc/rpc-server.cpp). */
export const RPC_SERVER_OPTIONS: readonly OptionSpec[] = Object.freeze([
  row("host", "-H, --host", "string HOST", "127.0.0.1", "address to bind"),
  row("port", "-p, --port", "int PORT", 50052, "port to bind", {
    check: { ok: (v) => v >= 1 && v <= 65535, expect: "an integer in [1, 65535]" },
  }),
  row("threads", "-t, --threads", "int N", undefined, "threads of the CPU device", {
    check: { ok: (v) => v >= 1 && v <= 512, expect: "an integer in [1, 512]" },
    defaultText: "ggml-rpc-server's (half the logical CPUs)",
  }),
  row("device", "-d, --device", "string DEVS", undefined, "devices to serve, comma-separated", {
    defaultText: "all",
  }),
  row("cache", "-c, --cache", "boolean", false, "keep received tensors in a local file cache"),
  row(
    "allowRemote",
    "--allow-remote",
    "boolean",
    false,
    "allow a non-loopback --host (the protocol has no authentication: trusted networks only)",
  ),
  row("bin", "--bin", "string FILE", undefined, "the ggml-rpc-server to run", {
    env: "HEARTH_RPC_SERVER",
    defaultText: "found beside libggml-rpc (native/build.sh rpc)",
  }),
  row("help", "-h, --help", "boolean", false, "show this help"),
]);

/** `rpc-server --help`. */
export const RPC_SERVER_HELP = `Usage: hearth rpc-server [options]

Runs llama.cpp's RPC worker (ggml-rpc-server) on this machine, until Ctrl+C. Another
machine's hearth points at it with --rpc HOST:PORT and puts model layers on this
machine's devices. The protocol has no authentication and no encryption: bind a
non-loopback address (--allow-remote) only on a network you trust (docs/rpc.md).

${formatOptions(RPC_SERVER_OPTIONS)}`;

/** The file name of ggml-rpc-server on this OS. */
function binaryName(): string {
  return Deno.build.os === "windows" ? "ggml-rpc-server.exe" : "ggml-rpc-server";
}

/**
 * The ggml-rpc-server native/build.sh made: the first of `dirs` that holds one.
 *
 * @param dirs Default: `$HEARTH_LIB_DIR`, then {@link defaultRpcLibDirs}.
 * @returns Its path, or undefined when none of `dirs` has one.
 */
export function findRpcServer(dirs?: readonly string[]): string | undefined {
  const libDir = Deno.env.get("HEARTH_LIB_DIR");
  const candidates = dirs ?? [...(libDir ? [libDir] : []), ...defaultRpcLibDirs()];
  return candidates.map((dir) => join(dir, binaryName())).find((path) => existsSync(path));
}

/** What `rpc-server` runs, after {@link parseRpcServerArgs}. */
export interface RpcServerPlan {
  /** The ggml-rpc-server executable. */
  bin: string;
  /** Its arguments. */
  args: string[];
  /** "HOST:PORT", as `--rpc` names it. */
  endpoint: string;
}

/**
 * Parses `rpc-server`'s arguments; undefined for `--help`.
 *
 * @throws {TypeError} for an unknown flag, or when no ggml-rpc-server is found.
 * @throws {RangeError} for a bad value, or a non-loopback host without `--allow-remote`.
 */
export function parseRpcServerArgs(args: readonly string[]): RpcServerPlan | undefined {
  const read = readOptions(RPC_SERVER_OPTIONS, args, {
    helpHint: "hearth rpc-server --help",
    env: (name) => Deno.env.get(name),
  });
  if (read.help) return undefined;
  const values = read.values as {
    host: string;
    port: number;
    threads?: number;
    device?: string;
    cache: boolean;
    allowRemote: boolean;
    bin?: string;
  };
  if (!isLoopback(values.host) && !values.allowRemote) {
    throw new RangeError(
      `Cannot serve RPC on "${values.host}" without --allow-remote: the RPC protocol has no ` +
        "authentication or encryption, so anyone who reaches the port can use this machine's " +
        "memory and devices; pass --allow-remote on a trusted network, or bind 127.0.0.1",
    );
  }
  const bin = values.bin ?? findRpcServer();
  if (bin === undefined || !existsSync(bin)) {
    throw new TypeError(
      `Cannot run the RPC worker: no ${bin ?? binaryName()} found; build it with ` +
        "native/build.sh rpc (and pass --bin FILE or set HEARTH_RPC_LIB_DIR if it is elsewhere)",
    );
  }
  const out = ["--host", values.host, "--port", String(values.port)];
  if (values.threads !== undefined) out.push("--threads", String(values.threads));
  if (values.device !== undefined) out.push("--device", values.device);
  if (values.cache) out.push("--cache");
  return { bin, args: out, endpoint: `${values.host}:${values.port}` };
}

/**
 * Runs `rpc-server`; resolves with the exit status: the worker's, or 1 when it cannot
 * start. SIGINT and SIGTERM are passed on to the worker.
 *
 * @throws what {@link parseRpcServerArgs} throws; main.ts reports it.
 */
export async function rpcServerCommand(args: readonly string[]): Promise<number> {
  const plan = parseRpcServerArgs(args);
  if (plan === undefined) {
    writeAllSync(Deno.stdout, RPC_SERVER_HELP);
    return 0;
  }
  const child = new Deno.Command(plan.bin, {
    args: plan.args,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const forward = (signal: Deno.Signal) => () => {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  };
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  Deno.addSignalListener("SIGINT", onInt);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", onTerm);
  try {
    const status = await child.status;
    return status.success ? 0 : (status.code || 1);
  } finally {
    Deno.removeSignalListener("SIGINT", onInt);
    if (Deno.build.os !== "windows") Deno.removeSignalListener("SIGTERM", onTerm);
  }
}
