/**
 * What a hub file's GGUF header says about its model, before the file is downloaded: the
 * header comes over HTTP range requests (hub/gguf_header_remote.ts, a few MB at most) and
 * is read as the library reads a local file's (library/model_facts.ts), so the hub view
 * and the library show the same facts.
 *
 * @module
 */
import { ggufHeaderRemote, type HubOptions, listGgufFiles } from "../hub/mod.ts";
import { mainTensorType, type ModelFacts, modelFacts } from "../library/mod.ts";
import { HubFileNotFoundError } from "./errors.ts";

/** A hub file's model facts. */
export interface HubFileMetadata extends ModelFacts {
  /** Repository id, `org/name`. */
  repo: string;
  /** The file, or the first part of a split model. */
  file: string;
  /** Parts of a split model; 1 for a single file. */
  parts: number;
}

/**
 * Reads the header of `file` in `repo` (the first part for a split model). The parameter
 * count is `general.parameter_count`, else the header's tensor elements (single files
 * only: other parts' headers are not read); the quantization falls back to the tensor
 * type holding the most elements.
 *
 * @param hub Hub endpoint, token and fetch.
 * @param repo Repository id, `org/name`.
 * @param file A `.gguf` path in the repository, or any part of a split model.
 * @throws {HubFileNotFoundError} when the repository or file does not exist.
 * @throws {HubError} when the hub refuses (gated) or cannot be reached.
 * @throws {SyntaxError} when the file is not a readable GGUF.
 */
export async function hubFileMetadata(
  hub: HubOptions,
  repo: string,
  file: string,
): Promise<HubFileMetadata> {
  const files = await listGgufFiles(repo, {}, hub);
  if (!files) throw new HubFileNotFoundError(repo);
  const entry = files.find((f) => f.path === file || f.parts.some((p) => p.path === file));
  if (!entry) throw new HubFileNotFoundError(repo, file);
  const header = await ggufHeaderRemote(repo, entry.parts[0].path, {}, hub);
  if (!header) throw new HubFileNotFoundError(repo, entry.parts[0].path);
  const facts = modelFacts(header.metadata, entry.path);
  return {
    ...facts,
    nParams: facts.nParams ?? (entry.parts.length === 1 ? header.parameterCount : null),
    quantization: facts.quantization ?? mainTensorType(header.tensorInfos),
    repo,
    file: entry.path,
    parts: entry.parts.length,
  };
}
