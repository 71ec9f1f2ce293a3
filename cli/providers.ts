/**
 * `deno task providers`: remote OpenAI-compatible providers from the command line.
 *
 * - `providers add NAME --base-url URL [--preset P] [--api-key-env VAR | --api-key-stdin]
 *   [--concurrency N]`: adds or changes one. The key is read from stdin (never a flag, so
 *   it stays out of shell history and `ps`) and saved in the 0600 key file.
 * - `providers list [--json]`: name, base URL, where the key comes from (never the key).
 * - `providers test NAME`: the round-trip time of `GET /models` and the model count.
 * - `providers rm NAME`: removes one and its saved key.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ProviderNotFoundError } from "../app/providers/errors.ts";
import { isPresetId, PRESETS } from "../app/providers/presets.ts";
import { type ProviderInfo, ProviderRegistry } from "../app/providers/registry.ts";
import { reportError, writeAllSync } from "./errors.ts";

const USAGE = `usage: deno task providers add NAME --base-url URL [--preset ${
  Object.keys(PRESETS).join("|")
}]
                              [--api-key-env VAR | --api-key-stdin] [--concurrency N]
       deno task providers list [--json]
       deno task providers test NAME     round-trip time and model count
       deno task providers rm NAME
A chat or command then names a provider's model as NAME:MODEL (-m NAME:MODEL).\n`;

/** Where providers live and how keys are read. */
export interface ProvidersEnv {
  /** The config folder. */
  configDir: string;
  /** Reads an environment variable. */
  env: (name: string) => string | undefined;
  /** Reads the key for --api-key-stdin; default: all of stdin. */
  readStdin?: () => Promise<string>;
}

/** One table row per provider. */
export function formatProviders(providers: readonly ProviderInfo[]): string {
  const rows = providers.map((p) => [
    p.name,
    p.preset,
    p.base_url,
    p.key_source === "file" ? "saved" : p.key_source === "env" ? `$${p.api_key_env}` : "none",
    String(p.concurrency),
  ]);
  const header = ["name", "preset", "base_url", "key", "concurrency"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

/** Runs `providers`; returns the exit status. */
export async function providersCommand(args: string[], env: ProvidersEnv): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        "base-url": { type: "string" },
        preset: { type: "string" },
        "api-key-env": { type: "string" },
        "api-key-stdin": { type: "boolean" },
        concurrency: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      writeAllSync(Deno.stdout, USAGE);
      return 0;
    }
    const registry = new ProviderRegistry({ configDir: env.configDir, env: env.env });
    const [action, name, ...extra] = positionals;
    if (action === "list" && name === undefined) {
      const providers = registry.list();
      writeAllSync(
        Deno.stdout,
        values.json ? `${JSON.stringify(providers, null, 2)}\n` : formatProviders(providers),
      );
      return 0;
    }
    if (!["add", "test", "rm"].includes(action ?? "") || !name || extra.length > 0) {
      writeAllSync(Deno.stderr, USAGE);
      return 1;
    }
    if (action === "rm") {
      if (!registry.remove(name)) throw new ProviderNotFoundError(name);
      writeAllSync(Deno.stdout, `removed ${name}\n`);
      return 0;
    }
    if (action === "test") {
      const { rtt_ms, models } = await registry.test(name);
      const list = models.length === 0 ? " (no /models route: type model ids)" : "";
      writeAllSync(Deno.stdout, `ok ${name}: ${rtt_ms} ms, ${models.length} models${list}\n`);
      for (const model of models) writeAllSync(Deno.stdout, `  ${name}:${model}\n`);
      return 0;
    }
    if (values["api-key-env"] !== undefined && values["api-key-stdin"]) {
      throw new TypeError("Cannot take both --api-key-env and --api-key-stdin: pick one");
    }
    const preset = values.preset;
    if (preset !== undefined && !isPresetId(preset)) {
      throw new RangeError(
        `Unknown preset "${preset}": expected one of ${Object.keys(PRESETS).join(", ")}`,
      );
    }
    if (
      values["base-url"] === undefined && (preset ?? "custom") === "custom" && !registry.has(name)
    ) {
      throw new TypeError(`Cannot add provider "${name}" without --base-url URL (or --preset)`);
    }
    const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
    const key = values["api-key-stdin"]
      ? (await (env.readStdin ?? readAllStdin)()).trim()
      : undefined;
    if (values["api-key-stdin"] && !key) {
      throw new TypeError("Cannot save an empty key: pipe the key into --api-key-stdin");
    }
    const saved = registry.save({
      name,
      ...(preset === undefined ? {} : { preset }),
      ...(values["base-url"] === undefined ? {} : { base_url: values["base-url"] }),
      ...(values["api-key-env"] === undefined ? {} : { api_key_env: values["api-key-env"] }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(key === undefined ? {} : { api_key: key }),
    });
    writeAllSync(Deno.stdout, formatProviders([saved]));
    return 0;
  } catch (error) {
    return reportError(error);
  }
}

async function readAllStdin(): Promise<string> {
  return await new Response(Deno.stdin.readable).text();
}
