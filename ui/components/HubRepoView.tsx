/**
 * One hub repository: its GGUF files (quantization, size, parts, sha256, memory fit, Download),
 * the recommended file highlighted, and its model card rendered as sanitized Markdown. A gated
 * repository without access shows the server's message, which says what to do.
 *
 * @module
 */
import type { JSX } from "preact";
import type { MarkdownRenderer } from "../lib/markdown.ts";
import { stripFrontMatter } from "../lib/readme.ts";
import type { Stores } from "../stores/app.ts";
import { findDownload } from "../stores/downloads.ts";
import { HubFileRow } from "./HubFileRow.tsx";
import { IconButton } from "./IconButton.tsx";
import { Markdown } from "./Markdown.tsx";

/** The repository view. */
export function HubRepoView(
  { stores, render }: { stores: Stores; render: MarkdownRenderer },
): JSX.Element {
  const { hub, downloads, models } = stores;
  const id = hub.repoId.value!;
  const repo = hub.repo.value;
  const error = hub.repoError.value;
  const list = [...downloads.byId.value.values()];
  const inLibrary = (file: string) =>
    models.list.value.some((m) => m.hf_repo === id && m.path.endsWith(`/${file}`));
  return (
    <section class="hub-repo" aria-label={id}>
      <div class="repo-head">
        <IconButton icon="left" label="Back to results" onClick={hub.closeRepo} />
        <h3 class="repo-title">{id}</h3>
        {repo?.gated && <span class="tag gated">Gated</span>}
      </div>
      {error && <p class="notice error" role="alert">{error.message}</p>}
      {!repo && !error && <p class="muted" role="status">Loading…</p>}
      {repo && (
        <div class="table-scroll">
          <table class="file-table">
            <thead>
              <tr>
                <th scope="col">Quant</th>
                <th scope="col">File</th>
                <th scope="col">Size</th>
                <th scope="col">Parts</th>
                <th scope="col">SHA-256</th>
                <th scope="col">Fit</th>
                <th scope="col">
                  <span class="sr-only">Download</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {repo.files.map((file) => (
                <HubFileRow
                  key={file.path}
                  repo={id}
                  file={file}
                  hub={hub}
                  recommended={file.path === repo.default_file}
                  download={findDownload(list, id, file.path)}
                  inLibrary={inLibrary(file.path)}
                  onDownload={() => downloads.start(id, file.path)}
                />
              ))}
            </tbody>
          </table>
          {repo.files.length === 0 && <p class="muted">This repository has no GGUF files.</p>}
        </div>
      )}
      {repo?.readme && (
        <article class="readme" aria-label="Model card">
          <Markdown source={stripFrontMatter(repo.readme)} render={render} />
        </article>
      )}
    </section>
  );
}
