/**
 * Provider API keys on disk: one JSON object `{ provider: key }` in a file of mode 0600
 * in the config folder, never in the database (so never in exports). Written to a
 * temporary file of mode 0600 and renamed over the old one, so a crash leaves the old
 * keys, and no moment exists where the keys are readable by others.
 *
 * @module
 */
import { dirname, join } from "node:path";

/** The key file's name in the config folder. */
export const KEYS_FILE = "provider_keys.json";

/** Reads and writes the key file. */
export class KeyStore {
  /** The key file's path. */
  readonly path: string;

  /**
   * @param configDir The config folder; created on the first write.
   * @param fileName The key file's name in it. @default KEYS_FILE
   */
  constructor(configDir: string, fileName: string = KEYS_FILE) {
    this.path = join(configDir, fileName);
  }

  /** The key saved for `provider`, or undefined. */
  get(provider: string): string | undefined {
    return this.#read()[provider];
  }

  /** Saves `key` for `provider`; an empty key removes it. */
  set(provider: string, key: string): void {
    const keys = this.#read();
    if (key) keys[provider] = key;
    else delete keys[provider];
    this.#write(keys);
  }

  /** Forgets `provider`'s key. */
  delete(provider: string): void {
    const keys = this.#read();
    if (!(provider in keys)) return;
    delete keys[provider];
    this.#write(keys);
  }

  #read(): Record<string, string> {
    let text: string;
    try {
      text = Deno.readTextFileSync(this.path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return {};
      throw error;
    }
    try {
      const value = JSON.parse(text);
      if (value && typeof value === "object" && !Array.isArray(value)) return value;
    } catch {
      // Falls through: the message must not quote the text, it holds keys.
    }
    throw new SyntaxError(
      `Cannot read provider keys from ${this.path}: not a JSON object; fix or delete the file`,
    );
  }

  #write(keys: Record<string, string>): void {
    Deno.mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${crypto.randomUUID()}.tmp`;
    try {
      Deno.writeTextFileSync(temp, JSON.stringify(keys, null, 2) + "\n", { mode: 0o600 });
      // `mode` applies only when creating, and the umask may narrow it, never widen it.
      if (Deno.build.os !== "windows") Deno.chmodSync(temp, 0o600);
      Deno.renameSync(temp, this.path);
    } catch (error) {
      try {
        Deno.removeSync(temp);
      } catch {
        // Already renamed or never written.
      }
      throw error;
    }
  }
}
