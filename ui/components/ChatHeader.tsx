/**
 * The bar above the chat: the chat's title (click to rename), the model button (what answers; opens the model
 * picker; shows load progress, or that the last load failed), export/import, and the side
 * panel toggles.
 *
 * @module
 */
import type { JSX } from "preact";
import { DownloadsIndicator } from "./DownloadsIndicator.tsx";
import type { Stores } from "../stores/app.ts";
import { ChatTitle } from "./ChatTitle.tsx";
import { ExportMenu } from "./ExportMenu.tsx";
import { IconButton } from "./IconButton.tsx";
import { Icon } from "./icons.tsx";

/** The header. */
export function ChatHeader({ stores }: { stores: Stores }): JSX.Element {
  const { view, conversation, models } = stores;
  const loading = models.loading.value;
  const name = models.loadedName.value;
  const failed = models.loadError.value;
  const idle = name ?? (failed ? "Model failed to load" : "Choose a model");
  return (
    <header class="chat-header">
      <IconButton
        icon="menu"
        class="sidebar-toggle"
        label="Toggle sidebar"
        pressed={view.sidebarOpen.value}
        onClick={view.toggleSidebar}
      />
      <ChatTitle conversation={conversation} />
      <button
        type="button"
        class={`model-button ${loading ? "loading" : name ? "" : "none"}`}
        onClick={() => view.openDialog("models")}
        aria-label={name ? `Model: ${name}. Change model` : "Choose a model"}
        title={failed?.message}
      >
        <Icon name="chip" size={16} />
        <span class="model-name">
          {loading ? `Loading… ${Math.round(loading.progress * 100)}%` : idle}
        </span>
        {loading && <span class="model-progress" style={{ width: `${loading.progress * 100}%` }} />}
      </button>
      <span class="header-actions">
        <DownloadsIndicator stores={stores} />
        <ExportMenu stores={stores} />
        <IconButton
          icon="sliders"
          label="Chat settings"
          pressed={view.panel.value === "chat"}
          onClick={() => view.togglePanel("chat")}
        />
        <IconButton
          icon="gauge"
          label="Resources"
          pressed={view.panel.value === "resources"}
          onClick={() => view.togglePanel("resources")}
        />
      </span>
    </header>
  );
}
