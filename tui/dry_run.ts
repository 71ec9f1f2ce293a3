/**
 * `hearth tui --dry-run`: checks the configuration (the model file exists) and the
 * database (opens it, which applies pending migrations), then prints what it holds.
 *
 * @module
 */
import { join } from "node:path";
import type { Config } from "../config/config.ts";
import { DATABASE_FILE, openDatabase } from "../storage/mod.ts";
import { MIGRATIONS } from "../storage/migrations.ts";

/**
 * Prints the checked configuration and the database's counts through `out`; returns 0.
 *
 * @throws {Deno.errors.NotFound} when the model file is missing.
 * @throws {DatabaseVersionError} when a newer Hearth wrote the database.
 */
export function dryRun(config: Config, out: (text: string) => void): number {
  const model = Deno.statSync(config.model);
  const path = config.database ?? join(config.dataDir, DATABASE_FILE);
  // Another Hearth may be streaming into the file: leave its replies alone.
  const storage = openDatabase(path, { recoverInterrupted: false });
  try {
    const chats = storage.chats.list();
    const messages = chats.reduce((sum, chat) => sum + storage.messages.list(chat.id).length, 0);
    out(
      [
        `Configuration: ok`,
        `  model: ${config.model} (${model.size} bytes)`,
        `  layout: ${config.layout ?? "sidebar"}${config.noColor ? ", no colour" : ""}`,
        `Database: ${path}`,
        `  migrations applied: ${MIGRATIONS.length}`,
        `  chats: ${chats.length}`,
        `  messages: ${messages}`,
        `  models: ${storage.models.list().length}`,
        "",
      ].join("\n"),
    );
    return 0;
  } finally {
    storage.close();
  }
}
