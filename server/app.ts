/**
 * The app server: the UI's API and the bundled UI, behind the launch secret, on
 * 127.0.0.1 and a free port.
 *
 * @module
 */
import { Hono } from "hono";
import { requireSecret } from "./auth.ts";
import { requireSameOrigin } from "./same_origin.ts";
import type { AppDeps } from "./deps.ts";
import { errorResponse, notFound } from "./http_error.ts";
import { appStateRoutes } from "./routes/app_state.ts";
import { instanceRoutes } from "./routes/instance.ts";
import { providerRoutes } from "./routes/providers.ts";
import { sheetRoutes } from "./routes/sheets.ts";
import { benchRunRoutes, historyRoutes } from "./routes/history.ts";
import { chatRoutes, importRoute } from "./routes/chats.ts";
import { messageImageRoute, messageRoutes, sendRoute } from "./routes/messages.ts";
import { messageEditRoutes } from "./routes/message_edits.ts";
import { contextRoutes } from "./routes/context.ts";
import { hubTokenRoutes } from "./routes/hub_token.ts";
import { modelOptionsRoutes } from "./routes/model_options.ts";
import { serveUi } from "./static.ts";
import { type HttpTimeouts, serveWithDeadlines } from "./serve_with_deadlines.ts";
import { libraryRoutes } from "./routes/library.ts";
import { downloadRoutes, hubRoutes } from "./routes/hub.ts";
import { followSettings, openAiServerRoutes } from "./routes/openai_server.ts";
import { fileRoutes, workspaceRoutes } from "./routes/workspaces.ts";

/** Builds the app's request handler; `hosts` are the Host values the server answers to. */
export function createApp(deps: AppDeps, hosts: () => readonly string[]): Hono {
  const app = new Hono();
  app.onError((error) => errorResponse(error));
  // Before the launch-secret gate: a second start has only the instance token.
  if (deps.instance) app.route("/api/instance", instanceRoutes(deps.instance, hosts));
  app.use("*", requireSecret(deps.secret, hosts));
  app.use("*", requireSameOrigin(hosts));
  app.route("/api/chats", sendRoute(deps));
  app.route("/api/chats", chatRoutes(deps));
  app.route("/api/messages", messageRoutes(deps));
  app.route("/api/messages", messageEditRoutes(deps));
  app.route("/api/messages", messageImageRoute(deps));
  app.route("/api/import", importRoute(deps));
  app.route("/api/context", contextRoutes(deps));
  const defaultNCtx = () => deps.storage.settings.get().n_ctx;
  const engine = () => deps.host.engine();
  const loadVerdicts = deps.host.verdicts;
  const slots = () => deps.storage.settings.get().n_parallel;
  app.route("/api/models", libraryRoutes({ ...deps, engine, defaultNCtx, slots, loadVerdicts }));
  const hub = { hub: deps.hub, downloads: deps.downloads, remoteFit: deps.remoteFit, defaultNCtx };
  app.route("/api/hub-token", hubTokenRoutes(deps));
  app.route("/api/model-options", modelOptionsRoutes(deps));
  app.route("/api/hub", hubRoutes(hub));
  app.route("/api/downloads", downloadRoutes(hub));
  app.use("/api/settings", followSettings(deps.openAiServer));
  app.route("/api/openai-server", openAiServerRoutes(deps));
  app.route("/api/providers", providerRoutes(deps));
  app.route("/api/workspaces", workspaceRoutes(deps));
  app.route("/api/files", fileRoutes(deps));
  app.route("/api/sheets", sheetRoutes(deps));
  app.route("/api/history", historyRoutes(deps));
  app.route("/api/bench-runs", benchRunRoutes(deps));
  app.route("/api", appStateRoutes(deps));
  app.all("/api/*", (c) => {
    throw notFound(`No route ${c.req.method} ${new URL(c.req.url).pathname}`);
  });
  app.get("*", (c) => {
    const { theme } = deps.storage.settings.get();
    return serveUi(deps.uiDir, new URL(c.req.url).pathname, theme === "system" ? undefined : theme);
  });
  return app;
}

/**
 * The workspace files' byte routes (`GET`/`PUT /api/files/:handle`): the relay answers
 * them itself, without the Unix socket hop that costs about 2.5x on 8 MiB bodies
 * (docs/benchmarks.md, "Workspace files: 1 GiB through the UI API").
 */
function isFileBytes(method: string, path: string): boolean {
  return (method === "GET" || method === "PUT") && /^\/api\/files\/[^/]+$/.test(path);
}

/** A running app server. */
export interface AppServer {
  /** The URL the window opens: carries the secret once, to set the cookie. */
  readonly launchUrl: string;
  /** The origin, e.g. http://127.0.0.1:43121. */
  readonly origin: string;
  /** Stops accepting requests and closes open streams. */
  shutdown(): Promise<void>;
}

/**
 * Serves the app on 127.0.0.1, port `port` (0 = any free port), closing connections
 * that miss the deadlines of `timeouts` (defaults: 10 s for a head, 60 s idle).
 */
export function startServer(deps: AppDeps, port = 0, timeouts: HttpTimeouts = {}): AppServer {
  let hosts: string[] = [];
  const app = createApp(deps, () => hosts);
  const server = serveWithDeadlines(
    { hostname: "127.0.0.1", port, ...timeouts, direct: isFileBytes },
    app.fetch,
  );
  const bound = server.addr.port;
  hosts = [`127.0.0.1:${bound}`, `localhost:${bound}`];
  const origin = `http://127.0.0.1:${bound}`;
  return {
    origin,
    launchUrl: `${origin}/?secret=${deps.secret}`,
    shutdown: () => server.shutdown(),
  };
}
