/**
 * Reading a model's headers: validation (engine/gguf_check.ts) plus the metadata the
 * library lists. Files that fail become broken entries with the reason.
 *
 * @module
 */
import { basename } from "node:path";
import { gguf } from "@huggingface/gguf";
import { ModelNotFoundError } from "../engine/errors.ts";
import type { GgufFileInfo } from "../engine/gguf_check.ts";
import type { ModelKind } from "../storage/models.ts";
import type { ModelSource } from "./_group.ts";
import { mainTensorType, type ModelFacts, modelFacts } from "./model_facts.ts";
import type { GgufChecker } from "./types.ts";

/** What reading a model found; every metadata field is null when the file does not say. */
export interface Inspection extends ModelFacts {
  kind: ModelKind;
  brokenReason: string | null;
  nTensors: number | null;
}

/**
 * Reads every found file of a model. Returns null when a single-file model vanished
 * while being read (the next scan drops it).
 */
export async function inspectModel(
  source: ModelSource,
  check: GgufChecker,
): Promise<Inspection | null> {
  const read = await readParts(source, check);
  if (!read) return null;
  const { infos, problems } = read;
  const head = source.files[0]?.path === source.path ? infos[0] : null;
  const metadata = head?.metadata ?? {};
  const splitProblem = checkSplitCount(source, metadata);
  if (splitProblem) problems.push(splitProblem);
  const brokenReason = problems.length === 0 ? null : problems.join("; ");

  const facts = modelFacts(metadata, source.path);
  const kind = modelKind(source.path, head);
  const valid = infos.filter((info): info is GgufFileInfo => info !== null);
  const weighted = brokenReason === null && valid.some((info) => info.tensorCount > 0);

  // A split model's general.parameter_count (when written) counts every part.
  const nParams = kind === "vocab-only"
    ? 0
    : facts.nParams ?? (brokenReason === null ? sumElements(valid) : null);
  let quantization = facts.quantization;
  if (weighted && quantization === null) quantization = await readMainTensorType(valid);

  return {
    ...facts,
    kind,
    brokenReason,
    nParams,
    nTensors: brokenReason === null ? valid.reduce((sum, info) => sum + info.tensorCount, 0) : null,
    quantization,
  };
}

/**
 * Validates every found part. Each problem (a missing part, a dangling link, a failed
 * check) becomes a sentence of the broken reason; null when a single file vanished.
 */
async function readParts(
  source: ModelSource,
  check: GgufChecker,
): Promise<{ infos: (GgufFileInfo | null)[]; problems: string[] } | null> {
  const infos: (GgufFileInfo | null)[] = [];
  const problems = source.missing.map((path) =>
    `part ${partLabel(source, path)} is missing ("${path}")`
  );
  for (const file of source.files) {
    if (file.danglingTarget !== undefined) {
      problems.push(`"${file.path}" links to "${file.danglingTarget}", which does not exist`);
      infos.push(null);
      continue;
    }
    try {
      infos.push(await check(file.path));
    } catch (error) {
      if (error instanceof ModelNotFoundError && source.splitCount === null) return null;
      problems.push(error instanceof Error ? error.message : String(error));
      infos.push(null);
    }
  }
  return { infos, problems };
}

/**
 * Vision projectors (`general.type` "mmproj", the `clip` architecture or "mmproj" in the
 * file name) pair with a model and never load alone, nor do LoRA adapters (`general.type`
 * "adapter"); a file with no tensors holds only a tokenizer.
 */
function modelKind(path: string, info: GgufFileInfo | null): ModelKind {
  if (info?.metadata["general.type"] === "adapter") return "adapter";
  if (info?.metadata["general.type"] === "mmproj" || info?.architecture === "clip") {
    return "mmproj";
  }
  if (info?.tensorCount === 0) return "vocab-only";
  return /mmproj/i.test(basename(path)) ? "mmproj" : "model";
}

/** gguf-split writes `split.count` into every part; it must match the file names. */
function checkSplitCount(
  source: ModelSource,
  metadata: Record<string, string | number | boolean>,
): string | null {
  const count = metadata["split.count"];
  if (source.splitCount === null || count === undefined || count === source.splitCount) {
    return null;
  }
  return `the file names say ${source.splitCount} parts but split.count in the first ` +
    `part is ${count}`;
}

function partLabel(source: ModelSource, path: string): string {
  const match = /-(\d{5})-of-\d{5}\.gguf$/i.exec(path);
  return `${Number(match?.[1])} of ${source.splitCount}`;
}

/** Parameters: the summed element counts of every tensor of every part. */
function sumElements(infos: readonly GgufFileInfo[]): number {
  let sum = 0;
  for (const info of infos) for (const tensor of info.tensors) sum += tensor.elements;
  return sum;
}

/**
 * The tensor type holding the most elements, for files that name no file type (old
 * converters). GgufFileInfo carries no tensor types, so the headers are parsed once
 * more: only for such files, and only when they changed.
 */
async function readMainTensorType(infos: readonly GgufFileInfo[]): Promise<string | null> {
  const tensors: { type: number; shape: bigint[] }[] = [];
  try {
    for (const info of infos) {
      const { tensorInfos } = await gguf(info.path, { allowLocalFile: true });
      for (const { dtype, shape } of tensorInfos) tensors.push({ type: dtype, shape });
    }
  } catch {
    return null; // validated a moment ago: the file changed meanwhile; the next scan sees it
  }
  return mainTensorType(tensors);
}
