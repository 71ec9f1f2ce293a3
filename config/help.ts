/**
 * The `--help` text of the run commands (start's overview, chat, tui, generate), made
 * from the option table so a flag and its help never disagree.
 *
 * @module
 */
import { type Command, COMMANDS, formatOptions, type OptionSpec } from "./args.ts";
import { LORA_HELP } from "./lora_flags.ts";
import { OPTIONS, optionsOf, RUN } from "./options.ts";

/** Marks an option that only some commands take, for the overview. */
function tagCommands(spec: OptionSpec): OptionSpec {
  if (spec.commands.length === RUN.length) return spec;
  const only = spec.commands.filter((c) => c !== "start").join(", ");
  return { ...spec, description: `${spec.description} (${only || "app"} only)` };
}

/** The `--help` text of a command ("start" gives the overview), from {@link OPTIONS}. */
export function helpText(command: Exclude<Command, "bench" | "pull" | "models" | "serve">): string {
  if (command === "generate") {
    return `Usage: hearth generate -p PROMPT [-m FILE] [FLAGS]\n\n` +
      `Streams the completion of PROMPT (not the prompt itself) to stdout.\n\n` +
      `Flags:\n${formatOptions(optionsOf("generate"))}\n${LORA_HELP}\n`;
  }
  if (command === "tui") {
    return `Usage: hearth tui [-m FILE] [--layout NAME] [--dry-run] [FLAGS]\n\n` +
      `The full-screen terminal app on the desktop app's database. Tab moves between\n` +
      `panes, Enter sends, Esc stops a reply, Ctrl+P opens the command palette, ? lists\n` +
      `the keys, Ctrl+C quits.\n\nFlags:\n${formatOptions(optionsOf("tui"))}\n`;
  }
  if (command === "chat") {
    return `Usage: hearth chat [-m FILE] [--system TEXT] [FLAGS]\n\n` +
      `Type a message and Enter; /help lists the chat commands. Ctrl+C stops a reply,\n` +
      `Ctrl+D or /quit exits.\n\nFlags:\n${formatOptions(optionsOf("chat"))}\n${LORA_HELP}\n`;
  }
  const commands = Object.entries(COMMANDS).map(([name, text]) => `  ${name.padEnd(9)} ${text}`);
  return `Usage: hearth [COMMAND] [FLAGS]\n\nCommands:\n${commands.join("\n")}\n\n` +
    `Without a command, hearth starts the desktop app. ` +
    `"hearth COMMAND --help" shows a command's flags.\n\n` +
    `Flags:\n${formatOptions(OPTIONS.map(tagCommands))}\n`;
}
