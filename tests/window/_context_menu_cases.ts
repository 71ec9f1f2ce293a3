/**
 * The web view's context menu keeps only editing actions: WebKit's Back, Forward, Stop
 * and Reload (and Open Link, Download, ...) go. Checked on real WebKitContextMenu objects
 * holding WebKit's stock items, as the "context-menu" signal hands them over; a real
 * right click is not simulated.
 *
 * @module
 */
import { assertEquals } from "../assert.ts";
import { initGtk } from "../../desktop/gtk_init.ts";
import { filterContextMenu } from "../../desktop/view_policy.ts";
import "./_display.ts";

const p = "pointer" as const;
// Only the test builds menus; spelled as in webkit/WebKitContextMenu(Item).h.
const MENU_SYMBOLS = {
  webkit_context_menu_new: { parameters: [], result: p }, // owned by the caller
  webkit_context_menu_append: { parameters: [p, p], result: "void" }, // sinks the item
  webkit_context_menu_item_new_from_stock_action: { parameters: ["i32"], result: p },
  webkit_context_menu_item_new_separator: { parameters: [], result: p },
  webkit_context_menu_item_get_stock_action: { parameters: [p], result: "i32" },
  webkit_context_menu_get_n_items: { parameters: [p], result: "u32" },
  webkit_context_menu_get_item_at_position: { parameters: [p, "u32"], result: p },
} as const satisfies Deno.ForeignLibraryInterface;

/** WebKitContextMenuAction values (WebKitContextMenuActions.h). */
const A = {
  OPEN_LINK: 1,
  DOWNLOAD_LINK_TO_DISK: 3,
  COPY_LINK_TO_CLIPBOARD: 4,
  GO_BACK: 10,
  GO_FORWARD: 11,
  STOP: 12,
  RELOAD: 13,
  COPY: 14,
  PASTE: 16,
  SELECT_ALL: 18,
  INSPECT_ELEMENT: 31,
};

Deno.test("the context menu keeps Copy, Paste, Select all and Copy link only", () => {
  const libs = initGtk();
  const lib = Deno.dlopen("libwebkit2gtk-4.1.so.0", MENU_SYMBOLS);
  const w = lib.symbols;
  const menuOf = (actions: (number | "separator")[]) => {
    const menu = w.webkit_context_menu_new()!;
    for (const action of actions) {
      w.webkit_context_menu_append(
        menu,
        action === "separator"
          ? w.webkit_context_menu_item_new_separator()
          : w.webkit_context_menu_item_new_from_stock_action(action),
      );
    }
    return menu;
  };
  const actionsOf = (menu: Deno.PointerObject) =>
    Array.from(
      { length: w.webkit_context_menu_get_n_items(menu) },
      (_, i) =>
        w.webkit_context_menu_item_get_stock_action(
          w.webkit_context_menu_get_item_at_position(menu, i)!,
        ),
    );

  // A right click on the page's background: WebKit's navigation menu. Nothing is left,
  // so the handler shows no menu at all.
  const page = menuOf([A.GO_BACK, A.GO_FORWARD, A.STOP, A.RELOAD]);
  assertEquals(filterContextMenu(libs, page, false), 0);
  // On a link in a selection, with devtools off and on.
  const all = [
    A.OPEN_LINK,
    A.DOWNLOAD_LINK_TO_DISK,
    A.COPY_LINK_TO_CLIPBOARD,
    "separator",
    A.COPY,
    A.PASTE,
    A.SELECT_ALL,
    "separator",
    A.INSPECT_ELEMENT,
  ] as const;
  const link = menuOf([...all]);
  assertEquals(filterContextMenu(libs, link, false), 4);
  assertEquals(actionsOf(link), [A.COPY_LINK_TO_CLIPBOARD, A.COPY, A.PASTE, A.SELECT_ALL]);
  const dev = menuOf([...all]);
  filterContextMenu(libs, dev, true);
  assertEquals(actionsOf(dev).at(-1), A.INSPECT_ELEMENT);
  // The menus are left to the process: freeing them here crashed a later window test.

  // lib stays open: unloading WebKit under a live GTK breaks the process (as gtk_init.ts
  // never closes its libraries).
});
