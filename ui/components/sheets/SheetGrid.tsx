/**
 * The sheet's grid, virtualized: rows have a fixed height and only those on screen (plus
 * {@link OVERSCAN_ROWS} each side) are in the DOM, absolutely placed in a body as tall as
 * all rows, so 100,000 rows scroll like 40. The header row is sticky. Rows come from the
 * store's page cache, which fetches the pages on screen. A structured AI column (JSON
 * schema of an object) is followed by one read-only sub-column per field.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { SheetColumnJson } from "../../../api/sheets.ts";
import type { OpenSheet, SheetSelection } from "../../stores/sheets.ts";
import { ColumnHeader } from "./ColumnHeader.tsx";
import { SheetCell } from "./SheetCell.tsx";
import { displayColumns, fieldText } from "./display_columns.ts";
import { gridKeyHandler } from "./grid_keys.ts";

/** Height of every row, in CSS pixels (the body's height is rows x this). */
export const ROW_HEIGHT_PX = 32;
/** Height of the sticky header row, in CSS pixels (sheets.css). */
const HEADER_HEIGHT_PX = 36;
/** Rows rendered above and below the screen, so a fast scroll shows no gap. */
export const OVERSCAN_ROWS = 8;
/** Width of the row-number column and of every data or AI column, in CSS pixels. */
const INDEX_WIDTH_PX = 72;
const COLUMN_WIDTH_PX = 240;

/** Props of {@link SheetGrid}. */
export type SheetGridProps = {
  open: OpenSheet;
  selection: SheetSelection | null;
  onSelectColumn(columnId: string): void;
  onSelectCell(columnId: string, row: number, extend: boolean): void;
  /** Moves the selection by keyboard; returns the row moved to, or null. */
  onMoveSelection(rows: number, columns: number, extend: boolean): number | null;
  onClearSelection(): void;
  onEditColumn(column: SheetColumnJson): void;
  onDeleteColumn(column: SheetColumnJson): void;
};

/** The rows [from, to) to render for a scroll position. */
export function visibleRows(
  scrollTop: number,
  viewportPx: number,
  rowCount: number,
): { from: number; to: number } {
  const first = Math.floor(scrollTop / ROW_HEIGHT_PX);
  const from = Math.max(0, first - OVERSCAN_ROWS);
  const to = Math.min(rowCount, first + Math.ceil(viewportPx / ROW_HEIGHT_PX) + OVERSCAN_ROWS);
  return { from, to };
}

/** The grid. */
export function SheetGrid(props: SheetGridProps): JSX.Element {
  const { open, selection } = props;
  const { columns } = open;
  const rowCount = open.sheet.row_count;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const frame = useRef(0);

  useLayoutEffect(() => {
    const el = scroller.current!;
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    setViewport(el.clientHeight);
    return () => observer.disconnect();
  }, []);
  // A new sheet starts at the top.
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
    setScrollTop(0);
  }, [open.sheet.id]);

  const { from, to } = visibleRows(scrollTop, viewport, rowCount);
  useEffect(() => open.rows.show(from, to), [open.rows, from, to]);

  const onKeyDown = gridKeyHandler({
    move: props.onMoveSelection,
    clear: props.onClearSelection,
    pageRows: () => Math.max(1, Math.floor(viewport / ROW_HEIGHT_PX) - 2),
    reveal: (row) => {
      const el = scroller.current!;
      // Below the sticky header, above the bottom edge.
      const top = row * ROW_HEIGHT_PX;
      const visible = el.clientHeight - HEADER_HEIGHT_PX;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW_HEIGHT_PX > el.scrollTop + visible) {
        el.scrollTop = top + ROW_HEIGHT_PX - visible;
      }
    },
  });
  const shown = displayColumns(columns);
  const template = `${INDEX_WIDTH_PX}px repeat(${shown.length}, ${COLUMN_WIDTH_PX}px)`;
  const width = INDEX_WIDTH_PX + shown.length * COLUMN_WIDTH_PX;
  const rows: JSX.Element[] = [];
  for (let idx = from; idx < to; idx++) {
    const row = open.rows.row(idx);
    rows.push(
      <div
        key={idx}
        class="sheet-row"
        role="row"
        aria-rowindex={idx + 2}
        data-row={idx}
        style={{
          transform: `translateY(${idx * ROW_HEIGHT_PX}px)`,
          gridTemplateColumns: template,
          width: `${width}px`,
        }}
      >
        <div class="sheet-index" role="rowheader">{idx + 1}</div>
        {shown.map(({ column: c, field, key }) => (
          <SheetCell
            key={key}
            ai={c.kind === "ai"}
            value={row?.data[c.id]}
            cell={row?.cells[c.id]}
            text={field === null ? undefined : fieldText(row?.cells[c.id], field)}
            selected={selection !== null && selection.columnId === c.id &&
              idx >= selection.from && idx < selection.to}
            onSelect={(e) => props.onSelectCell(c.id, idx, e.shiftKey)}
          />
        ))}
      </div>,
    );
  }

  return (
    <div
      class="sheet-grid"
      role="grid"
      aria-label={open.sheet.name}
      aria-rowcount={rowCount + 1}
      aria-multiselectable="true"
      tabIndex={0}
      ref={scroller}
      onKeyDown={onKeyDown}
      onScroll={(e) => {
        const top = e.currentTarget.scrollTop;
        cancelAnimationFrame(frame.current);
        frame.current = requestAnimationFrame(() => setScrollTop(top));
      }}
    >
      <div
        class="sheet-header"
        role="row"
        style={{ gridTemplateColumns: template, width: `${width}px` }}
      >
        <div class="sheet-index" role="columnheader">#</div>
        {shown.map(({ column: c, field, key }) =>
          field === null
            ? (
              <ColumnHeader
                key={key}
                column={c}
                selected={selection?.columnId === c.id && selection.from === 0 &&
                  selection.to === rowCount}
                onSelect={() => props.onSelectColumn(c.id)}
                onEdit={() => props.onEditColumn(c)}
                onDelete={() => props.onDeleteColumn(c)}
              />
            )
            : (
              <div key={key} class="sheet-th sheet-subth" role="columnheader">
                <button
                  type="button"
                  class="sheet-th-name"
                  onClick={() => props.onSelectColumn(c.id)}
                >
                  {c.name}.{field}
                </button>
              </div>
            )
        )}
      </div>
      {/* Preact 11 adds no "px" to numbers: the units are spelled out. */}
      <div
        class="sheet-body"
        style={{ height: `${rowCount * ROW_HEIGHT_PX}px`, width: `${width}px` }}
      >
        {rows}
      </div>
    </div>
  );
}
