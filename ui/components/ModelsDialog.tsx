/**
 * The model picker: the loaded model with its memory use, and every model file found, with
 * size, architecture and context length. Broken files show their error and cannot be loaded.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import type { Stores } from "../stores/app.ts";
import { Dialog } from "./Dialog.tsx";
import { LoadedModelCard } from "./LoadedModelCard.tsx";
import { ModelRow } from "./ModelRow.tsx";

/** The models dialog. */
export function ModelsDialog({ stores }: { stores: Stores }): JSX.Element {
  const { models, view } = stores;
  // Files may have been added to a model folder since the app started.
  useEffect(() => void models.refresh(), []);
  const loaded = models.loaded.value;
  const loading = models.loading.value;
  const list = models.list.value;
  return (
    <Dialog title="Models" onClose={view.closeDialog}>
      {loaded && <LoadedModelCard model={loaded} onUnload={models.unload} />}
      <h3 class="section-title">Available models</h3>
      {list.length === 0 && (
        <p class="muted">No model files found. Add a folder of .gguf files in Settings.</p>
      )}
      <ul class="model-list">
        {list.map((entry) => (
          <ModelRow
            key={entry.path}
            entry={entry}
            loaded={loaded?.path === entry.path}
            loading={loading?.path === entry.path ? loading.progress : null}
            busy={!!loading}
            onLoad={() => models.load(entry.path)}
          />
        ))}
      </ul>
    </Dialog>
  );
}
