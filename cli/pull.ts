/**
 * `deno task pull ORG/REPO[:QUANT|/FILE.gguf]`: downloads a GGUF model from Hugging
 * Face into its cache (resumable, verified), with a progress bar on stderr. A quant
 * picks the file by its label (Q4_K_M, Q8_0...); no quant and no file picks Q4_K_M
 * where present. Split models download every part.
 *
 * @module
 */
import {
  downloadFile,
  type DownloadProgress,
  type GgufFile,
  listGgufFiles,
  pickDefaultQuant,
} from "../hub/mod.ts";
import type { HubEnv } from "../config/config.ts";
import { formatOptions, type OptionSpec, readOptions } from "../config/args.ts";
import { reportError, writeAllSync } from "./errors.ts";

/** pull's options, read by config/args.ts as every command's are. */
export const PULL_OPTIONS: readonly OptionSpec[] = Object.freeze([
  {
    key: "revision",
    flags: ["--revision"],
    type: "string",
    valueName: "REV",
    default: "main",
    description: "branch, tag or commit of the repo",
    commands: ["pull"],
  },
  {
    key: "help",
    flags: ["-h", "--help"],
    type: "boolean",
    default: false,
    description: "show this help",
    commands: ["pull"],
  },
]);

const USAGE = `usage: deno task pull ORG/REPO[:QUANT|/FILE.gguf] [--revision REV]\n\n${
  formatOptions(PULL_OPTIONS)
}\n`;

/** A parsed model spec. */
export interface PullSpec {
  repo: string;
  quant?: string;
  file?: string;
}

/**
 * Parses `ORG/REPO`, `ORG/REPO:QUANT` or `ORG/REPO/PATH/FILE.gguf`.
 *
 * @throws {TypeError} for anything else.
 */
export function parsePullSpec(text: string): PullSpec {
  const match = /^([\w.-]+\/[\w.-]+)(?::([\w.-]+)|\/(.+\.gguf))?$/i.exec(text);
  if (!match) {
    throw new TypeError(
      `Cannot read "${text}": expected ORG/REPO, ORG/REPO:QUANT or ORG/REPO/FILE.gguf`,
    );
  }
  return { repo: match[1], quant: match[2], file: match[3] };
}

/** Picks the file a spec names from a repo's GGUF files. */
export function chooseFile(files: readonly GgufFile[], spec: PullSpec): GgufFile {
  const models = files.filter((f) => !f.isMmproj);
  const names = () => models.map((f) => f.quant ?? f.path).join(", ");
  if (spec.file) {
    const found = files.find((f) =>
      f.path === spec.file || f.parts.some((p) => p.path === spec.file)
    );
    if (!found) throw new TypeError(`No file "${spec.file}" in ${spec.repo}; it has: ${names()}`);
    return found;
  }
  if (spec.quant) {
    const wanted = spec.quant.toUpperCase();
    const found = models.find((f) => f.quant?.toUpperCase() === wanted);
    if (!found) throw new TypeError(`No ${spec.quant} file in ${spec.repo}; it has: ${names()}`);
    return found;
  }
  const picked = pickDefaultQuant(models);
  if (!picked) throw new TypeError(`${spec.repo} has no GGUF model files`);
  return picked;
}

/** Formats a progress line: bar, bytes, rate and ETA. */
export function progressLine(name: string, p: DownloadProgress, width = 24): string {
  const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
  const share = p.totalBytes ? p.downloadedBytes / p.totalBytes : 0;
  const filled = Math.round(share * width);
  const eta = p.etaSeconds === null ? "" : ` ETA ${Math.ceil(p.etaSeconds)} s`;
  return `${name} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ` +
    `${mib(p.downloadedBytes)}/${p.totalBytes ? mib(p.totalBytes) : "?"} MiB ` +
    `${mib(p.bytesPerSecond)} MiB/s${eta}`;
}

/** Runs `pull`; returns the exit status. */
export async function pullCommand(args: string[], hub: HubEnv): Promise<number> {
  const controller = new AbortController();
  const onSigint = () =>
    controller.abort(
      new DOMException("Interrupted by Ctrl+C; run pull again to resume", "AbortError"),
    );
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    const read = readOptions(PULL_OPTIONS, args, {
      helpHint: "hearth pull --help",
      positionals: true,
    });
    const { positionals } = read;
    const revision = read.values.revision as string;
    if (read.help || positionals.length !== 1) {
      writeAllSync(Deno.stdout, USAGE);
      return read.help ? 0 : 1;
    }
    const spec = parsePullSpec(positionals[0]);
    const options = { endpoint: hub.endpoint, token: hub.token, signal: controller.signal };
    const files = await listGgufFiles(spec.repo, { revision }, options);
    if (files === null) throw new TypeError(`No model "${spec.repo}" on ${hub.endpoint}`);
    const file = chooseFile(files, spec);
    const tty = Deno.stderr.isTerminal();
    let path = "";
    for (const part of file.parts) {
      let last = 0;
      const result = await downloadFile(spec.repo, part.path, {
        cacheDir: hub.cacheDir,
        revision,
        sha256: part.sha256 ?? undefined,
        signal: controller.signal,
        onProgress: (progress) => {
          const now = performance.now();
          if (!tty && now - last < 2000) return;
          last = now;
          writeAllSync(
            Deno.stderr,
            `${tty ? "\r\x1b[K" : ""}${progressLine(part.path, progress)}${tty ? "" : "\n"}`,
          );
        },
      }, options);
      if (tty) writeAllSync(Deno.stderr, "\n");
      path ||= result.path;
    }
    writeAllSync(Deno.stdout, `${path}\n`);
    return 0;
  } catch (error) {
    return reportError(controller.signal.aborted ? controller.signal.reason : error);
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}
