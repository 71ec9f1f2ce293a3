/**
 * The Local tab: the loaded model, the filters, and every library file that passes them, with
 * its memory fit at the settings' n_ctx and its actions. Deleting asks first.
 *
 * @module
 */
import type { JSX } from "preact";
import { formatBytes } from "../lib/format.ts";
import type { Stores } from "../stores/app.ts";
import type { LibraryEntry } from "../../api/types.ts";
import { LibraryFilters } from "./LibraryFilters.tsx";
import { LibraryRow } from "./LibraryRow.tsx";
import { LoadedModelCard } from "./LoadedModelCard.tsx";

/** The Local tab's content. */
export function LocalModels({ stores }: { stores: Stores }): JSX.Element {
  const { models, library, view } = stores;
  const loaded = models.loaded.value;
  const loading = models.loading.value;
  const rows = library.visible.value;
  const askDelete = (entry: LibraryEntry) =>
    view.confirm({
      title: "Delete model file?",
      message: `“${entry.name}” (${
        formatBytes(entry.size_bytes)
      }) will be deleted from disk: ${entry.path}. This cannot be undone.`,
      action: "Delete",
      run: () => library.remove(entry),
    });
  return (
    <div class="local-models">
      {loaded && (
        <LoadedModelCard
          model={loaded}
          entry={models.list.value.find((m) => m.path === loaded.path)}
          onUnload={models.unload}
          options={stores.modelOptions}
          lora={{
            suggestions: models.list.value.map((m) => m.path).filter((p) => p !== loaded.path),
            onAdd: models.addLora,
            onScale: models.setLoraScale,
            onRemove: models.removeLora,
          }}
        />
      )}
      <LibraryFilters library={library} />
      {rows.length === 0 && (
        <p class="muted list-empty-note">
          {models.list.value.length === 0
            ? "No model files found. Download one from the Hub tab, or add a folder of .gguf files in Settings."
            : "No model matches the filters."}
        </p>
      )}
      <ul class="model-list" aria-label="Model files">
        {rows.map((entry) => (
          <LibraryRow
            key={entry.id}
            entry={entry}
            library={library}
            loaded={loaded?.path === entry.path}
            loading={loading?.path === entry.path ? loading.progress : null}
            busy={!!loading}
            onLoad={() => models.load(entry.path)}
            onDelete={() => askDelete(entry)}
          />
        ))}
      </ul>
    </div>
  );
}
