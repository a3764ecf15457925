/**
 * JupyterLab extension for Byzer:
 *
 * - registers the `byzer` language (`text/x-byzer`, `.byzer`, `.mlsql`) with CodeMirror 6, which
 *   the Byzer kernel's language_info (codemirror_mode `byzer`) and the file editor pick up;
 * - highlights `%%byzer` cells of Python notebooks as Byzer;
 * - creates `.byzer` files from the launcher and runs them in a Byzer console (byzerFile.ts);
 * - shows result tables in a viewer that pages, sorts and downloads through the kernel
 *   (resultViewer.ts);
 * - draws Byzer charts in the notebook's theme, dark included (chartRenderer.ts);
 * - completes Byzer with the kernel's items first, in its order and with their kinds
 *   (completion.ts).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker } from '@jupyterlab/notebook';
import { byzerFilePlugin } from './byzerFile';
import { chartThemePlugin } from './chartRenderer';
import { MagicCellHighlighter } from './cellMagic';
import { completionPlugin } from './completion';
import { byzerIcon } from './icons';
import { BYZER_EXTENSIONS, BYZER_MIME, byzerSupport } from './language';
import { resultViewerPlugin } from './resultViewer';

const languagePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-byzer:language',
  description: 'Byzer SQL syntax highlighting in CodeMirror editors.',
  autoStart: true,
  requires: [IEditorLanguageRegistry],
  activate: (app: JupyterFrontEnd, languages: IEditorLanguageRegistry) => {
    languages.addLanguage({
      name: 'byzer',
      displayName: 'Byzer',
      alias: ['mlsql'],
      mime: BYZER_MIME,
      extensions: BYZER_EXTENSIONS,
      load: async () => byzerSupport()
    });
    app.docRegistry.addFileType({
      name: 'byzer',
      displayName: 'Byzer script',
      extensions: BYZER_EXTENSIONS.map(ext => `.${ext}`),
      mimeTypes: [BYZER_MIME],
      contentType: 'file',
      fileFormat: 'text',
      icon: byzerIcon
    });
  }
};

const cellMagicPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-byzer:cell-magic',
  description: 'Highlights %%byzer cells of Python notebooks as Byzer.',
  autoStart: true,
  requires: [INotebookTracker],
  activate: (_: JupyterFrontEnd, notebooks: INotebookTracker) => {
    notebooks.widgetAdded.connect((__, panel) => {
      new MagicCellHighlighter(panel);
    });
  }
};

export default [languagePlugin, cellMagicPlugin, byzerFilePlugin, resultViewerPlugin, chartThemePlugin, completionPlugin];
