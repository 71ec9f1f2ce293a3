/**
 * The model browser (LM Studio's "My Models" and "Discover" in one dialog): the Local tab
 * lists the library, the Hub tab searches Hugging Face, and the downloads strip at the bottom
 * shows from both.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import type { MarkdownRenderer } from "../lib/markdown.ts";
import type { Stores } from "../stores/app.ts";
import { isChatModel } from "../stores/library.ts";
import type { ModelsTab } from "../stores/view.ts";
import { Dialog } from "./Dialog.tsx";
import { DownloadsPanel } from "./DownloadsPanel.tsx";
import { HubBrowser } from "./HubBrowser.tsx";
import { LocalModels } from "./LocalModels.tsx";

const TABS: [ModelsTab, string][] = [["local", "Local"], ["hub", "Hub"]];

/** The model browser dialog. */
export function ModelBrowser(
  { stores, render }: { stores: Stores; render: MarkdownRenderer },
): JSX.Element {
  const { view, models, downloads } = stores;
  // Files may have changed while the dialog was closed and no event said so (a folder added).
  useEffect(() => void models.refresh(), []);
  const tab = view.modelsTab.value;
  const counts: Record<ModelsTab, number> = {
    local: models.list.value.filter(isChatModel).length,
    hub: downloads.activeCount.value,
  };
  return (
    <Dialog title="Models" class="browser" onClose={view.closeDialog}>
      <div class="browser-tabs" role="tablist" aria-label="Model sources">
        {TABS.map(([name, label]) => (
          <button
            key={name}
            type="button"
            role="tab"
            id={`models-tab-${name}`}
            aria-selected={tab === name}
            aria-controls="models-panel"
            onClick={() => view.setModelsTab(name)}
          >
            {label}
            {counts[name] > 0 && <span class="tab-count">{counts[name]}</span>}
          </button>
        ))}
      </div>
      <div
        class="browser-content"
        id="models-panel"
        role="tabpanel"
        aria-labelledby={`models-tab-${tab}`}
      >
        {tab === "local"
          ? <LocalModels stores={stores} />
          : <HubBrowser stores={stores} render={render} />}
      </div>
      <DownloadsPanel downloads={downloads} />
    </Dialog>
  );
}
