/**
 * The result viewer: a renderer for `application/vnd.byzer.table+json`.
 *
 * A plain HTML table with paging controls rather than JupyterLab's data grid (@lumino/datagrid):
 * the viewer only ever holds one page (at most a few hundred rows), which the DOM draws at once;
 * cells stay text that can be selected and copied, nulls and column types are styled with CSS and
 * the theme's variables (light and dark) like the rest of JupyterLab, and the bundle stays small.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { hasAllRows, localPage } from './localPages';
import { KernelTables, SAVED_PAGE, type KernelGetter } from './tableComm';
import {
  TABLE_MIME,
  PagingState,
  cellText,
  columnKind,
  decodeBase64,
  downloadMimeType,
  downloadRequest,
  pageSizeChoices,
  parseTableData,
  type DownloadFormat,
  type Page,
  type TableData,
  type Value
} from './tableModel';

const CLASS = 'byzer-viewer';

export class TableViewer extends Widget implements IRenderMime.IRenderer {
  private data: TableData | null = null;
  private state = new PagingState(0, 20, 0);
  /**
   * The page last asked for, which the next click builds on: two quick clicks on a header sort
   * descending, and two on Next go two pages on, even before the first answer arrives.
   */
  private wanted = this.state;
  private rows: Value[][] = [];
  private tables: KernelTables | null = null;
  /** The rows all came with the output: pages and sorts are made here. */
  private local = false;
  /** Request ids, unique on the viewer's comm. */
  private requests = 0;
  /** The id of the latest page asked for: an older page arriving late is dropped. */
  private latestPage = 0;
  /** Requests not answered yet (the controls dim meanwhile). */
  private pending = 0;
  private readonly parts: ViewerParts;

  constructor(private readonly kernel: KernelGetter) {
    super();
    this.addClass(CLASS);
    this.parts = buildParts(this.node);
    this.parts.pager.addEventListener('click', event => this.onPagerClick(event));
    this.parts.pageInput.addEventListener('change', () => this.jump());
    this.parts.pageInput.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        // The jump is this input's; JupyterLab's own Enter (edit the cell) is not.
        event.preventDefault();
        event.stopPropagation();
        this.jump();
      }
    });
    this.parts.pageSize.addEventListener('change', () => this.go(this.wanted.withPageSize(Number(this.parts.pageSize.value))));
    this.parts.head.addEventListener('click', event => this.onHeaderClick(event));
    for (const button of this.parts.downloads) {
      button.addEventListener('click', () => this.download(button.dataset.format as DownloadFormat));
    }
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    let data: TableData;
    try {
      data = parseTableData(model.data[TABLE_MIME]);
    } catch (error) {
      this.note(`Cannot show this result: ${(error as Error).message}`, true);
      return;
    }
    this.tables?.dispose();
    this.data = data;
    this.tables = new KernelTables(data.table_id, this.kernel);
    this.local = hasAllRows(data.rows, data.total_rows);
    this.state = this.wanted = PagingState.of(data);
    this.rows = data.rows.slice(0, data.page_size);
    this.parts.name.textContent = data.name ?? '';
    this.parts.name.hidden = !data.name;
    this.parts.pageSize.replaceChildren(
      ...pageSizeChoices(data.page_size).map(size => new Option(String(size), String(size)))
    );
    this.draw();
    this.note(this.local || this.tables.available ? null : SAVED_PAGE);
  }

  dispose(): void {
    this.tables?.dispose();
    super.dispose();
  }

  private onPagerClick(event: MouseEvent): void {
    const action = (event.target as HTMLElement).closest('button')?.dataset.action;
    const moves: Record<string, () => PagingState> = {
      first: () => this.wanted.first(),
      previous: () => this.wanted.previous(),
      next: () => this.wanted.next(),
      last: () => this.wanted.last()
    };
    if (action && moves[action]) {
      void this.go(moves[action]());
    }
  }

  /** To the page typed in the page box (1-based), unless it is the page shown. */
  private jump(): void {
    const typed = Number(this.parts.pageInput.value);
    if (Number.isFinite(typed) && typed - 1 !== this.wanted.pageIndex) {
      void this.go(this.wanted.toPage(typed - 1));
    }
  }

  private onHeaderClick(event: MouseEvent): void {
    const header = (event.target as HTMLElement).closest('th');
    const column = header?.dataset.column;
    if (column !== undefined) {
      void this.go(this.wanted.toggleSort(column, event.shiftKey));
    }
  }

  /** Shows the page `target` describes, once its rows are here; the page shown stays until then. */
  private async go(target: PagingState): Promise<void> {
    if (!this.data || !this.tables) {
      return;
    }
    const id = ++this.requests;
    this.latestPage = id;
    this.wanted = target;
    this.busy(+1);
    try {
      const request = target.pageRequest(id);
      const page: Page = this.local ? localPage(this.data.columns, this.data.rows, request) : await this.tables.page(request);
      if (id === this.latestPage) {
        this.state = this.wanted = target.withPage(page);
        this.rows = page.rows;
        this.draw();
        this.note(null);
      }
    } catch (error) {
      if (id === this.latestPage) {
        this.wanted = this.state;
        this.draw(); // the controls go back to the page still shown
        this.note((error as Error).message, true);
      }
    } finally {
      this.busy(-1);
    }
  }

  private async download(format: DownloadFormat): Promise<void> {
    if (!this.tables) {
      return;
    }
    const id = ++this.requests;
    this.busy(+1);
    this.note(`Preparing the ${format === 'csv' ? 'CSV' : 'Parquet'} file of the whole result…`);
    try {
      const file = await this.tables.download(downloadRequest(format, id));
      saveFile(file.filename, decodeBase64(file.data_base64), downloadMimeType(format));
      this.note(`Downloaded ${file.filename}.`);
    } catch (error) {
      this.note((error as Error).message, true);
    } finally {
      this.busy(-1);
    }
  }

  private draw(): void {
    if (!this.data) {
      return;
    }
    drawHead(this.parts.head, this.data, this.state);
    drawBody(this.parts.body, this.data, this.rows);
    const { state, parts } = this;
    parts.range.textContent = state.rangeText(this.rows.length);
    parts.pageInput.value = String(state.pageIndex + 1);
    parts.pageInput.max = String(state.pageCount);
    parts.pageCount.textContent = String(state.pageCount);
    parts.pageSize.value = String(state.pageSize);
    parts.pager.hidden = state.pageCount <= 1;
    this.enableControls();
  }

  private busy(change: number): void {
    this.pending += change;
    this.toggleClass('byzer-mod-busy', this.pending > 0);
    this.node.setAttribute('aria-busy', String(this.pending > 0));
  }

  private enableControls(): void {
    const { state, parts } = this;
    for (const button of parts.pager.querySelectorAll<HTMLButtonElement>('button')) {
      const forward = button.dataset.action === 'next' || button.dataset.action === 'last';
      button.disabled = forward ? !state.hasNext : !state.hasPrevious;
    }
  }

  private note(text: string | null, problem = false): void {
    this.parts.note.textContent = text ?? '';
    this.parts.note.hidden = !text;
    this.parts.note.classList.toggle('byzer-mod-problem', problem);
  }
}

