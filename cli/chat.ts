/**
 * `hearth chat`: a terminal chat over one Context. The message list is kept and sent
 * whole each turn; the engine reuses the KV cache prefix the previous turn left, so a
 * turn decodes only its new tokens. Ctrl+C stops a reply (it ends with finish_reason
 * "abort") and returns to the prompt; at the prompt, Ctrl+C, Ctrl+D or /quit exit 0.
 *
 * @module
 */
import process from "node:process";
import { createInterface } from "node:readline";
import type { Config } from "../config/config.ts";
import type { ChatMessage } from "../engine/chat_template.ts";
import type { Context } from "../engine/context.ts";
import type { EngineInfo, GenerationResult, ModelInfo } from "../engine/types.ts";
import { errorLine, isExpected, writeAllSync } from "./errors.ts";
import { callOptions, interrupted, openFlaggedModel } from "./generate.ts";
import type { ProviderRegistry } from "../app/providers/registry.ts";
import { remoteModel } from "./remote.ts";
import { remoteChat } from "./remote_chat.ts";

const HELP = `Commands:
  /reset        clear the conversation, keep the system prompt
  /system TEXT  set the system prompt and clear the conversation (no TEXT: remove it)
  /stats        token counts, speed and context use of the last reply
  /save FILE    save the conversation as Markdown
  /image FILE   attach an image (PNG, JPEG) to the next message (needs --mmproj)
  /quit         exit (also Ctrl+D, or Ctrl+C at the prompt)
  /help         this list
Ctrl+C during a reply stops it.
`;

/** Lines kept for Up/Down at the prompt. */
const HISTORY_SIZE = 200;

const out = (text: string) => writeAllSync(Deno.stdout, text);
const fail = (error: unknown) => writeAllSync(Deno.stderr, `hearth: ${errorLine(error)}\n`);

/**
 * Runs the chat until /quit, EOF or Ctrl+C at the prompt; resolves with the exit
 * status. Errors of one turn (e.g. a message longer than n_ctx) are printed and the
 * chat goes on.
 *
 * With `-m NAME:MODEL` naming a model of one of `providers`, the chat runs there
 * (cli/remote_chat.ts).
 *
 * @throws what loading the model throws (ModelNotFoundError, GgufError, ...).
 */
export async function chatCommand(config: Config, providers?: ProviderRegistry): Promise<number> {
  // -m NAME:MODEL of a configured provider: chat there instead.
  const remote = remoteModel(config, providers);
  if (remote) return await remoteChat(config, remote);
  // Installed first, so Ctrl+C never kills the process: the engine Worker must be
  // disposed on every way out. `current` is what Ctrl+C stops; none = quit.
  let current: AbortController | undefined = new AbortController();
  let quit = () => {};
  const onSigint = () => current ? current.abort(interrupted()) : quit();
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    using opened = await openFlaggedModel(config, current.signal);
    const { model, context } = opened;
    current = undefined;
    const session = new ChatSession(context, config);
    out(session.banner());
    out(`${devicesLine(model)}\n`);
    // In a terminal, readline edits the line (arrows, Home/End, Ctrl+W) and keeps a
    // history (Up/Down); piped input is read as plain lines.
    const tty = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
    const lines = createInterface({
      input: process.stdin,
      output: tty ? process.stdout : undefined,
      terminal: tty,
      historySize: HISTORY_SIZE,
      prompt: "> ",
    });
    // In raw mode Ctrl+C is a key, not a signal: readline reports it here.
    lines.on("SIGINT", onSigint);
    quit = () => lines.close(); // ends the line iterator below
    try {
      const input = lines[Symbol.asyncIterator]();
      for (;;) {
        if (tty) lines.prompt();
        else out("> ");
        const next = await input.next();
        if (next.done) { // EOF or Ctrl+C: end the prompt's line
          out("\n");
          break;
        }
        const line = next.value.trim();
        if (line === "") continue;
        if (line.startsWith("/")) {
          if (await session.command(line) === "quit") break;
          continue;
        }
        current = new AbortController();
        await session.reply(line, current.signal).finally(() => current = undefined);
      }
      return 0;
    } finally {
      lines.close();
    }
  } catch (error) {
    // Ctrl+C while the model loads means "quit", as it does at the prompt.
    if (error instanceof DOMException && error.name === "AbortError") return 0;
    throw error;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}

/** One conversation on a context: its messages, the last result and the / commands. */
class ChatSession {
  readonly #context: Context;
  readonly #config: Config;
  #system: string | undefined;
  /** Every message since the last reset, for /save. */
  #transcript: ChatMessage[] = [];
  /** Leading transcript messages dropped to fit n_ctx: no longer sent. */
  #dropped = 0;
  #last: GenerationResult | undefined;
  /** Images from /image, sent with the next message. */
  #images: Uint8Array[] = [];

  constructor(context: Context, config: Config) {
    this.#context = context;
    this.#config = config;
    this.#system = config.system;
  }

  /** The greeting: model, context size and how to get help. */
  banner(): string {
    const { info } = this.#context.model;
    const name = info.name ?? info.path.split(/[\\/]/).pop();
    const template = info.chatTemplate ? "" : " (no chat template in the file: using ChatML)";
    return `Chatting with ${name}, ${info.description}, n_ctx ${this.#context.info.nCtx}` +
      `${template}.\nType /help for commands, Ctrl+C stops a reply, Ctrl+D or /quit exits.\n`;
  }

