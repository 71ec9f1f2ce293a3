/**
 * Hub search: a debounced search box, the sort order, and GGUF repositories with downloads,
 * likes, last update and a gated badge; "Load more" follows the next page.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import { formatCompact, formatDate } from "../lib/format.ts";
import type { HubStore } from "../stores/hub.ts";
import type { HubModel, HubSort } from "../../api/types.ts";
import { Icon } from "./icons.tsx";

const SORTS: [HubSort, string][] = [
  ["downloads", "Most downloads"],
  ["likes", "Most likes"],
  ["lastModified", "Recently updated"],
  ["trending", "Trending"],
];

/** The search view. */
export function HubSearch({ hub }: { hub: HubStore }): JSX.Element {
  useEffect(() => void hub.ensureResults(), []);
  const results = hub.results.value;
  const error = hub.searchError.value;
  return (
    <div class="hub-search">
      <div class="library-filters">
        <label class="search filter-search">
          <Icon name="search" size={16} />
          <input
            type="search"
            placeholder="Search GGUF models on Hugging Face"
            aria-label="Search the hub"
            value={hub.query.value}
            onInput={(e) => hub.search(e.currentTarget.value)}
          />
        </label>
        <select
          aria-label="Sort by"
          value={hub.sort.value}
          onChange={(e) => hub.setSort(e.currentTarget.value as HubSort)}
        >
          {SORTS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
        </select>
      </div>
      {error && <p class="notice error" role="alert">{error.message}</p>}
      {results?.length === 0 && <p class="muted list-empty-note">No GGUF repositories found.</p>}
      <ul class="model-list hub-results" aria-label="Hub results" aria-busy={hub.searching.value}>
        {results?.map((model) => (
          <HubResult
            key={model.id}
            model={model}
            onOpen={() => hub.openRepo(model.id)}
          />
        ))}
      </ul>
      {hub.searching.value && <p class="muted list-empty-note" role="status">Searching…</p>}
      {hub.nextCursor.value && !hub.searching.value && (
        <button
          type="button"
          class="button load-more"
          onClick={() => hub.loadMore()}
        >
          Load more
        </button>
      )}
    </div>
  );
}

function HubResult({ model, onOpen }: { model: HubModel; onOpen(): void }): JSX.Element {
  return (
    <li class="model-row hub-result">
      <button type="button" class="hub-open" onClick={onOpen}>
        <span class="model-row-name">
          {model.id}
          {model.gated && <span class="tag gated">Gated</span>}
        </span>
        <span class="model-facts">
          <span title="Downloads">↓ {formatCompact(model.downloads)}</span>
          <span title="Likes">♥ {formatCompact(model.likes)}</span>
          {model.last_modified && <span>Updated {formatDate(model.last_modified)}</span>}
        </span>
      </button>
    </li>
  );
}
