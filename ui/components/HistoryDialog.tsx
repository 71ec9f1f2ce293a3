/**
 * The Generation history dialog: every reply and sheet job with its model, settings and
 * metrics (filtered, paged), and the saved bench runs charted per model and settings.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import type { Stores } from "../stores/app.ts";
import type { HistoryTab } from "../stores/history.ts";
import { BenchRuns } from "./BenchRuns.tsx";
import { Dialog } from "./Dialog.tsx";
import { HistoryFilters } from "./HistoryFilters.tsx";
import { HistoryTable } from "./HistoryTable.tsx";

const TABS: [HistoryTab, string][] = [["generations", "Generations"], ["bench", "Benchmarks"]];

/** The dialog. */
export function HistoryDialog({ stores }: { stores: Stores }): JSX.Element {
  const { history, view, conversation } = stores;
  const openChat = (chatId: string) => {
    view.closeDialog();
    void conversation.open(chatId);
  };
  useEffect(() => void history.open(), []);
  const tab = history.tab.value;
  return (
    <Dialog title="Generation history" onClose={view.closeDialog} class="history">
      <div class="segmented" role="tablist" aria-label="History">
        {TABS.map(([name, label]) => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={tab === name}
            onClick={() => history.setTab(name)}
          >
            {label}
          </button>
        ))}
      </div>
      {tab === "generations"
        ? (
          <div role="tabpanel" aria-label="Generations">
            <HistoryFilters history={history} />
            <HistoryTable history={history} onOpenChat={openChat} />
          </div>
        )
        : (
          <div role="tabpanel" aria-label="Benchmarks">
            <BenchRuns history={history} />
          </div>
        )}
    </Dialog>
  );
}
