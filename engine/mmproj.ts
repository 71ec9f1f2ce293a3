/**
 * An mmproj (a vision projector GGUF) loaded for a model: made by `model.loadMmproj()`,
 * it lets prompts of that model carry images (`images` on chat messages and text
 * prompts). libmtmd does the work in the engine Worker; it is opened on first use.
 *
 * @module
 */
import type { Engine } from "./engine.ts";
import { DisposedError, GgufError, MmprojError } from "./errors.ts";
import { checkGgufFile } from "./gguf_check.ts";

/** What an mmproj can take, as libmtmd reports it. */
export interface MmprojInfo {
  /** The mmproj file. */
  path: string;
  /** It encodes images. */
  vision: boolean;
  /** It encodes audio (Hearth sends none yet). */
  audio: boolean;
  /** The model places image tokens with M-RoPE (positions differ from token counts). */
  mrope: boolean;
}

/** How libmtmd splits a prompt with images: what {@link Mmproj.tokenize} returns. */
export interface MediaTokenization {
  /** Chunks: runs of text tokens and one chunk per image. */
  chunks: number;
  /** Positions the prompt takes in a sequence (text tokens plus image positions). */
  positions: number;
  /** Each image's position span `[start, end)` and the KV cells (`nTokens`) it fills. */
  images: { start: number; end: number; nTokens: number }[];
}

/** The owner an mmproj reports to (its Model), kept abstract to avoid a cycle. */
export interface MmprojOwner {
  /** Whether the model was disposed. */
  readonly disposed: boolean;
  /** @internal */
  readonly _id: number;
  /** @internal */
  _forgetMmproj(mmproj: Mmproj): void;
}

/**
 * Checks that `path` is a GGUF mmproj (`general.type` "mmproj", or a `clip.*` header as
 * older converters wrote) before libmtmd reads it.
 *
 * @throws {ModelNotFoundError} when `path` is not a file.
 * @throws {MmprojError} for anything else.
 */
export async function checkMmprojFile(path: string): Promise<void> {
  let file;
  try {
    file = await checkGgufFile(path);
  } catch (error) {
    if (!(error instanceof GgufError)) throw error;
    throw new MmprojError(path, error.message, { cause: error });
  }
  const type = file.metadata["general.type"];
  const clip = Object.keys(file.metadata).some((key) => key.startsWith("clip."));
  if (type !== "mmproj" && !(type === undefined && clip)) {
    throw new MmprojError(
      path,
      `it is not an mmproj (general.type is ${JSON.stringify(type ?? null)}, not "mmproj"); ` +
        "give the mmproj*.gguf that belongs to this model",
    );
  }
}

/**
 * An mmproj owned by its model: disposing the model frees it. One per model at a time.
 *
 * @example
 * ```ts ignore
 * import { loadModel } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf");
 * using mmproj = await model.loadMmproj("models/stories260K-mmproj-random.gguf");
 * using ctx = await model.createContext({ nCtx: 256 });
 * const image = await Deno.readFile("photo.png");
 * const messages = [{ role: "user" as const, content: "What is this?", images: [image] }];
 * console.log(await ctx.chat(messages, { maxTokens: 16 }).text());
 * ```
 */
export class Mmproj {
  /** What libmtmd reports about the file. */
  readonly info: MmprojInfo;
  /** The model it was loaded for. */
  readonly model: MmprojOwner;
  readonly #engine: Engine;
  #disposed = false;

  /** @internal Made by Model.loadMmproj. */
  constructor(engine: Engine, model: MmprojOwner, info: MmprojInfo) {
    this.#engine = engine;
    this.model = model;
    this.info = info;
  }

  /** Whether the mmproj was disposed, directly or with its model. */
  get disposed(): boolean {
    return this.#disposed || this.model.disposed || this.#engine.disposed;
  }

  /**
   * Splits `text` with images the way a prompt would be (no decode): for counting
   * tokens and for tests. Each `<__media__>` marker in `text` stands for the next image.
   *
   * @throws {ImageInputError} for bytes that are not an image, or markers and images
   *   that differ in number.
   * @throws {DisposedError} after dispose.
   */
  async tokenize(
    text: string,
    images: readonly Uint8Array[],
    options: { addSpecial?: boolean } = {},
  ): Promise<MediaTokenization> {
    if (this.disposed) throw new DisposedError("Mmproj");
    return await this.#engine._call("tokenizeMedia", {
      modelId: this.model._id,
      text,
      images: [...images],
      addSpecial: options.addSpecial ?? true,
    }) as MediaTokenization;
  }

  /** Frees the mmproj; prompts with images then fail until another is loaded. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (!this.model.disposed && !this.#engine.disposed) {
      this.#engine._send("freeMmproj", { modelId: this.model._id });
    }
    this.model._forgetMmproj(this);
  }

  /** Same as {@link dispose}; for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
