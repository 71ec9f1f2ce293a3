/**
 * A square icon-only button; `label` becomes its accessible name and tooltip.
 *
 * @module
 */
import type { JSX } from "preact";
import { Icon, type IconName } from "./icons.tsx";

/** Props of {@link IconButton}. */
export type IconButtonProps = {
  icon: IconName;
  label: string;
  onClick: (event: MouseEvent) => void;
  pressed?: boolean;
  disabled?: boolean;
  class?: string;
};

/** An icon button with an aria-label and a title. */
export function IconButton(props: IconButtonProps): JSX.Element {
  return (
    <button
      type="button"
      class={`icon-button ${props.class ?? ""}`}
      aria-label={props.label}
      title={props.label}
      aria-pressed={props.pressed}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      <Icon name={props.icon} />
    </button>
  );
}
