/**
 * Turns a prompt (text, token ids or chat messages) into the token ids to decode,
 * in the engine Worker. Chat messages are rendered with the model's own Jinja
 * template; where @huggingface/jinja cannot run it, llama.cpp's built-in template of
 * the same family renders it instead.
 *
 * @module
 */
import {
  type ChatMessage,
  ChatTemplateError,
  DEFAULT_CHAT_TEMPLATE,
  MEDIA_MARKER,
  renderChatTemplate,
} from "../chat_template.ts";
import { ContextOverflowError, EngineError, ImageInputError } from "../errors.ts";
import type { MtmdPrompt } from "./native_mtmd.ts";
import type { PromptInput } from "../protocol.ts";
import type { Truncation } from "../types.ts";
import type { NativeModel } from "./native_model.ts";

/** A prompt ready to decode. */
export interface PreparedPrompt {
  /** Token ids; with images, one key per position (see {@link MtmdPrompt.keys}). */
  tokens: Int32Array<ArrayBuffer>;
  /** libmtmd's chunks when the prompt has images; the caller frees them. */
  media?: MtmdPrompt;
  /** The rendered text, for chat prompts. */
  text: string;
  /** Messages dropped to fit (overflow "truncate-oldest"); `truncation.messages`. */
  droppedMessages: number;
  /** What overflow "truncate-oldest" dropped; absent when nothing was. */
  truncation?: Truncation;
}

/**
 * Prepares a prompt that fits `nCtxSeq` tokens (leaving room for one generated
 * token). With overflow "truncate-oldest" a chat loses whole turns, oldest first (see
 * {@link chatTurns}); system messages and the last turn always stay, so roles keep
 * alternating as templates require.
 *
 * @throws {ContextOverflowError} when it does not fit and the policy is "error", or
 *   when even the system messages and the last turn alone do not fit.
 * @throws {RangeError} for an empty prompt on a model without BOS.
 * @throws {ImageInputError} for images the model cannot take (no mmproj, not an image,
 *   markers and images differ in number, or nothing but an image at the end).
 */
export function preparePrompt(
  model: NativeModel,
  input: PromptInput,
  nCtxSeq: number,
  addGenerationPrompt: boolean,
): PreparedPrompt {
  if ("tokens" in input) return checked(Int32Array.from(input.tokens), "", nCtxSeq, model);
  if ("text" in input) {
    if (input.images?.length) {
      const text = withMarkers(input.text, input.images.length, "the prompt");
      return checkedMedia(model, text, input.images, input.addSpecial, nCtxSeq);
    }
    return checked(
      model.tokenize(input.text, input.addSpecial, true),
      input.text,
      nCtxSeq,
      model,
    );
  }
  const turns = chatTurns(input.messages);
  const droppedIndices: number[] = [];
  for (let droppedTurns = 0;; droppedTurns++) {
    const gone = new Set(droppedIndices);
    const kept = input.messages.filter((_, i) => !gone.has(i));
    const images = kept.flatMap((message) => message.images ?? []);
    const messages = kept.map((message, i) =>
      message.images?.length
        ? {
          role: message.role,
          content: withMarkers(message.content, message.images.length, `message ${i + 1}`),
        }
        : message
    );
    const text = renderMessages(
      model,
      input.chatTemplate ?? model.info.chatTemplate ?? DEFAULT_CHAT_TEMPLATE,
      messages,
      addGenerationPrompt,
      input.templateVars,
    );
    const bosText = model.info.bos >= 0 ? tokenText(model, model.info.bos) : "";
    // Templates that print bos_token themselves must not get a second BOS.
    const addSpecial = !(bosText !== "" && text.startsWith(bosText));
    const media = images.length ? tokenizeMedia(model, text, images, addSpecial) : undefined;
    const tokens = media?.keys ?? model.tokenize(text, addSpecial, true);
    if (tokens.length < nCtxSeq) {
      if (droppedTurns === 0) return { tokens, text, droppedMessages: 0, media };
      const truncation = {
        turns: droppedTurns,
        messages: droppedIndices.length,
        messageIndices: droppedIndices,
      };
      return { tokens, text, droppedMessages: droppedIndices.length, truncation, media };
    }
    media?.free();
    // The last turn (the question being answered) always stays.
    if (input.overflow !== "truncate-oldest" || droppedTurns >= turns.length - 1) {
      throw new ContextOverflowError(tokens.length, nCtxSeq);
    }
    droppedIndices.push(...turns[droppedTurns]);
  }
}

