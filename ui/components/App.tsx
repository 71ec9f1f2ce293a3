/**
 * The window: sidebar, chat (header, transcript, composer) or the Sheets workbench, side
 * panel, dialogs (with a confirmation over them) and toasts.
 * Receives the stores built once in main.tsx; every component below reads them.
 *
 * @module
 */
import type { JSX } from "preact";
import type { MarkdownRenderer } from "../lib/markdown.ts";
import type { Stores } from "../stores/app.ts";
import { ChatHeader } from "./ChatHeader.tsx";
import { ChatView } from "./ChatView.tsx";
import { Composer } from "./Composer.tsx";
import { ConfirmDialog } from "./ConfirmDialog.tsx";
import { HistoryDialog } from "./HistoryDialog.tsx";
import { ModelBrowser } from "./ModelBrowser.tsx";
import { SettingsDialog } from "./SettingsDialog.tsx";
import { SidePanel } from "./SidePanel.tsx";
import { Sidebar } from "./Sidebar.tsx";
import { Toasts } from "./Toasts.tsx";
import { SheetsView } from "./sheets/SheetsView.tsx";

/** Props of {@link App}. */
export type AppProps = { stores: Stores; render: MarkdownRenderer };

/** The whole UI. */
export function App({ stores, render }: AppProps): JSX.Element {
  const dialog = stores.view.dialog.value;
  return (
    <div class="app" data-sidebar={stores.view.sidebarOpen.value ? "open" : "closed"}>
      <Sidebar stores={stores} />
      {stores.view.section.value === "sheets" ? <SheetsView stores={stores} /> : (
        <>
          <main class="chat" aria-label="Chat">
            <ChatHeader stores={stores} />
            <ChatView stores={stores} render={render} />
            <Composer stores={stores} />
          </main>
          <SidePanel stores={stores} />
        </>
      )}
      {dialog === "models" && <ModelBrowser stores={stores} render={render} />}
      {dialog === "settings" && <SettingsDialog stores={stores} />}
      {dialog === "history" && <HistoryDialog stores={stores} />}
      <ConfirmDialog view={stores.view} />
      <Toasts toasts={stores.toasts} />
    </div>
  );
}
