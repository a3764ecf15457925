/**
 * The result viewer's state and messages, free of the DOM and of JupyterLab, so Vitest runs them
 * as they are.
 *
 * The kernel sends a result as `application/vnd.byzer.table+json`: its columns, its first page and
 * its row count (docs/reference/notebook-ui.md). The viewer asks the kernel for other pages, sorted
 * pages and the whole result as a file over the comm target `byzer.table`; a result whose rows all
 * came with it pages and sorts in the browser, with or without a kernel.
 */

export const TABLE_MIME = 'application/vnd.byzer.table+json';
export const COMM_TARGET = 'byzer.table';
export const PAGE_SIZES: readonly number[] = [10, 20, 50, 100, 500];
/** The largest page the kernel answers (result_viewer.MAX_PAGE_ROWS). */
export const MAX_PAGE_SIZE = 10_000;

export type Value = string | number | boolean | null;

export interface Column {
  name: string;
  /** The Spark type name: `int`, `decimal(10,2)`, `array<string>`, … */
  type: string;
}

export interface SortKey {
  column: string;
  descending: boolean;
}

/** The data of a `application/vnd.byzer.table+json` output. */
export interface TableData {
  version: number;
  table_id: string;
  name: string | null;
  columns: Column[];
  rows: Value[][];
  total_rows: number;
  offset: number;
  page_size: number;
  sort: SortKey[];
}

export interface PageRequest {
  request: 'page';
  offset: number;
  limit: number;
  sort: SortKey[];
  request_id: number;
}

export type DownloadFormat = 'csv' | 'parquet';

export interface DownloadRequest {
  request: 'download';
  format: DownloadFormat;
  request_id: number;
}

export interface Page {
  rows: Value[][];
  offset: number;
  total_rows: number;
  sort: SortKey[];
}

export interface Download {
  format: DownloadFormat;
  filename: string;
  data_base64: string;
}

/** Reads an output's data; anything else than the contract's shape is an Error naming the field. */
export function parseTableData(data: unknown): TableData {
  const value = data as Partial<TableData> | null;
  if (!value || typeof value !== 'object') {
    throw new Error('the output has no table data');
  }
  if (value.version !== 1) {
    throw new Error(`unknown table data version ${JSON.stringify(value.version)} (this viewer reads 1)`);
  }
  const columns = value.columns;
  if (!Array.isArray(columns) || !columns.every(c => c && typeof c.name === 'string' && typeof c.type === 'string')) {
    throw new Error('the table data has no valid `columns`');
  }
  if (!Array.isArray(value.rows) || typeof value.total_rows !== 'number') {
    throw new Error('the table data has no valid `rows` and `total_rows`');
  }
  return {
    version: 1,
    table_id: String(value.table_id ?? ''),
    name: typeof value.name === 'string' ? value.name : null,
    columns,
    rows: value.rows,
    total_rows: value.total_rows,
    offset: typeof value.offset === 'number' ? value.offset : 0,
    page_size: typeof value.page_size === 'number' && value.page_size > 0 ? value.page_size : 20,
    sort: Array.isArray(value.sort) ? value.sort : []
  };
}

/** A page reply, or an Error with the kernel's own message (`{"error": ...}`). */
export function parsePageReply(reply: unknown): Page {
  const value = replyObject(reply);
  if (!Array.isArray(value.rows) || typeof value.offset !== 'number' || typeof value.total_rows !== 'number') {
    throw new Error('the kernel answered a page request without rows');
  }
  return {
    rows: value.rows as Value[][],
    offset: value.offset,
    total_rows: value.total_rows,
    sort: Array.isArray(value.sort) ? (value.sort as SortKey[]) : []
  };
}

export function parseDownloadReply(reply: unknown): Download {
  const value = replyObject(reply);
  if (typeof value.data_base64 !== 'string' || typeof value.filename !== 'string') {
    throw new Error('the kernel answered a download request without a file');
  }
  return { format: value.format as DownloadFormat, filename: value.filename, data_base64: value.data_base64 };
}

function replyObject(reply: unknown): Record<string, unknown> {
  if (!reply || typeof reply !== 'object') {
    throw new Error('the kernel sent an empty answer');
  }
  const value = reply as Record<string, unknown>;
  if (typeof value.error === 'string') {
    throw new Error(value.error);
  }
  return value;
}

/** Where the viewer is: which rows, how many per page, in which order. Immutable. */
export class PagingState {
  constructor(
    readonly offset: number,
    readonly pageSize: number,
    readonly totalRows: number,
    readonly sort: readonly SortKey[] = []
  ) {}

  static of(data: TableData): PagingState {
    return new PagingState(data.offset, data.page_size, data.total_rows, data.sort);
  }

