/**
 * Form fields for settings: a number that commits on change (blur or Enter), so typing "0.7"
 * does not save "0" and "0." on the way. An empty number means "use the default".
 *
 * @module
 */
import type { ComponentChildren, JSX, TargetedEvent } from "preact";
import { useState } from "preact/hooks";

/**
 * The text being typed into a field, held until the field commits. A save that lands while
 * the user types in another field re-renders the whole form; without this, Preact would reset
 * the half-typed field to the stored value and the edit would be lost (no change event fires).
 */
export function useTyping(stored: string): {
  value: string;
  onInput(e: TargetedEvent<HTMLInputElement | HTMLTextAreaElement>): void;
  done(): void;
} {
  const [typed, setTyped] = useState<string | null>(null);
  return {
    value: typed ?? stored,
    onInput: (e) => setTyped(e.currentTarget.value),
    done: () => setTyped(null),
  };
}

/** Props of {@link NumberField}. */
export type NumberFieldProps = {
  label: string;
  value: number | undefined | null;
  /** Shown when empty: the default that applies. */
  placeholder?: string;
  min?: number;
  max?: number;
  step?: number;
  hint?: string;
  /** undefined when cleared. */
  onCommit(value: number | undefined): void;
};

/** A labelled number input. */
export function NumberField(props: NumberFieldProps): JSX.Element {
  const typing = useTyping(props.value == null ? "" : String(props.value));
  return (
    <label class="field">
      <span class="field-label" title={props.hint}>{props.label}</span>
      <input
        type="number"
        inputMode="decimal"
        value={typing.value}
        placeholder={props.placeholder}
        min={props.min}
        max={props.max}
        step={props.step ?? "any"}
        onInput={typing.onInput}
        onChange={(e) => {
          const text = e.currentTarget.value.trim();
          const n = Number(text);
          if (text === "") props.onCommit(undefined);
          else if (Number.isFinite(n)) props.onCommit(n);
          typing.done();
        }}
        onBlur={typing.done}
      />
    </label>
  );
}

/** A labelled block holding any control. */
export function Field(props: { label: string; children: ComponentChildren }): JSX.Element {
  return (
    <label class="field wide">
      <span class="field-label">{props.label}</span>
      {props.children}
    </label>
  );
}
