/**
 * Filters of the Local tab: text (name, path, architecture), source, and whether files that
 * are not chat models (vocabularies, vision projectors, broken files) show too.
 *
 * @module
 */
import type { JSX } from "preact";
import { SOURCE_LABELS } from "../lib/model_labels.ts";
import type { LibraryStore } from "../stores/library.ts";
import type { LibrarySource } from "../../api/types.ts";
import { Icon } from "./icons.tsx";

/** The filter bar. */
export function LibraryFilters({ library }: { library: LibraryStore }): JSX.Element {
  const hidden = library.hiddenCount.value;
  return (
    <div class="library-filters">
      <label class="search filter-search">
        <Icon name="search" size={16} />
        <input
          type="search"
          placeholder="Filter by name, path or architecture"
          aria-label="Filter models"
          value={library.query.value}
          onInput={(e) => library.setQuery(e.currentTarget.value)}
        />
      </label>
      <select
        aria-label="Source"
        value={library.source.value}
        onChange={(e) => library.setSource(e.currentTarget.value as LibrarySource | "all")}
      >
        <option value="all">All sources</option>
        {library.sources.value.map((source) => (
          <option key={source} value={source}>{SOURCE_LABELS[source]}</option>
        ))}
      </select>
      <label class="check" title="Vocabulary-only files, vision projectors and broken files">
        <input
          type="checkbox"
          checked={library.showAll.value}
          onChange={(e) => library.setShowAll(e.currentTarget.checked)}
        />
        Show all files
        {hidden > 0 && !library.showAll.value && <span class="muted">({hidden} hidden)</span>}
      </label>
    </div>
  );
}
