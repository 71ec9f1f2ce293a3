/**
 * Memoised panes: a streaming reply makes a new {@link TuiState} once a frame, and every
 * pane gets it; a pane that shows none of what changed should not be drawn again (the
 * metrics pane even reads the process's memory when it draws).
 *
 * @module
 */
// @ts-types="@types/react"
import React from "react";
import type { TuiState } from "./store.ts";

/**
 * `component`, redrawn only when one of its props other than `state` changes (compared
 * by identity: callbacks must be stable) or one of the state's `fields` does.
 */
export function memoPane<P extends { state: TuiState }>(
  component: (props: P) => React.ReactElement,
  fields: readonly (keyof TuiState)[],
): React.NamedExoticComponent<P> {
  return React.memo(component, (before, after) => {
    for (const key of Object.keys(after) as (keyof P)[]) {
      if (key !== "state" && before[key] !== after[key]) return false;
    }
    return fields.every((field) => before.state[field] === after.state[field]);
  });
}
