/**
 * What the app server's routes use, made once in main.ts and passed down.
 *
 * @module
 */
import type { Storage } from "../storage/mod.ts";
import type { EventHub } from "./events.ts";
import type { ModelHost } from "./model_host.ts";
import type { AppOpenAiServer } from "./app_openai_server.ts";
import type { DownloadManager, HubOptions } from "../hub/mod.ts";
import type { ModelLibrary } from "../library/mod.ts";
import type { RemoteFit } from "./remote_fit.ts";
import type { ReplyRunner } from "./replies.ts";
import type { TokenRate } from "./resources.ts";
import type { InstanceControl } from "../app/single_instance.ts";

/** The app server's collaborators. */
export interface AppDeps {
  storage: Storage;
  host: ModelHost;
  replies: ReplyRunner;
  events: EventHub;
  rate: TokenRate;
  library: ModelLibrary;
  downloads: DownloadManager;
  hub: HubOptions;
  remoteFit: RemoteFit;
  /** The OpenAI-compatible server on the loaded model (the settings' toggle). */
  openAiServer: AppOpenAiServer;
  /** The per-launch secret every request must carry. */
  secret: string;
  /** The bundled UI (dist/ui). */
  uiDir: string;
  /** The bundled model's path: the default when settings name none. */
  bundledModel: string;
  /** Serves `POST /api/instance/activate` for later starts; absent: no such route. */
  instance?: InstanceControl;
}