  #messages(): ChatMessage[] {
    const system: ChatMessage[] = this.#system ? [{ role: "system", content: this.#system }] : [];
    return [...system, ...this.#transcript.slice(this.#dropped)];
  }

  /** Sends `text` as the user's turn and streams the answer to stdout. */
  async reply(text: string, signal: AbortSignal): Promise<void> {
    const images = this.#images.splice(0);
    this.#transcript.push({ role: "user", content: text, ...(images.length ? { images } : {}) });
    const generation = this.#context.chat(this.#messages(), {
      ...callOptions(this.#config),
      overflow: "truncate-oldest",
      signal,
    });
    let result: GenerationResult;
    try {
      for await (const piece of generation) out(piece.text);
      result = await generation.result;
    } catch (error) {
      // The turn got no answer: forget it, say why, and keep chatting.
      this.#transcript.pop();
      if (!isExpected(error)) throw error;
      out("\n");
      fail(error);
      return;
    }
    if (!result.text.endsWith("\n")) out("\n");
    if (result.finishReason === "abort") out("(stopped)\n");
    if (result.droppedMessages > 0) {
      this.#dropped += result.droppedMessages;
      const s = result.droppedMessages === 1 ? "" : "s";
      out(
        `(dropped ${result.droppedMessages} oldest message${s} to fit n_ctx ${this.#context.info.nCtxSeq})\n`,
      );
    }
    this.#transcript.push({ role: "assistant", content: result.text });
    this.#last = result;
  }

  /** Runs a / command; "quit" asks the loop to end. */
  async command(line: string): Promise<"quit" | undefined> {
    const [name] = line.split(/\s/, 1);
    const arg = line.slice(name.length).trim();
    switch (name) {
      case "/quit":
      case "/exit":
        return "quit";
      case "/reset":
        this.#reset();
        out("(conversation cleared)\n");
        break;
      case "/system":
        this.#system = arg === "" ? undefined : arg;
        this.#reset();
        out(
          arg === "" ? "(system prompt removed)\n" : "(system prompt set, conversation cleared)\n",
        );
        break;
      case "/stats":
        out(await this.#stats());
        break;
      case "/save":
        await this.#save(arg);
        break;
      case "/image":
        await this.#attach(arg);
        break;
      case "/help":
        out(HELP);
        break;
      default:
        out(`Unknown command ${name}: type /help for the list\n`);
    }
  }

  async #attach(path: string): Promise<void> {
    if (path === "") return void out("Usage: /image FILE\n");
    if (this.#config.mmproj === undefined) {
      return void out("(no mmproj: start the chat with --mmproj FILE to send images)\n");
    }
    try {
      this.#images.push(await Deno.readFile(path));
      out(`(${this.#images.length} image(s) attached to the next message)\n`);
    } catch (error) {
      fail(error);
    }
  }

  #reset(): void {
    this.#transcript = [];
    this.#dropped = 0;
  }

  async #stats(): Promise<string> {
    const inUse = (await this.#context.sequenceTokens(0)).length;
    const context = `context: ${inUse} of ${this.#context.info.nCtxSeq} tokens in use (n_ctx)\n`;
    if (!this.#last) return `no reply yet\n${context}`;
    const m = this.#last.metrics;
    const f = (x: number) => x.toFixed(1);
    return `last reply: ${m.promptTokens} prompt tokens (${m.cachedTokens} cached), ` +
      `${m.generatedTokens} generated, finish_reason ${this.#last.finishReason}\n` +
      `TTFT ${f(m.ttftMs)} ms, prompt ${f(m.promptTokPerSec)} tok/s, ` +
      `generation ${f(m.genTokPerSec)} tok/s${draftStats(m)}\n${context}`;
  }

  async #save(path: string): Promise<void> {
    if (path === "") {
      out("Usage: /save FILE.md\n");
      return;
    }
    const { info } = this.#context.model;
    const title = { system: "System", user: "User", assistant: "Assistant" } as const;
    const system: ChatMessage[] = this.#system ? [{ role: "system", content: this.#system }] : [];
    const sections = [...system, ...this.#transcript].map((message) =>
      `## ${title[message.role as keyof typeof title] ?? message.role}\n\n${message.content}\n`
    );
    const markdown = `# Hearth chat\n\nModel: \`${info.path}\` (${info.description}), ` +
      `saved ${new Date().toISOString()}\n\n${sections.join("\n")}`;
    try {
      await Deno.writeTextFile(path, markdown);
      out(`(saved ${sections.length} messages to ${path})\n`);
    } catch (error) {
      fail(error);
    }
  }
}

/** Which devices the engine found and how many layers went to a GPU. */
function devicesLine(model: { engine: { info: EngineInfo }; info: ModelInfo }): string {
  const devices = model.engine.info.devices.map((d) => `${d.name} (${d.description})`);
  return `Devices: ${devices.join(", ")}; ${model.info.nLayersOffloaded} of ` +
    `${model.info.nLayer + 1} layers on GPU; libllama from ${model.engine.info.variant}.`;
}

/** ", draft: A of D accepted (R %)" for a speculative reply; "" otherwise. */
function draftStats(m: GenerationResult["metrics"]): string {
  if (m.draftTokens === undefined) return "";
  const rate = ((m.draftAcceptanceRate ?? 0) * 100).toFixed(1);
  return `, draft: ${m.draftAcceptedTokens} of ${m.draftTokens} accepted (${rate} %)`;
}
