/**
 * Hearth's Hugging Face hub layer: search GGUF models, list a repository's GGUF files,
 * read a file's GGUF header with range requests, and download files into the Hugging
 * Face cache, resumable and verified. It imports nothing else of Hearth's, and takes its
 * configuration (endpoint, token, cache directory) from the caller.
 *
 * @example
 * ```ts ignore
 * import { downloadFile, hubCacheDir, listGgufFiles, pickDefaultQuant, searchModels } from "./mod.ts";
 *
 * const hub = { endpoint: "https://huggingface.co", token: undefined };
 * for await (const model of searchModels("smollm2", { limit: 3 }, hub)) console.log(model.id);
 * const files = await listGgufFiles("bartowski/SmolLM2-135M-Instruct-GGUF", {}, hub);
 * const file = files && pickDefaultQuant(files);
 * if (file) {
 *   const cacheDir = hubCacheDir((name) => Deno.env.get(name), Deno.env.get("HOME")!);
 *   const { path } = await downloadFile("bartowski/SmolLM2-135M-Instruct-GGUF", file.path, {
 *     cacheDir,
 *     sha256: file.sha256 ?? undefined,
 *   }, hub);
 *   console.log(path);
 * }
 * ```
 *
 * @module
 */
export { DEFAULT_ENDPOINT } from "./options.ts";
export type { HubOptions } from "./options.ts";
export { DiskSpaceError, HubError } from "./errors.ts";
export type { HubErrorCode, HubErrorInit } from "./errors.ts";
export { searchModels, searchModelsPage } from "./search_models.ts";
export type {
  ModelSearchPage,
  ModelSort,
  ModelSummary,
  SearchModelsOptions,
  SearchPageOptions,
} from "./search_models.ts";
export { getModelInfo } from "./model_info.ts";
export type { ModelInfo, ModelInfoOptions } from "./model_info.ts";
export { listGgufFiles } from "./list_gguf_files.ts";
export type { GgufFile, GgufFilePart, ListGgufFilesOptions } from "./list_gguf_files.ts";
export { pickDefaultQuant, QUANT_PREFERENCE } from "./pick_default_quant.ts";
export { getReadme } from "./get_readme.ts";
export type { GetReadmeOptions } from "./get_readme.ts";
export { ggufHeaderRemote } from "./gguf_header_remote.ts";
export type {
  GgufHeaderRemoteOptions,
  GgufTensorInfo,
  GgufValue,
  RemoteGgufHeader,
} from "./gguf_header_remote.ts";
export { hubCacheDir } from "./hub_cache_dir.ts";
export { downloadFile } from "./download_file.ts";
export type {
  DownloadFileOptions,
  DownloadProgress,
  DownloadResult,
  ResolvedFile,
} from "./download_file.ts";
export { verifyFile } from "./verify_file.ts";
export type { VerifyFileOptions, VerifyProgress, VerifyResult } from "./verify_file.ts";
export { DownloadManager } from "./download_manager.ts";
export type {
  DownloadEvent,
  DownloadManagerOptions,
  DownloadRequest,
  DownloadState,
  DownloadStatus,
  RestoredDownload,
} from "./download_manager.ts";
