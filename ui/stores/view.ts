/**
 * Window chrome state: which dialog and side panel are open, and the sidebar on narrow windows.
 *
 * @module
 */
import { createModel, signal } from "@preact/signals";

/** Modal dialogs. */
export type DialogName = "models" | "settings";
/** Side panels on the right of the chat. */
export type PanelName = "chat" | "resources";

/** The view store. */
export const ViewModel = createModel(() => {
  const dialog = signal<DialogName | null>(null);
  const panel = signal<PanelName | null>(null);
  const sidebarOpen = signal(true);
  const openDialog = (name: DialogName) => {
    dialog.value = name;
  };
  const closeDialog = () => {
    dialog.value = null;
  };
  const togglePanel = (name: PanelName) => {
    panel.value = panel.value === name ? null : name;
  };
  const toggleSidebar = () => {
    sidebarOpen.value = !sidebarOpen.value;
  };
  /** Closes the top-most dialog, else the panel; returns whether anything closed (for Esc). */
  const dismiss = (): boolean => {
    if (dialog.value) dialog.value = null;
    else if (panel.value) panel.value = null;
    else return false;
    return true;
  };
  return {
    dialog,
    panel,
    sidebarOpen,
    openDialog,
    closeDialog,
    togglePanel,
    toggleSidebar,
    dismiss,
  };
});

/** An instance of {@link ViewModel}. */
export type ViewStore = InstanceType<typeof ViewModel>;