/**
 * Splits a conversation into turns: the indices of each user message and of the
 * assistant and tool messages after it, up to the next user message. Messages before
 * the first user message form a turn of their own. System messages belong to no
 * turn: wherever they are, they are never dropped.
 */
export function chatTurns(messages: readonly ChatMessage[]): number[][] {
  const turns: number[][] = [];
  messages.forEach((message, i) => {
    if (message.role === "system") return;
    if (message.role === "user" || turns.length === 0) turns.push([]);
    turns.at(-1)!.push(i);
  });
  return turns;
}

function checked(
  tokens: Int32Array<ArrayBuffer>,
  text: string,
  nCtxSeq: number,
  model: NativeModel,
): PreparedPrompt {
  if (tokens.length === 0) {
    if (model.info.bos < 0) throw new RangeError("prompt must not be empty");
    tokens = Int32Array.of(model.info.bos);
  }
  if (tokens.length >= nCtxSeq) throw new ContextOverflowError(tokens.length, nCtxSeq);
  return { tokens, text, droppedMessages: 0 };
}

/**
 * `content` with one media marker per image: as given when it has exactly that many,
 * else, when it has none, the markers in front (each on its own line).
 */
function withMarkers(content: string, images: number, where: string): string {
  const markers = content.split(MEDIA_MARKER).length - 1;
  if (markers === images) return content;
  if (markers === 0) return `${MEDIA_MARKER}\n`.repeat(images) + content;
  throw new ImageInputError(`${where} has ${markers} media markers for ${images} images`);
}

function tokenizeMedia(
  model: NativeModel,
  text: string,
  images: readonly Uint8Array[],
  addSpecial: boolean,
): MtmdPrompt {
  if (!model.mtmd) {
    throw new ImageInputError(
      "the model has no mmproj loaded; images need a vision model with its mmproj (--mmproj FILE)",
    );
  }
  const media = model.mtmd.tokenize(text, images, addSpecial);
  const last = media.spans.at(-1);
  if (last && last.end === media.keys.length) {
    media.free();
    // Generation needs the logits of a text token after the image.
    throw new ImageInputError("the prompt must go on with text after its last image");
  }
  return media;
}

function checkedMedia(
  model: NativeModel,
  text: string,
  images: readonly Uint8Array[],
  addSpecial: boolean,
  nCtxSeq: number,
): PreparedPrompt {
  const media = tokenizeMedia(model, text, images, addSpecial);
  if (media.keys.length >= nCtxSeq) {
    media.free();
    throw new ContextOverflowError(media.keys.length, nCtxSeq);
  }
  return { tokens: media.keys, text, droppedMessages: 0, media };
}

function tokenText(model: NativeModel, token: number): string {
  return new TextDecoder().decode(model.tokenBytes(token, true, new Uint8Array(64)));
}

function renderMessages(
  model: NativeModel,
  template: string,
  messages: readonly ChatMessage[],
  addGenerationPrompt: boolean,
  extra: Record<string, unknown> | undefined,
): string {
  try {
    return renderChatTemplate(template, messages, {
      addGenerationPrompt,
      bosToken: model.info.bos >= 0 ? tokenText(model, model.info.bos) : "",
      eosToken: model.info.eos >= 0 ? tokenText(model, model.info.eos) : "",
      extra,
    });
  } catch (error) {
    if (!(error instanceof ChatTemplateError)) throw error;
    try {
      return model.applyBuiltinTemplate(template, messages, addGenerationPrompt);
    } catch {
      throw new EngineError(
        `Cannot render the model's chat template: ${error.message}; llama.cpp has no built-in match`,
        { cause: error },
      );
    }
  }
}
