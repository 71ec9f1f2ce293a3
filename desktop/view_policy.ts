/**
 * What the web view may do besides showing the app: it never navigates away from the
 * app (links and new windows open in the system browser instead), and its context menu
 * keeps only editing actions (Copy, Cut, Paste, Select all, Copy link; Inspect with
 * devtools), never Back, Forward, Stop or Reload.
 *
 * @module
 */
import {
  CONTEXT_MENU_CALLBACK,
  DECIDE_POLICY_CALLBACK,
  type GtkLibs,
  WEBKIT_CONTEXT_MENU_KEPT_ACTIONS,
  WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION,
  WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION,
} from "../ffi/gtk_symbols.ts";
import { readCString } from "../ffi/strings.ts";
import type { Signals } from "./signals.ts";

/** Schemes handed to the system's opener; others (file:, javascript:, ...) are dropped. */
const EXTERNAL_SCHEMES = new Set(["http:", "https:", "mailto:"]);

/** Options of {@link attachViewPolicy}. */
export interface ViewPolicyOptions {
  /** The app's start URL: the view may load it and anything of its origin. */
  appUrl: string;
  /** Opens a link outside the app (http, https, mailto), e.g. in the system browser. */
  openExternal: (url: string) => void;
  /** Keeps "Inspect Element" in the context menu. */
  devtools: boolean;
}

/** Whether the view may load `url` itself: the app's own URL or origin. */
export function isAppUrl(url: string, appUrl: string): boolean {
  if (url === appUrl) return true;
  try {
    const origin = new URL(appUrl).origin;
    return origin !== "null" && new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** Connects "decide-policy" and "context-menu" on `view`. */
export function attachViewPolicy(
  libs: GtkLibs,
  signals: Signals,
  view: Deno.PointerObject,
  options: ViewPolicyOptions,
): void {
  const { webkit } = libs;
  signals.connect(view, "decide-policy", DECIDE_POLICY_CALLBACK, (_view, decision, type) => {
    if (
      type !== WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION &&
      type !== WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION
    ) {
      return 0; // responses: WebKit's default (show, or download)
    }
    const action = webkit.webkit_navigation_policy_decision_get_navigation_action(decision!);
    const request = webkit.webkit_navigation_action_get_request(action!);
    const url = readCString(webkit.webkit_uri_request_get_uri(request!));
    if (type === WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION && isAppUrl(url, options.appUrl)) {
      return 0; // the app itself (first load, reload, downloads of its exports)
    }
    webkit.webkit_policy_decision_ignore(decision!);
    let scheme = "";
    try {
      scheme = new URL(url).protocol;
    } catch {
      // not a URL: nothing to open
    }
    if (EXTERNAL_SCHEMES.has(scheme)) {
      try {
        options.openExternal(url);
      } catch (error) {
        console.error("Cannot open a link in the system browser:", error);
      }
    }
    return 1; // decided
  });

  signals.connect(view, "context-menu", CONTEXT_MENU_CALLBACK, (_view, menu) => {
    // TRUE: no menu at all when nothing is left (a right click on plain text).
    return filterContextMenu(libs, menu!, options.devtools) === 0 ? 1 : 0;
  });
}

/**
 * Removes from a WebKitContextMenu every item but the editing actions (Copy, Cut, Paste,
 * Delete, Select all, Copy link, spelling; Inspect Element with `devtools`) and every
 * separator.
 *
 * @returns how many items are left.
 */
export function filterContextMenu(
  libs: GtkLibs,
  menu: Deno.PointerObject,
  devtools: boolean,
): number {
  const { webkit } = libs;
  // Backwards, so removing an item does not shift the ones still to visit.
  for (let i = webkit.webkit_context_menu_get_n_items(menu) - 1; i >= 0; i--) {
    const item = webkit.webkit_context_menu_get_item_at_position(menu, i)!;
    const action = webkit.webkit_context_menu_item_get_stock_action(item);
    const keep = !webkit.webkit_context_menu_item_is_separator(item) &&
      WEBKIT_CONTEXT_MENU_KEPT_ACTIONS.has(action) &&
      (action !== 31 || devtools); // 31: INSPECT_ELEMENT
    if (!keep) webkit.webkit_context_menu_remove(menu, item);
  }
  return webkit.webkit_context_menu_get_n_items(menu);
}
