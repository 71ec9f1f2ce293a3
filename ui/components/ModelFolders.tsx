/**
 * The folders searched for .gguf files: a list with Remove, and a path field with Add. Paths
 * are typed (or pasted) because a web view cannot open a native folder picker.
 *
 * @module
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { IconButton } from "./IconButton.tsx";

/** The model folders editor. */
export function ModelFolders(
  props: { folders: readonly string[]; onChange(folders: string[]): void },
): JSX.Element {
  const [path, setPath] = useState("");
  const add = () => {
    const trimmed = path.trim();
    if (!trimmed || props.folders.includes(trimmed)) return;
    props.onChange([...props.folders, trimmed]);
    setPath("");
  };
  return (
    <div class="folders">
      <ul class="folder-list">
        {props.folders.map((folder) => (
          <li key={folder}>
            <code title={folder}>{folder}</code>
            <IconButton
              icon="trash"
              label={`Remove ${folder}`}
              onClick={() => props.onChange(props.folders.filter((f) => f !== folder))}
            />
          </li>
        ))}
        {props.folders.length === 0 && <li class="muted">Only the bundled model</li>}
      </ul>
      <form class="folder-add" onSubmit={(e) => (e.preventDefault(), add())}>
        <input
          type="text"
          value={path}
          placeholder="/path/to/models"
          aria-label="Folder path"
          spellcheck={false}
          onInput={(e) => setPath(e.currentTarget.value)}
        />
        <button type="submit" class="button" disabled={!path.trim()}>Add</button>
      </form>
    </div>
  );
}
