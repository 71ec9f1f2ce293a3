/**
 * Long pastes in the composer as blocks instead of a wall of text in the box: a paste of more
 * than {@link PASTE_BLOCK_LINES} lines or {@link PASTE_BLOCK_CHARS} characters becomes a chip
 * ("Pasted text · 120 lines") that can be removed, and is sent after what the user typed.
 *
 * @module
 */
import type { JSX } from "preact";
import { Icon } from "./icons.tsx";

/** A paste with more lines than this becomes a block. */
export const PASTE_BLOCK_LINES = 15;
/** A paste longer than this, in characters, becomes a block. */
export const PASTE_BLOCK_CHARS = 1000;

/** Whether pasted `text` is long enough to become a block. */
export function isLongPaste(text: string): boolean {
  return text.length > PASTE_BLOCK_CHARS || text.split("\n").length > PASTE_BLOCK_LINES;
}

/** The message sent: what was typed, then each pasted block, separated by blank lines. */
export function withPastedBlocks(typed: string, blocks: readonly string[]): string {
  return [typed.trim() ? typed : "", ...blocks].filter((part) => part !== "").join("\n\n");
}

/** Props of {@link PastedBlocks}. */
export type PastedBlocksProps = {
  blocks: readonly string[];
  onRemove(index: number): void;
};

/** The chips of the pasted blocks; nothing when there are none. */
export function PastedBlocks({ blocks, onRemove }: PastedBlocksProps): JSX.Element | null {
  if (blocks.length === 0) return null;
  return (
    <ul class="pasted-blocks" aria-label="Pasted text">
      {blocks.map((text, i) => {
        const lines = text.split("\n").length;
        const label = `Pasted text · ${lines} ${lines === 1 ? "line" : "lines"}`;
        return (
          <li key={i} class="pasted-block" title={text.slice(0, 400)}>
            <span>{label}</span>
            <button
              type="button"
              aria-label={`Remove pasted text ${i + 1}`}
              onClick={() => onRemove(i)}
            >
              <Icon name="close" />
            </button>
          </li>
        );
      })}
    </ul>
  );
}
