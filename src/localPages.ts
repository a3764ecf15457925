/**
 * Pages of a result whose rows all came with its output (a small result, or one shown with
 * `--limit 0`): the browser pages and sorts them itself, so a saved notebook reopened without a
 * kernel still pages and sorts it. The order is the kernel's: stable, nulls last either way.
 */
import { columnKind, type Column, type Page, type PageRequest, type Value } from './tableModel';

export function hasAllRows(rows: readonly unknown[], totalRows: number): boolean {
  return rows.length >= totalRows;
}

export function localPage(columns: readonly Column[], rows: readonly Value[][], request: PageRequest): Page {
  const keys = request.sort.map(key => {
    const index = columns.findIndex(column => column.name === key.column);
    if (index < 0) {
      throw new Error(`no column ${JSON.stringify(key.column)} in the result`);
    }
    return { index, descending: key.descending, numeric: columnKind(columns[index].type) === 'number' };
  });
  let ordered: readonly Value[][] = rows;
  if (keys.length) {
    // Array.prototype.sort is stable: rows equal on every key keep the kernel's order.
    ordered = rows.slice().sort((a, b) => {
      for (const key of keys) {
        const order = compareValues(a[key.index], b[key.index], key.numeric, key.descending);
        if (order !== 0) {
          return order;
        }
      }
      return 0;
    });
  }
  const offset = Math.min(request.offset, rows.length);
  return {
    rows: ordered.slice(offset, offset + request.limit),
    offset,
    total_rows: rows.length,
    sort: request.sort.map(key => ({ ...key }))
  };
}

/** Nulls last in both directions; numbers sent as text (decimals, large integers) by value. */
export function compareValues(a: Value, b: Value, numeric: boolean, descending: boolean): number {
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  if (aNull || bNull) {
    return aNull === bNull ? 0 : aNull ? 1 : -1;
  }
  if (numeric || (typeof a === 'number' && typeof b === 'number')) {
    return compareNumbers(Number(a), Number(b), descending);
  }
  let order: number;
  if (typeof a === 'boolean' && typeof b === 'boolean') {
    order = Number(a) - Number(b);
  } else {
    const x = String(a);
    const y = String(b);
    order = x < y ? -1 : x > y ? 1 : 0;
  }
  return descending ? -order : order;
}

/** NaN after every number and before nulls in both directions, as the kernel (Arrow) orders it. */
function compareNumbers(x: number, y: number, descending: boolean): number {
  if (Number.isNaN(x) || Number.isNaN(y)) {
    return Number.isNaN(x) === Number.isNaN(y) ? 0 : Number.isNaN(x) ? 1 : -1;
  }
  const order = x < y ? -1 : x > y ? 1 : 0;
  return descending ? -order : order;
}
