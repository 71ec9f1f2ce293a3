/**
 * Hearth's command line: `hearth [chat | tui | generate | bench | ...] [FLAGS]`. Without a
 * subcommand it starts the desktop app. This file only wires: config/config.ts reads
 * flags and environment, cli/ runs the commands, cli/errors.ts reports failures.
 * Exit status: 0 ok, 1 any error.
 *
 * @module
 */
import { splitCommand } from "./config/args.ts";
import { appCommand } from "./cli/app.ts";
import { chatCommand } from "./cli/chat.ts";
import { reportError, writeAllSync } from "./cli/errors.ts";
import { generateCommand } from "./cli/generate.ts";
import { ProviderRegistry } from "./app/providers/registry.ts";
import {
  apiKeyEnv,
  configDirFromEnv,
  dataDirFromEnv,
  engineEnv,
  helpText,
  hubEnv,
  libraryRoots,
  loadConfig,
} from "./config/config.ts";

/**
 * Runs the command line `args`; resolves with the exit status, never rejects.
 *
 * @example
 * ```ts ignore
 * Deno.exitCode = await main(["generate", "-p", "Once upon a time", "-n", "16"]);
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  let stack = false;
  try {
    const { command, rest } = splitCommand(args);
    if (command === "bench") {
      // Loaded on demand: chat and generate neither pay for bench's modules nor break
      // when they do.
      const { benchCommand } = await import("./bench/command.ts");
      return await benchCommand(rest, engineEnv());
    }
    if (command === "serve") {
      const { serveCommand } = await import("./cli/serve.ts");
      return await serveCommand(rest, { ...engineEnv(), apiKey: apiKeyEnv() });
    }
    if (command === "rpc-server") {
      const { rpcServerCommand } = await import("./cli/rpc_server.ts");
      return await rpcServerCommand(rest);
    }
    if (command === "pull") {
      const { pullCommand } = await import("./cli/pull.ts");
      return await pullCommand(rest, hubEnv());
    }
    if (command === "providers") {
      const { providersCommand } = await import("./cli/providers.ts");
      return await providersCommand(rest, {
        configDir: configDirFromEnv(),
        env: (name) => Deno.env.get(name),
      });
    }
    if (command === "sheet") {
      const { sheetCommand } = await import("./cli/sheet.ts");
      return await sheetCommand(rest, { ...engineEnv(), dataDir: dataDirFromEnv() });
    }
    if (command === "models") {
      const { modelsCommand } = await import("./cli/models.ts");
      return await modelsCommand(rest, { dataDir: dataDirFromEnv(), roots: libraryRoots() });
    }
    const config = loadConfig(command, rest);
    stack = config.logLevel === "debug";
    if (config.help) {
      writeAllSync(Deno.stdout, helpText(command));
      return 0;
    }
    if (command === "generate") return await generateCommand(config, providerRegistry());
    if (command === "chat") return await chatCommand(config, providerRegistry());
    if (command === "tui") {
      // React picks its build when it is first loaded: without NODE_ENV=production it runs
      // its development build, whose checks and component tracking took about half of the
      // screen's CPU time while a reply streamed (docs/benchmarks.md, issue 13).
      if (Deno.env.get("NODE_ENV") === undefined) Deno.env.set("NODE_ENV", "production");
      // Loaded on demand: ink and React cost the other commands nothing.
      const { tuiCommand } = await import("./tui/command.ts");
      return await tuiCommand(config);
    }
    return await appCommand(config);
  } catch (error) {
    return reportError(error, { stack });
  }
}

/** The providers `-m NAME:MODEL` can name, from the config folder and the environment. */
function providerRegistry(): ProviderRegistry {
  return new ProviderRegistry({
    configDir: configDirFromEnv(),
    env: (name) => Deno.env.get(name),
  });
}

if (import.meta.main) {
  // exitCode, not Deno.exit(): the process ends once the commands have disposed their
  // models (which stops the engine Worker) and flushed their output.
  Deno.exitCode = await main(Deno.args);
}
