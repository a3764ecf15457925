/**
 * Highlights `%%byzer` cells of Python notebooks as Byzer.
 *
 * JupyterLab picks a cell editor's language from the cell model's `mimeType`, which the notebook
 * sets for every code cell from the kernel's language. This keeps that mime type on each code
 * cell whose source starts with `%%byzer`, and only while the notebook's language is Python;
 * every other cell keeps the notebook's own mime type. The mime type is not saved in the file.
 */
import type { ICellModel } from '@jupyterlab/cells';
import type { INotebookModel, Notebook, NotebookPanel } from '@jupyterlab/notebook';
import { BYZER_MIME } from './language';

/** The first non-blank line of the cell is a `%%byzer` cell magic (as IPython reads it). */
const BYZER_MAGIC = /^(?:[ \t]*\r?\n)*%%byzer(?:[ \t]|\r?\n|$)/;
const PYTHON_MIMES = new Set(['text/x-ipython', 'text/x-python']);

export function isByzerMagicCell(source: string): boolean {
  return BYZER_MAGIC.test(source);
}

/** The mime type a code cell should have in a notebook whose code mime type is `notebookMime`. */
export function cellMimeType(source: string, notebookMime: string): string {
  return PYTHON_MIMES.has(notebookMime) && isByzerMagicCell(source) ? BYZER_MIME : notebookMime;
}

/** Keeps the mime types of one notebook's code cells in line with `cellMimeType`. */
export class MagicCellHighlighter {
  /** Watched code cells and their source-change handlers. */
  private readonly watched = new Map<ICellModel, (sender: unknown, change: { sourceChange?: unknown }) => void>();

  constructor(private readonly panel: NotebookPanel) {
    const notebook = panel.content;
    notebook.modelChanged.connect(this.onModelChanged, this);
    this.onModelChanged(notebook);
    panel.disposed.connect(() => this.unwatchAll());
  }

  private onModelChanged(notebook: Notebook): void {
    this.unwatchAll();
    const model = notebook.model;
    if (!model) {
      return;
    }
    model.cells.changed.connect(this.onCellsChanged, this);
    for (let i = 0; i < model.cells.length; i++) {
      this.watch(model.cells.get(i));
    }
  }

  private onCellsChanged(_: unknown, change: { newValues: ICellModel[] }): void {
    for (const cell of change.newValues) {
      this.watch(cell);
    }
    const model = this.panel.content.model as INotebookModel | null;
    const alive = new Set<ICellModel>();
    for (let i = 0; model && i < model.cells.length; i++) {
      alive.add(model.cells.get(i));
    }
    for (const cell of [...this.watched.keys()]) {
      if (!alive.has(cell)) {
        this.unwatch(cell);
      }
    }
  }

  private watch(cell: ICellModel): void {
    if (cell.type !== 'code' || this.watched.has(cell)) {
      return;
    }
    const onSourceChange = (_: unknown, change: { sourceChange?: unknown }) => {
      if (change.sourceChange) {
        this.update(cell);
      }
    };
    this.watched.set(cell, onSourceChange);
    cell.sharedModel.changed.connect(onSourceChange);
    // The notebook resets every code cell's mime type when the kernel language changes.
    cell.mimeTypeChanged.connect(this.onMimeTypeChanged, this);
    this.update(cell);
  }

  private unwatch(cell: ICellModel): void {
    const onSourceChange = this.watched.get(cell);
    this.watched.delete(cell);
    if (onSourceChange) {
      cell.sharedModel.changed.disconnect(onSourceChange);
    }
    cell.mimeTypeChanged.disconnect(this.onMimeTypeChanged, this);
  }

  private unwatchAll(): void {
    for (const cell of [...this.watched.keys()]) {
      this.unwatch(cell);
    }
  }

  private onMimeTypeChanged(cell: unknown): void {
    this.update(cell as ICellModel);
  }

  private update(cell: ICellModel): void {
    if (cell.isDisposed) {
      return;
    }
    const notebookMime = this.panel.content.codeMimetype;
    const wanted = cellMimeType(cell.sharedModel.getSource(), notebookMime);
    if (cell.mimeType !== wanted) {
      cell.mimeType = wanted;
    }
  }
}
