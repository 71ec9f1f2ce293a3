/**
 * `hearth chat -m NAME:MODEL`: the terminal chat on a provider's model. The whole
 * conversation is sent each turn (providers keep no state); Ctrl+C stops a reply, and at
 * the prompt Ctrl+C, Ctrl+D or /quit exit 0. The first line says the conversation leaves
 * the machine.
 *
 * @module
 */
import process from "node:process";
import { createInterface } from "node:readline";
import type { Config } from "../config/config.ts";
import type { ChatMessage } from "../engine/chat_template.ts";
import { errorLine, isExpected, writeAllSync } from "./errors.ts";
import { interrupted } from "./generate.ts";
import { type RemoteModel, remoteSampling } from "./remote.ts";

const HELP = `Commands:
  /reset   clear the conversation, keep the system prompt
  /quit    exit (also Ctrl+D, or Ctrl+C at the prompt)
  /help    this list
Ctrl+C during a reply stops it.
`;

const out = (text: string) => writeAllSync(Deno.stdout, text);

/** Runs the chat on `remote` until /quit, EOF or Ctrl+C at the prompt; resolves with 0. */
export async function remoteChat(config: Config, remote: RemoteModel): Promise<number> {
  let current: AbortController | undefined;
  let quit = () => {};
  const onSigint = () => current ? current.abort(interrupted()) : quit();
  Deno.addSignalListener("SIGINT", onSigint);
  const system: ChatMessage[] = config.system ? [{ role: "system", content: config.system }] : [];
  let transcript: ChatMessage[] = [];
  const lines = createInterface({ input: process.stdin, terminal: false });
  quit = () => lines.close();
  try {
    out(
      `Chatting with ${remote.model} on provider "${remote.backend.provider}" ` +
        `(cloud: messages leave this machine). /help lists the commands.\n`,
    );
    const input = lines[Symbol.asyncIterator]();
    for (;;) {
      out("> ");
      const next = await input.next();
      if (next.done) {
        out("\n");
        return 0;
      }
      const line = next.value.trim();
      if (line === "") continue;
      if (line === "/quit" || line === "/exit") return 0;
      if (line === "/reset") {
        transcript = [];
        out("(conversation cleared)\n");
        continue;
      }
      if (line.startsWith("/")) {
        out(line === "/help" ? HELP : `Unknown command ${line}: type /help for the list\n`);
        continue;
      }
      transcript.push({ role: "user", content: line });
      current = new AbortController();
      try {
        const completion = remote.backend.complete({
          model: remote.model,
          messages: [...system, ...transcript],
          sampling: remoteSampling(config),
          signal: current.signal,
        });
        for await (const piece of completion) out(piece.text);
        const result = await completion.result;
        if (!result.text.endsWith("\n")) out("\n");
        if (result.finishReason === "abort") out("(stopped)\n");
        transcript.push({ role: "assistant", content: result.text });
      } catch (error) {
        // The turn got no answer: forget it, say why, and keep chatting.
        transcript.pop();
        if (!isExpected(error)) throw error;
        out("\n");
        writeAllSync(Deno.stderr, `hearth: ${errorLine(error)}\n`);
      } finally {
        current = undefined;
      }
    }
  } finally {
    lines.close();
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}
