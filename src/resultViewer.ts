/**
 * Registers the result viewer for `application/vnd.byzer.table+json` outputs.
 *
 * A mime renderer is not told which kernel made its output, so each notebook and console gets a
 * renderer factory of its own, bound to its session (as JupyterLab's widget renderers do); the
 * application-wide factory (outputs shown outside a notebook or console) has no kernel and shows
 * the saved first page.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import type { ISessionContext } from '@jupyterlab/apputils';
import { IConsoleTracker, type ConsolePanel } from '@jupyterlab/console';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import type { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { KernelGetter } from './tableComm';
import { TABLE_MIME } from './tableModel';
import { TableViewer } from './tableView';

/** Before text/html (rank 50 in JupyterLab): where the viewer runs, it is the view of a result. */
export const VIEWER_RANK = 40;

function viewerFactory(kernel: KernelGetter): IRenderMime.IRendererFactory {
  return {
    // Safe: it draws text nodes only, so an untrusted (e.g. reopened) notebook shows it too.
    safe: true,
    mimeTypes: [TABLE_MIME],
    defaultRank: VIEWER_RANK,
    createRenderer: () => new TableViewer(kernel)
  };
}

function sessionKernel(session: ISessionContext): KernelGetter {
  return () => session.session?.kernel;
}

export const resultViewerPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-byzer:result-viewer',
  description: 'Pages, sorts and downloads Byzer result tables through their kernel.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [IConsoleTracker],
  activate: (app: JupyterFrontEnd, rendermime: IRenderMimeRegistry, consoles: IConsoleTracker | null) => {
    rendermime.addFactory(viewerFactory(() => null), VIEWER_RANK);
    // Runs as the notebook widget is made, before its cells (and their outputs) are.
    app.docRegistry.addWidgetExtension('Notebook', {
      createNew: (panel: NotebookPanel, context: DocumentRegistry.IContext<INotebookModel>) => {
        panel.content.rendermime.addFactory(viewerFactory(sessionKernel(context.sessionContext)), VIEWER_RANK);
      }
    });
    consoles?.widgetAdded.connect((_, panel: ConsolePanel) => {
      panel.console.rendermime.addFactory(viewerFactory(sessionKernel(panel.sessionContext)), VIEWER_RANK);
    });
  }
};