interface ViewerParts {
  head: HTMLTableSectionElement;
  body: HTMLTableSectionElement;
  name: HTMLElement;
  range: HTMLElement;
  pager: HTMLElement;
  pageInput: HTMLInputElement;
  pageCount: HTMLElement;
  pageSize: HTMLSelectElement;
  downloads: HTMLButtonElement[];
  note: HTMLElement;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function button(text: string, title: string, data: Record<string, string>): HTMLButtonElement {
  const node = element('button', `${CLASS}-button`, text);
  node.type = 'button';
  node.title = title;
  node.setAttribute('aria-label', title);
  Object.assign(node.dataset, data);
  return node;
}

function buildParts(root: HTMLElement): ViewerParts {
  const scroll = element('div', `${CLASS}-scroll`);
  const table = element('table', `${CLASS}-table`);
  const head = element('thead');
  const body = element('tbody');
  table.append(head, body);
  scroll.append(table);

  const bar = element('div', `${CLASS}-bar`);
  // Keys typed in the controls are theirs (arrows in the page-size list, digits in the page box),
  // not the notebook's, which would move between cells; Ctrl/Cmd/Alt shortcuts and Escape go on.
  bar.setAttribute('data-lm-suppress-shortcuts', 'true');
  bar.addEventListener('keydown', event => {
    if (!(event.ctrlKey || event.metaKey || event.altKey || event.key === 'Escape')) {
      event.stopPropagation();
    }
  });
  const name = element('code', `${CLASS}-name`);
  const range = element('span', `${CLASS}-range`);
  const pager = element('span', `${CLASS}-pager`);
  const pageInput = element('input', `${CLASS}-page`);
  pageInput.type = 'number';
  pageInput.min = '1';
  pageInput.title = 'Page number: type one and press Enter to jump to it';
  const pageCount = element('span', `${CLASS}-page-count`);
  const pageLabel = element('label', `${CLASS}-page-label`, 'page ');
  pageLabel.append(pageInput, ' of ', pageCount);
  pager.append(
    button('«', 'First page', { action: 'first' }),
    button('‹', 'Previous page', { action: 'previous' }),
    pageLabel,
    button('›', 'Next page', { action: 'next' }),
    button('»', 'Last page', { action: 'last' })
  );
  const sizeLabel = element('label', `${CLASS}-size-label`, 'rows per page ');
  const pageSize = element('select', `${CLASS}-page-size`);
  sizeLabel.append(pageSize);
  const downloadPart = element('span', `${CLASS}-downloads`, 'download ');
  const downloads = [
    button('CSV', 'Download the whole result as CSV', { format: 'csv' }),
    button('Parquet', 'Download the whole result as Parquet', { format: 'parquet' })
  ];
  downloadPart.append(...downloads);
  bar.append(name, range, pager, sizeLabel, downloadPart);

  const note = element('div', `${CLASS}-note`);
  note.setAttribute('role', 'status');
  note.hidden = true;
  root.append(scroll, bar, note);
  return { head, body, name, range, pager, pageInput, pageCount, pageSize, downloads, note };
}

function drawHead(head: HTMLTableSectionElement, data: TableData, state: PagingState): void {
  const row = element('tr');
  for (const column of data.columns) {
    const at = state.sort.findIndex(key => key.column === column.name);
    const key = at < 0 ? null : state.sort[at];
    const cell = element('th', `${CLASS}-kind-${columnKind(column.type)}`);
    cell.scope = 'col';
    cell.dataset.column = column.name;
    cell.setAttribute('aria-sort', key ? (key.descending ? 'descending' : 'ascending') : 'none');
    cell.title = `${column.name}: ${column.type}. Click to sort; Shift+click to sort by several columns.`;
    const mark = key ? (key.descending ? '▼' : '▲') + (state.sort.length > 1 ? String(at + 1) : '') : '';
    cell.append(
      element('span', `${CLASS}-column`, column.name),
      element('span', `${CLASS}-sort-mark`, mark),
      element('br'),
      element('span', `${CLASS}-type`, column.type)
    );
    row.append(cell);
  }
  head.replaceChildren(row);
}

function drawBody(body: HTMLTableSectionElement, data: TableData, rows: Value[][]): void {
  const kinds = data.columns.map(column => `${CLASS}-kind-${columnKind(column.type)}`);
  const lines = rows.map(values => {
    const line = element('tr');
    kinds.forEach((kind, i) => {
      const value = values[i] ?? null;
      const cell = element('td', value === null ? `${kind} ${CLASS}-null` : kind, cellText(value));
      line.append(cell);
    });
    return line;
  });
  body.replaceChildren(...lines);
}

/** Hands the browser a file to save, as a link to a Blob. */
function saveFile(filename: string, bytes: Uint8Array, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const link = element('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking the URL at once can cancel the download the click started: release it a while later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
