/**
 * The right-hand panel (chat settings or resources). On narrow windows it floats over the chat.
 *
 * @module
 */
import type { JSX } from "preact";
import type { Stores } from "../stores/app.ts";
import { ChatSettingsPanel } from "./ChatSettingsPanel.tsx";
import { IconButton } from "./IconButton.tsx";
import { ResourcePanel } from "./ResourcePanel.tsx";

/** The side panel, or nothing when closed. */
export function SidePanel({ stores }: { stores: Stores }): JSX.Element | null {
  const panel = stores.view.panel.value;
  if (!panel) return null;
  const title = panel === "chat" ? "Chat settings" : "Resources";
  return (
    <aside class="side-panel" aria-label={title}>
      <div class="panel-head">
        <h2>{title}</h2>
        <IconButton
          icon="close"
          label={`Close ${title.toLowerCase()}`}
          onClick={() => stores.view.togglePanel(panel)}
        />
      </div>
      <div class="panel-body">
        {panel === "chat"
          ? <ChatSettingsPanel stores={stores} />
          : <ResourcePanel stores={stores} />}
      </div>
    </aside>
  );
}
