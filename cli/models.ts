/**
 * `deno task models [--json]`, `models rm ID`, `models verify ID`: the model library
 * from the command line. It indexes the same places the app does: the model folders
 * configured in the app, the Hugging Face cache, LM Studio's folders and llama.cpp's
 * cache.
 *
 * @module
 */
import { join } from "node:path";
import { formatOptions, type OptionSpec, readOptions } from "../config/args.ts";
import { type LibraryModel, ModelLibrary, type Root } from "../library/mod.ts";
import { DATABASE_FILE, openDatabase } from "../storage/mod.ts";
import { reportError, writeAllSync } from "./errors.ts";

/** models' options, read by config/args.ts as every command's are. */
export const MODELS_OPTIONS: readonly OptionSpec[] = Object.freeze([
  ["json", ["--json"], "list as JSON"],
  ["keepFile", ["--keep-file"], "rm: keep the model file, forget the entry"],
  ["help", ["-h", "--help"], "show this help"],
].map(([key, flags, description]) => ({
  key: key as string,
  flags: flags as string[],
  type: "boolean" as const,
  default: false,
  description: description as string,
  commands: ["models" as const],
})));

const USAGE = `usage: deno task models [--json]      list the library
       deno task models rm ID [--keep-file]   remove a model (and its file)
       deno task models verify ID             check a model file's sha256

${formatOptions(MODELS_OPTIONS)}
`;

/** Where the library looks: the app's folders, then the well-known caches. */
export interface ModelsEnv {
  dataDir: string;
  roots: Root[];
}

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

/** One table row per model. */
export function formatModels(models: readonly LibraryModel[]): string {
  const rows = models.map((m) => [
    m.id,
    m.displayName,
    m.kind === "model" ? (m.quantization ?? "") : m.kind,
    mib(m.sizeBytes),
    m.nCtxTrain ? String(m.nCtxTrain) : "",
    m.broken ? `broken: ${m.brokenReason}` : m.path,
  ]);
  const header = ["id", "name", "quant", "size", "n_ctx_train", "path"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

/** Runs `models`; returns the exit status. */
export async function modelsCommand(args: string[], env: ModelsEnv): Promise<number> {
  let library: ModelLibrary | undefined;
  let storage;
  try {
    const { positionals, values, help } = readOptions(MODELS_OPTIONS, args, {
      helpHint: "hearth models --help",
      positionals: true,
    });
    if (help) {
      writeAllSync(Deno.stdout, USAGE);
      return 0;
    }
    storage = openDatabase(join(env.dataDir, DATABASE_FILE));
    const folders: Root[] = storage.modelFolders.list().map((f) => ({
      kind: "folder",
      path: f.path,
    }));
    library = new ModelLibrary(storage, [...folders, ...env.roots]);
    await library.scan();
    const [action, id] = positionals;
    if (action === undefined) {
      const models = library.list();
      writeAllSync(
        Deno.stdout,
        values.json ? `${JSON.stringify(models, null, 2)}\n` : formatModels(models),
      );
      return 0;
    }
    if ((action !== "rm" && action !== "verify") || !id || positionals.length > 2) {
      writeAllSync(Deno.stderr, USAGE);
      return 1;
    }
    if (action === "rm") {
      await library.remove(id, { deleteFile: !values.keepFile });
      writeAllSync(Deno.stdout, `removed ${id}\n`);
      return 0;
    }
    const result = await library.verify(id);
    const expected = result.expectedSha256 ? ` (expected ${result.expectedSha256})` : "";
    writeAllSync(
      Deno.stdout,
      `${result.ok ? "ok" : "MISMATCH"} sha256 ${result.sha256}${expected}\n`,
    );
    return result.ok ? 0 : 1;
  } catch (error) {
    return reportError(error);
  } finally {
    await library?.close();
    storage?.close();
  }
}
