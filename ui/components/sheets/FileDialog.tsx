/**
 * An open or save dialog over the workspace file layer: the page never sees the disk, so
 * files are picked inside the workspace folders the user chose (the native window's folder
 * dialog adds one; in a browser, an absolute path). Lists folders through
 * `GET /api/workspaces/:id/list`; the pick is a `{workspace, path}` pair.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { FileInfo, Workspace } from "../../../api/workspace_json.ts";
import type { WorkspaceApi } from "../../workspace_api.ts";
import { Dialog } from "../Dialog.tsx";
import { Icon } from "../icons.tsx";

/** Props of {@link FileDialog}. */
export type FileDialogProps = {
  mode: "open" | "save";
  title: string;
  files: WorkspaceApi;
  /** Extensions a file may have to be picked (open) or are offered (save), without dots. */
  extensions: readonly string[];
  /** The name the save field starts with. */
  suggestedName?: string;
  /** Called with the pick; the dialog closes when it resolves. */
  onPick(workspace: string, path: string): Promise<unknown>;
  onClose(): void;
};

const extOf = (name: string) => name.split(".").pop()?.toLowerCase() ?? "";

/** The dialog. */
export function FileDialog(props: FileDialogProps): JSX.Element {
  const { files } = props;
  const [workspaces, setWorkspaces] = useState<Workspace[]>([]);
  const [canChoose, setCanChoose] = useState(false);
  const [workspace, setWorkspace] = useState<string | null>(null);
  const [dir, setDir] = useState("");
  const [entries, setEntries] = useState<FileInfo[]>([]);
  const [name, setName] = useState(props.suggestedName ?? "");
  const [folderPath, setFolderPath] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const attempt = async (run: () => Promise<void>) => {
    setError(null);
    try {
      await run();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const loadWorkspaces = (select?: string) =>
    attempt(async () => {
      const list = await files.workspaces();
      setWorkspaces(list.workspaces);
      setCanChoose(list.can_choose);
      const pick = select ?? workspace ?? list.workspaces[0]?.id ?? null;
      setWorkspace(pick);
      setDir("");
    });
  useEffect(() => void loadWorkspaces(), []);
  useEffect(() => {
    if (workspace === null) return setEntries([]);
    void attempt(async () => setEntries((await files.list(workspace, dir)).entries));
  }, [workspace, dir]);

  const addFolder = () =>
    attempt(async () => {
      const added = canChoose
        ? await files.chooseWorkspace()
        : await files.addWorkspace(folderPath.trim());
      if (added) await loadWorkspaces(added.id);
      setFolderPath("");
    });
  const pick = async (path: string) => {
    if (workspace === null || busy) return;
    setBusy(true);
    await attempt(async () => {
      await props.onPick(workspace, path);
      props.onClose();
    });
    setBusy(false);
  };
  const join = (file: string) => (dir ? `${dir}/${file}` : file);
  const pickable = (entry: FileInfo) =>
    entry.kind !== "directory" && props.extensions.includes(extOf(entry.name));
  const nameOk = props.mode === "open"
    ? entries.some((e) => e.name === name && pickable(e))
    : name.trim() !== "" && props.extensions.includes(extOf(name));
  const up = dir.split("/").slice(0, -1).join("/");

  return (
    <Dialog escapeCloses title={props.title} onClose={props.onClose} class="file-dialog">
      <div class="file-dialog-body">
        <aside class="file-places" aria-label="Workspace folders">
          <ul>
            {workspaces.map((w) => (
              <li key={w.id}>
                <button
                  type="button"
                  class="file-place"
                  aria-current={w.id === workspace ? "true" : undefined}
                  title={w.path}
                  onClick={() => (setWorkspace(w.id), setDir(""))}
                >
                  {w.name}
                </button>
              </li>
            ))}
          </ul>
          {!canChoose && (
            <input
              class="input"
              aria-label="Folder path"
              placeholder="/absolute/folder"
              value={folderPath}
              onInput={(e) => setFolderPath(e.currentTarget.value)}
            />
          )}
          <button type="button" class="button" onClick={addFolder}>
            <Icon name="plus" size={16} /> {canChoose ? "Add folder…" : "Add folder"}
          </button>
        </aside>
        <div class="file-browser">
          <div class="file-crumbs muted">
            {workspace === null ? "Add a workspace folder first" : `/${dir}`}
          </div>
          <ul class="file-entries" aria-label="Files">
            {dir && (
              <li>
                <button type="button" class="file-entry" onClick={() => setDir(up)}>..</button>
              </li>
            )}
            {entries.map((entry) => (
              <li key={entry.path}>
                <button
                  type="button"
                  class="file-entry"
                  data-kind={entry.kind}
                  disabled={entry.kind !== "directory" && !pickable(entry)}
                  aria-current={entry.name === name ? "true" : undefined}
                  onClick={() =>
                    entry.kind === "directory" ? setDir(entry.path) : setName(entry.name)}
                  onDblClick={() => entry.kind !== "directory" && pick(join(entry.name))}
                >
                  {entry.kind === "directory" ? `${entry.name}/` : entry.name}
                </button>
              </li>
            ))}
          </ul>
        </div>
      </div>
      <form
        class="file-dialog-foot"
        onSubmit={(e) => {
          e.preventDefault();
          if (nameOk) void pick(join(name.trim()));
        }}
      >
        <input
          class="input"
          aria-label="File name"
          placeholder={props.extensions.map((x) => `*.${x}`).join(" ")}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        {busy && (
          <span class="muted" role="status">
            {props.mode === "open" ? "Importing…" : "Exporting…"}
          </span>
        )}
        <button type="submit" class="button primary" disabled={!nameOk || busy}>
          {props.mode === "open" ? "Open" : "Save"}
        </button>
      </form>
      {error && <p class="notice error" role="alert">{error}</p>}
    </Dialog>
  );
}
