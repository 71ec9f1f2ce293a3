/**
 * The prompt that continues an assistant reply ("Continue"): the conversation rendered
 * with the model's chat template up to the end of the reply's text, without the
 * end-of-turn the template would put after it, so generation picks up mid-reply. The
 * same approach as transformers' `continue_final_message`.
 *
 * @module
 */
import type { ChatMessage } from "../engine/chat_template.ts";
import type { Model } from "../engine/model.ts";

/**
 * Renders `messages` (the turns before the reply) and the reply's text so far, cut right
 * after that text, and tokenizes it with one BOS as the model wants.
 *
 * Where the template changes the reply's text (some trim it) so it cannot be found in the
 * rendering, the reply is appended to the generation prompt instead.
 *
 * @param model The loaded model (its chat template and tokenizer).
 * @param messages The conversation before the reply, system prompt included.
 * @param partial The reply's text so far; "" continues from the generation prompt.
 * @returns The prompt's token ids.
 * @throws {EngineError} when the template does not render.
 */
export async function continuationPrompt(
  model: Model,
  messages: readonly ChatMessage[],
  partial: string,
): Promise<number[]> {
  let text: string | undefined;
  if (partial !== "") {
    const whole = await model.applyChatTemplate([...messages, {
      role: "assistant",
      content: partial,
    }], {
      addGenerationPrompt: false,
    });
    const at = whole.lastIndexOf(partial);
    if (at >= 0) text = whole.slice(0, at + partial.length);
  }
  text ??= await model.applyChatTemplate(messages, { addGenerationPrompt: true }) + partial;
  const tokens = await model.tokenize(text, { addSpecial: true, parseSpecial: true });
  // A template that prints bos_token itself gets a second BOS from the tokenizer: drop it,
  // as the engine does for chat prompts.
  const bos = model.info.bos;
  if (bos >= 0 && tokens[0] === bos && tokens[1] === bos) tokens.shift();
  return tokens;
}
