/**
 * The grid's columns as shown: each sheet column, and after an AI column with a JSON
 * schema of an object, one read-only sub-column per property (`column.field`), whose
 * cells show that field of the cell's JSON.
 *
 * @module
 */
import type { SheetCellJson, SheetColumnJson } from "../../../api/sheets.ts";

/** A column of the grid: a sheet column, or a field of a structured AI column. */
export type DisplayColumn = { column: SheetColumnJson; field: string | null; key: string };

/** The property names of an object schema, or none. */
function schemaFields(schema: unknown): string[] {
  if (typeof schema !== "object" || schema === null) return [];
  const properties = (schema as { properties?: unknown }).properties;
  return typeof properties === "object" && properties !== null ? Object.keys(properties) : [];
}

/** The sheet's columns with the sub-columns of structured AI columns after each. */
export function displayColumns(columns: readonly SheetColumnJson[]): DisplayColumn[] {
  return columns.flatMap((column) => [
    { column, field: null, key: column.id },
    ...schemaFields(column.ai?.json_schema).map((field) => ({
      column,
      field,
      key: `${column.id}.${field}`,
    })),
  ]);
}

/** A field of a structured cell's JSON as text; "" when absent or not JSON. */
export function fieldText(cell: SheetCellJson | undefined, field: string): string {
  if (!cell?.value) return "";
  try {
    const value = (JSON.parse(cell.value) as Record<string, unknown>)?.[field];
    if (value === undefined || value === null) return "";
    return typeof value === "string" ? value : JSON.stringify(value);
  } catch {
    return "";
  }
}
