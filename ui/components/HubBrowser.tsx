/**
 * The Hub tab: search results, or one repository once a result is opened.
 *
 * @module
 */
import type { JSX } from "preact";
import type { MarkdownRenderer } from "../lib/markdown.ts";
import type { Stores } from "../stores/app.ts";
import { HubRepoView } from "./HubRepoView.tsx";
import { HubSearch } from "./HubSearch.tsx";

/** The Hub tab's content. */
export function HubBrowser(
  { stores, render }: { stores: Stores; render: MarkdownRenderer },
): JSX.Element {
  return stores.hub.repoId.value
    ? <HubRepoView stores={stores} render={render} />
    : <HubSearch hub={stores.hub} />;
}