  get pageCount(): number {
    return Math.max(1, Math.ceil(this.totalRows / this.pageSize));
  }

  /** 0-based page of the first row shown. */
  get pageIndex(): number {
    return Math.floor(this.offset / this.pageSize);
  }

  get hasPrevious(): boolean {
    return this.offset > 0;
  }

  get hasNext(): boolean {
    return this.offset + this.pageSize < this.totalRows;
  }

  /** The page with this 0-based index, clamped to the pages there are. */
  toPage(index: number): PagingState {
    const clamped = Math.min(Math.max(0, Math.floor(index)), this.pageCount - 1);
    return new PagingState(clamped * this.pageSize, this.pageSize, this.totalRows, this.sort);
  }

  next(): PagingState {
    return this.toPage(this.pageIndex + 1);
  }

  previous(): PagingState {
    return this.toPage(this.pageIndex - 1);
  }

  first(): PagingState {
    return this.toPage(0);
  }

  last(): PagingState {
    return this.toPage(this.pageCount - 1);
  }

  /** A new page size, on the page that holds the first row shown now. */
  withPageSize(size: number): PagingState {
    const pageSize = Math.min(Math.max(1, Math.floor(size)), MAX_PAGE_SIZE);
    return new PagingState(Math.floor(this.offset / pageSize) * pageSize, pageSize, this.totalRows, this.sort);
  }

  /**
   * A click on a column header: unsorted -> ascending -> descending -> unsorted. A plain click
   * sorts by that column alone; `additive` (Shift+click) adds it to, or cycles it in, the keys.
   * Any change of order starts again at the first page.
   */
  toggleSort(column: string, additive = false): PagingState {
    const current = this.sort.find(key => key.column === column);
    const next: SortKey | null = !current
      ? { column, descending: false }
      : current.descending
        ? null
        : { column, descending: true };
    let sort: SortKey[];
    if (additive) {
      sort = this.sort.filter(key => key.column !== column);
      if (next) {
        const at = this.sort.findIndex(key => key.column === column);
        sort.splice(at < 0 ? sort.length : at, 0, next);
      }
    } else {
      sort = next ? [next] : [];
    }
    return new PagingState(0, this.pageSize, this.totalRows, sort);
  }

  withPage(page: Page): PagingState {
    return new PagingState(page.offset, this.pageSize, page.total_rows, page.sort);
  }

  pageRequest(requestId: number): PageRequest {
    return {
      request: 'page',
      offset: this.offset,
      limit: this.pageSize,
      sort: this.sort.map(key => ({ column: key.column, descending: key.descending })),
      request_id: requestId
    };
  }

  /** "rows 1–20 of 200,000", "3 rows", "no rows". */
  rangeText(shown: number): string {
    if (this.totalRows === 0) {
      return 'no rows';
    }
    if (shown >= this.totalRows) {
      return `${formatCount(this.totalRows)} row${this.totalRows === 1 ? '' : 's'}`;
    }
    const first = Math.min(this.offset + 1, this.totalRows);
    const last = Math.min(this.offset + shown, this.totalRows);
    return `rows ${formatCount(first)}–${formatCount(last)} of ${formatCount(this.totalRows)}`;
  }
}

export function downloadRequest(format: DownloadFormat, requestId: number): DownloadRequest {
  return { request: 'download', format, request_id: requestId };
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** The page sizes to offer: the usual ones and the output's own. */
export function pageSizeChoices(current: number): number[] {
  return [...new Set([...PAGE_SIZES, current])].sort((a, b) => a - b);
}

const NUMBER_TYPES = /^(tinyint|smallint|int|bigint|float|double|decimal(\(\d+,\s*\d+\))?)$/;
const TEMPORAL_TYPES = /^(date|timestamp|timestamp_ntz|interval\b.*|.*interval)$/;

/** How a column's cells are laid out: numbers right-aligned, numbers and dates never wrapped. */
export function columnKind(type: string): 'number' | 'temporal' | 'text' {
  const name = type.trim().toLowerCase();
  if (NUMBER_TYPES.test(name)) {
    return 'number';
  }
  return TEMPORAL_TYPES.test(name) ? 'temporal' : 'text';
}

/** The text of one cell; null is shown as "null" and styled apart by the view. */
export function cellText(value: Value): string {
  if (value === null || value === undefined) {
    return 'null';
  }
  return typeof value === 'string' ? value.replace(/\n/g, '\\n') : String(value);
}

/** A base64 text as bytes (a download's file). */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}

export function downloadMimeType(format: DownloadFormat): string {
  return format === 'csv' ? 'text/csv' : 'application/vnd.apache.parquet';
}
