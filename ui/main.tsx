/**
 * The UI's root: builds the HTTP client and every store once, wires the document (theme, URL
 * hash, visibility, shortcuts) and renders {@link App}. Nothing below this file creates state
 * of its own beyond what a component needs for itself.
 *
 * @module
 */
import { effect } from "@preact/signals";
import { render } from "preact";
import { createApi } from "./api.ts";
import { App } from "./components/App.tsx";
import { installShortcuts } from "./lib/keyboard.ts";
import { createMarkdownRenderer } from "./lib/markdown.ts";
import { chatIdFromHash, hashForChat } from "./lib/route.ts";
import { applyTheme } from "./lib/theme.ts";
import { createStores, startStores, type Stores } from "./stores/app.ts";

const api = createApi();
const stores = createStores(api);
const root = document.getElementById("app");
if (!root) throw new Error("index.html has no #app element");

// The server puts a light or dark theme setting on <html> (server/static.ts): it stays until the
// settings arrive, or a dark app would paint light first.
const servedTheme = document.documentElement.dataset.theme as "light" | "dark" | undefined;
effect(() => {
  const loaded = stores.settings.settings.value !== null;
  return applyTheme(loaded ? stores.settings.theme.value : servedTheme ?? "system");
});
// The native window saves exports through a save dialog and says where (or why not):
// desktop/window.ts's SAVE_EVENT.
addEventListener("hearth-saved", (event) => {
  const detail = (event as CustomEvent<{ saved: string } | { failed: string }>).detail;
  if ("saved" in detail) stores.toasts.show({ text: `Saved ${detail.saved}`, kind: "info" });
  else stores.toasts.error(new Error(detail.failed));
});
document.addEventListener("visibilitychange", () => {
  stores.resources.setPageVisible(document.visibilityState === "visible");
});
installShortcuts({
  newChat: () => {
    stores.conversation.startNew();
    document.getElementById("composer-input")?.focus();
  },
  focusSearch: () => {
    if (!stores.view.sidebarOpen.value) stores.view.toggleSidebar();
    requestAnimationFrame(() => document.getElementById("chat-search")?.focus());
  },
  escape: () => escape(stores),
});

render(<App stores={stores} render={createMarkdownRenderer(window)} />, root);
await startStores(stores, api);
await openFromHash(stores);
followHash(stores);

/** Esc closes a confirmation or dialog first, then stops a reply, then closes a side panel. */
function escape({ view, conversation }: Stores) {
  if (view.confirmation.value || view.dialog.value) view.dismiss();
  else if (conversation.busy.value) conversation.stop();
  else view.dismiss();
}

/** Opens the chat named in the hash, else the most recent one. */
async function openFromHash({ conversation, chats }: Stores) {
  const id = chatIdFromHash(location.hash) ?? chats.chats.value[0]?.id;
  if (id) await conversation.open(id);
}

/** Keeps the hash and the open chat in step both ways (links, back/forward). */
function followHash(stores: Stores) {
  effect(() => {
    const hash = hashForChat(stores.conversation.chat.value?.id ?? null);
    if (location.hash !== hash) history.replaceState(null, "", hash || location.pathname);
  });
  addEventListener("hashchange", () => {
    const id = chatIdFromHash(location.hash);
    if (id) stores.conversation.open(id);
  });
}
