/**
 * The sampling options as number fields, in llama.cpp's order. Used by the chat panel (empty
 * = the settings' default, shown as the placeholder) and by Settings (the defaults).
 *
 * @module
 */
import type { JSX } from "preact";
import type { Sampling } from "../../api/types.ts";
import { NumberField } from "./fields.tsx";

type Spec = {
  key: keyof Sampling;
  label: string;
  min: number;
  max?: number;
  step: number;
  hint: string;
};

const SPECS: Spec[] = [
  {
    key: "temperature",
    label: "Temperature",
    min: 0,
    max: 5,
    step: 0.05,
    hint: "0 = always the most likely token",
  },
  { key: "top_p", label: "Top P", min: 0, max: 1, step: 0.01, hint: "1 = off" },
  { key: "top_k", label: "Top K", min: 0, step: 1, hint: "0 = off" },
  { key: "min_p", label: "Min P", min: 0, max: 1, step: 0.01, hint: "0 = off" },
  { key: "repeat_penalty", label: "Repeat penalty", min: 0, max: 3, step: 0.05, hint: "1 = off" },
  { key: "max_tokens", label: "Max tokens", min: -1, step: 1, hint: "-1 = until the model stops" },
  { key: "seed", label: "Seed", min: -1, step: 1, hint: "-1 = random" },
];

/** Props of {@link SamplingFields}. */
export type SamplingFieldsProps = {
  value: Sampling;
  /** Placeholders: the values that apply when a field is empty. */
  defaults?: Sampling;
  onChange(next: Sampling): void;
};

/** The sampling fields. */
export function SamplingFields(props: SamplingFieldsProps): JSX.Element {
  return (
    <div class="field-grid">
      {SPECS.map((spec) => (
        <NumberField
          key={spec.key}
          label={spec.label}
          hint={spec.hint}
          value={props.value[spec.key]}
          placeholder={props.defaults?.[spec.key]?.toString()}
          min={spec.min}
          max={spec.max}
          step={spec.step}
          onCommit={(n) => {
            const next: Sampling = { ...props.value, [spec.key]: n };
            if (n === undefined) delete next[spec.key];
            props.onChange(next);
          }}
        />
      ))}
    </div>
  );
}
