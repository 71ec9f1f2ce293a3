/**
 * The sidebar's switch between the chats and the Sheets workbench.
 *
 * @module
 */
import type { JSX } from "preact";
import type { Section, ViewStore } from "../stores/view.ts";

const SECTIONS: [Section, string][] = [["chats", "Chats"], ["sheets", "Sheets"]];

/** Two tabs: Chats | Sheets. */
export function SectionSwitch({ view }: { view: ViewStore }): JSX.Element {
  return (
    <div class="segmented section-switch" role="tablist" aria-label="Section">
      {SECTIONS.map(([name, label]) => (
        <button
          key={name}
          type="button"
          role="tab"
          aria-selected={view.section.value === name}
          onClick={() => view.setSection(name)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
