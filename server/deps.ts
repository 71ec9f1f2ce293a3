/**
 * What the app server's routes use: the application core (app/create_app.ts) and what
 * only the desktop front end has, made once by the start command and passed down.
 *
 * @module
 */
import type { App } from "../app/create_app.ts";
import type { AppOpenAiServer } from "./app_openai_server.ts";
import type { InstanceControl } from "../app/single_instance.ts";

/** The native window's folder dialog, through which the user adds workspace folders. */
export interface FolderChooser {
  /** Whether a dialog can be shown now (a native window is open). */
  available(): boolean;
  /** Shows the dialog; resolves to the chosen absolute path, or null when cancelled. */
  choose(): Promise<string | null>;
}

/** The app server's collaborators. */
export interface AppDeps extends Omit<App, "close"> {
  /** The OpenAI-compatible server on the loaded model (the settings' toggle). */
  openAiServer: AppOpenAiServer;
  /** The per-launch secret every request must carry. */
  secret: string;
  /** The bundled UI (dist/ui). */
  uiDir: string;
  /** Shows a file or folder in the system's file manager (the desktop's opener). */
  openPath: (path: string) => Promise<void>;
  /** The native folder dialog for workspace folders; absent without a window. */
  chooseFolder?: FolderChooser;
  /** Answers later starts on the same data folder (`POST /api/instance/activate`). */
  instance?: InstanceControl;
}
