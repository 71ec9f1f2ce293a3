/**
 * The command palette's commands (Ctrl+P): everything the keys do, plus what has no key
 * of its own (system prompt, sampling, export to Markdown or JSONL, layouts).
 *
 * @module
 */
import { join } from "node:path";
import type { TuiLayout } from "../config/config.ts";
import type { PaletteCommand } from "./overlays.ts";
import type { TuiState, TuiStore } from "./store.ts";

/** What the commands act on. */
export interface PaletteDeps {
  store: TuiStore;
  state: TuiState;
  ask: (label: string, initial: string, onSubmit: (text: string) => void) => void;
  setLayout: (layout: TuiLayout) => void;
  focus: (pane: "chat" | "sessions" | "models") => void;
  help: () => void;
  quit: () => void;
  editLast: () => void;
}

/** The file name an export of a chat titled `title` gets, in the working folder. */
export function exportPath(title: string, extension: string): string {
  const name = title.replace(/[^\p{L}\p{N} _-]+/gu, "").trim() || "chat";
  return join(Deno.cwd(), name + extension);
}

/** The palette's commands, in the order shown. */
export function paletteCommands(deps: PaletteDeps): PaletteCommand[] {
  const { store, state, ask } = deps;
  const chat = state.chat;
  const number = (label: string, key: "temperature" | "max_tokens" | "top_p" | "seed") => ({
    title: `Set ${label}`,
    run: () =>
      ask(`${label} for this chat`, String(chat?.sampling[key] ?? ""), (text) => {
        const value = Number(text);
        if (text.trim() === "" || !Number.isFinite(value)) {
          return store.notify(`Cannot set ${key}: "${text}" is not a number`, "error");
        }
        store.setSampling({ [key]: value });
      }),
  });
  return [
    { title: "New chat", run: () => (store.newChat(), deps.focus("chat")) },
    { title: "Sessions", run: () => deps.focus("sessions") },
    { title: "Models", run: () => deps.focus("models") },
    {
      title: "Rename chat",
      run: () => chat && ask("Rename chat", chat.title, (t) => store.rename(t)),
    },
    { title: "Delete chat", run: () => chat && store.delete(chat.id) },
    { title: "Stop reply", run: () => store.stop() },
    { title: "Regenerate reply", run: () => store.regenerate() },
    { title: "Edit last message", run: deps.editLast },
    {
      title: "Set system prompt",
      run: () =>
        ask(
          "System prompt for this chat",
          chat?.system_prompt ?? "",
          (t) => store.setSystemPrompt(t),
        ),
    },
    number("temperature", "temperature"),
    number("max tokens", "max_tokens"),
    number("top p", "top_p"),
    number("seed", "seed"),
    {
      title: "Export chat to Markdown",
      run: () =>
        ask("Export to", exportPath(chat?.title ?? "chat", ".md"), (p) => store.export("md", p)),
    },
    {
      title: "Export chat to JSONL",
      run: () =>
        ask(
          "Export to",
          exportPath(chat?.title ?? "chat", ".jsonl"),
          (p) => store.export("jsonl", p),
        ),
    },
    { title: "Layout: single", run: () => deps.setLayout("single") },
    { title: "Layout: chat + sidebar", run: () => deps.setLayout("sidebar") },
    { title: "Layout: chat + inspector", run: () => deps.setLayout("inspector") },
    { title: "Keys", run: deps.help },
    { title: "Quit", run: deps.quit },
  ];
}
