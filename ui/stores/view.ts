/**
 * Window chrome state: which dialog and side panel are open, the model browser's tab, a
 * confirmation being asked, and the sidebar on narrow windows.
 *
 * @module
 */
import { createModel, signal } from "@preact/signals";

/** Modal dialogs. */
export type DialogName = "models" | "settings" | "history";
/** Side panels on the right of the chat. */
export type PanelName = "chat" | "resources";
/** What the window shows beside the sidebar: the chats or the Sheets workbench. */
export type Section = "chats" | "sheets";
/** Tabs of the model browser: the files on this computer, and Hugging Face. */
export type ModelsTab = "local" | "hub";

/** A question asked before a destructive action; `run` does it. */
export type Confirmation = {
  title: string;
  message: string;
  /** The confirming button's label, a verb ("Delete"). */
  action: string;
  run(): void;
};

/** The view store. */
export const ViewModel = createModel(() => {
  const dialog = signal<DialogName | null>(null);
  const panel = signal<PanelName | null>(null);
  const modelsTab = signal<ModelsTab>("local");
  const confirmation = signal<Confirmation | null>(null);
  const sidebarOpen = signal(true);
  const section = signal<Section>("chats");
  const setSection = (name: Section) => {
    section.value = name;
  };
  const openDialog = (name: DialogName) => {
    dialog.value = name;
  };
  const closeDialog = () => {
    dialog.value = null;
  };
  const setModelsTab = (tab: ModelsTab) => {
    modelsTab.value = tab;
  };
  /** Asks `question` in a confirmation dialog over everything else. */
  const confirm = (question: Confirmation) => {
    confirmation.value = question;
  };
  /** Closes the confirmation; `accepted` runs its action first. */
  const answer = (accepted: boolean) => {
    const question = confirmation.value;
    confirmation.value = null;
    if (accepted) question?.run();
  };
  const togglePanel = (name: PanelName) => {
    panel.value = panel.value === name ? null : name;
  };
  const toggleSidebar = () => {
    sidebarOpen.value = !sidebarOpen.value;
  };
  /**
   * Closes the top-most layer: a confirmation, else a dialog, else the panel. Returns whether
   * anything closed (for Esc).
   */
  const dismiss = (): boolean => {
    if (confirmation.value) confirmation.value = null;
    else if (dialog.value) dialog.value = null;
    else if (panel.value) panel.value = null;
    else return false;
    return true;
  };
  return {
    dialog,
    panel,
    modelsTab,
    confirmation,
    sidebarOpen,
    section,
    setSection,
    openDialog,
    closeDialog,
    setModelsTab,
    confirm,
    answer,
    togglePanel,
    toggleSidebar,
    dismiss,
  };
});

/** An instance of {@link ViewModel}. */
export type ViewStore = InstanceType<typeof ViewModel>;
