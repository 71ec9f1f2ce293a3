/**
 * Messages between the main thread and the engine Worker. Requests carry an id;
 * the Worker answers each with exactly one `result` or `error`, after any number of
 * `progress` or `pieces` events for the same id. Requests run one at a time in order,
 * so a free always comes after the work queued before it.
 *
 * @module
 */
import type { ChatMessage } from "./chat_template.ts";
import type { ResolvedSampling } from "./sampling.ts";
import type { Piece } from "./types.ts";

/** Slots of the shared abort array: slot 0 serves model loads, the rest contexts. */
export const ABORT_SLOTS = 256;

/**
 * The element after the abort slots in the same shared array: how many requests the
 * main thread has posted. The Worker counts those it received; while the two differ
 * a message is on its way, and the serve loop yields so that it can arrive.
 */
export const POSTED_INDEX = ABORT_SLOTS;

/**
 * A slot holding a job's serial stops that job; a slot holding ABORT_ALL stops
 * whatever runs there (engine shutdown).
 */
export const ABORT_ALL = -1;

/** Whether the abort slot value `flag` stops the job with `serial` (0 = no job). */
export function isAborted(flag: number, serial: number): boolean {
  return serial !== 0 && (flag === serial || flag === ABORT_ALL);
}

/** What the Worker does with a chat prompt that does not fit. */
export type OverflowPolicy = "error" | "truncate-oldest";

/** A prompt: text to tokenize (with special tokens parsed) or token ids. */
export type PromptInput =
  /** `images`: encoded image files, one per media marker in `text` (markers in front if none). */
  | { text: string; addSpecial: boolean; images?: Uint8Array[] }
  | { tokens: number[] }
  | {
    messages: ChatMessage[];
    overflow: OverflowPolicy;
    templateVars?: Record<string, unknown>;
    /** Replaces the model's own template. */
    chatTemplate?: string;
  };

/** Adapters by Worker id, with their scales. */
export type LoraIds = { loraId: number; scale: number }[];

/** Requests, by operation name. */
export interface Requests {
  init: {
    dir: string;
    preloadDirs: string[];
    variant: string;
    echoLevel: number;
    abortFlags: SharedArrayBuffer;
    /** llama.cpp RPC workers to add as devices, "HOST:PORT" each, already probed. */
    rpcServers?: string[];
    /** Where to look for libggml-rpc after `dir`. */
    rpcLibDirs?: string[];
  };
  loadModel: {
    path: string;
    nGpuLayers: number;
    useMmap: boolean;
    useMlock: boolean;
    vocabOnly: boolean;
    useExtraBufts: boolean;
    serial: number;
    progress: boolean;
  };
  freeModel: { modelId: number };
  createContext: {
    modelId: number;
    abortSlot: number;
    nCtx: number;
    nBatch: number;
    nUbatch: number;
    nThreads: number;
    nSeqMax: number;
    kvUnified: boolean;
    flashAttn: "auto" | boolean;
    typeK: number;
    typeV: number;
    embeddings: boolean;
    /** A draft model and its limits: speculative decoding (engine/speculative.ts). */
    draft?: { modelId: number; nMax: number; nMin: number; pMin: number };
  };
  freeContext: { ctxId: number };
  /** Loads an adapter file already checked on the main thread; answers its id. */
  loadLora: { modelId: number; path: string };
  /** Frees an adapter, taking it off the contexts that use it first. */
  freeLora: { loraId: number };
  /** Loads an mmproj for a model (libmtmd, opened on first use); answers its facts. */
  loadMmproj: { modelId: number; path: string; nThreads: number };
  /** Frees a model's mmproj. */
  freeMmproj: { modelId: number };
  /** Tokenizes text with images through libmtmd: chunk sizes, for tests and the UI. */
  tokenizeMedia: { modelId: number; text: string; images: Uint8Array[]; addSpecial: boolean };
  /** Live and freed native handles the free-once tests count. */
  handleCounts: Record<string, never>;
  /** Sets a context's adapters (scale 0 entries are dropped, as llama.cpp does). */
  setLoras: { ctxId: number; loras: LoraIds };
  tokenize: { modelId: number; text: string; addSpecial: boolean; parseSpecial: boolean };
  detokenize: {
    modelId: number;
    tokens: number[];
    removeSpecial: boolean;
    unparseSpecial: boolean;
  };
  applyTemplate: {
    modelId: number;
    messages: ChatMessage[];
    addGenerationPrompt: boolean;
    templateVars?: Record<string, unknown>;
    chatTemplate?: string;
  };
  createSampler: { modelId: number; sampling: ResolvedSampling; nCtx: number };
  freeSampler: { samplerId: number };
  generate: {
    ctxId: number;
    seqId: number;
    prompt: PromptInput;
    sampling: ResolvedSampling | { samplerId: number };
    maxTokens: number;
    stop: string[];
    special: boolean;
    serial: number;
  };
  /**
   * Turns a context into a scheduler's slots (one per sequence). The loop beats
   * `heartbeat` at every step, counting from `heartbeatBase` (engine/heartbeat.ts).
   */
  serveOpen: {
    ctxId: number;
    queueLimit: number;
    heartbeat: SharedArrayBuffer;
    heartbeatBase: number;
    /** Whether requests copy a prompt prefix another sequence holds; default true. */
    prefixSharing?: boolean;
  };
  /** Queues a request on a serving context; answers when it ends. */
  serveSubmit: {
    ctxId: number;
    key: number;
    prompt: PromptInput;
    sampling: ResolvedSampling;
    maxTokens: number;
    stop: string[];
    special: boolean;
    /** The adapters this request runs with; requests with other sets never share a decode. */
    loras: LoraIds;
  };
  /** Ends request `key` at the next step. */
  serveCancel: { ctxId: number; key: number };
  sequenceTokens: { ctxId: number; seqId: number };
  clearSequence: { ctxId: number; seqId: number };
  embed: { modelId: number; texts: string[]; normalize: boolean; nThreads: number };
  probeMemory: {
    path: string;
    nGpuLayers: number;
    nCtx: number;
    nBatch: number;
    nUbatch: number;
    nSeqMax: number;
    kvUnified: boolean;
    flashAttn: "auto" | boolean;
    typeK: number;
    typeV: number;
  };
  /** Every device's memory now (`ggml_backend_dev_memory`). */
  devices: Record<string, never>;
  bench: {
    ctxId: number;
    nPrompt: number;
    nGen: number;
    repetitions: number;
    warmup: boolean;
  };
  shutdown: Record<string, never>;
}

/** A request as sent. */
export type Request = {
  [K in keyof Requests]: { id: number; op: K; args: Requests[K] };
}[keyof Requests];

/** An error as it crosses the thread boundary. */
export interface SerializedError {
  name: string;
  message: string;
  /** Extra fields of our error classes (nPromptTokens, nCtx, path, resource). */
  fields: Record<string, unknown>;
}

/** Messages from the Worker. */
export type Reply =
  | { id: number; result: unknown }
  | { id: number; error: SerializedError }
  | { id: number; progress: number }
  | { id: number; pieces: Piece[] }
  /** A served request got a slot (it may have waited in the queue). One per request. */
  | { id: number; started: true };
