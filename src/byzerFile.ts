/**
 * `.byzer` files in JupyterLab: a launcher item (and palette command) that makes a new one, and
 * "Run Byzer File" (the editor's toolbar button and a command), which sends the file to a Byzer
 * console of its own, split below the editor and reused by later runs; the console shows every
 * table the file makes.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import type { ConsolePanel } from '@jupyterlab/console';
import type { DocumentRegistry, IDocumentWidget } from '@jupyterlab/docregistry';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IEditorTracker, type FileEditor } from '@jupyterlab/fileeditor';
import { ILauncher } from '@jupyterlab/launcher';
import { CommandToolbarButton, runIcon } from '@jupyterlab/ui-components';
import type { FileBrowser } from '@jupyterlab/filebrowser';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { byzerIcon } from './icons';
import { BYZER_KERNEL, isByzerPath, runFileCode } from './runFile';

export const CommandIds = {
  newFile: 'byzer:new-file',
  runFile: 'byzer:run-file'
} as const;

type EditorWidget = IDocumentWidget<FileEditor>;

export const byzerFilePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-byzer:byzer-file',
  description: 'Creates .byzer files from the launcher and runs them in a Byzer console.',
  autoStart: true,
  requires: [IEditorTracker],
  optional: [ILauncher, ICommandPalette, IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    editors: IEditorTracker,
    launcher: ILauncher | null,
    palette: ICommandPalette | null,
    browser: FileBrowser | null
  ) => {
    const { commands } = app;
    /** The console of each editor, by the editor widget's id. */
    const consoles = new Map<string, ConsolePanel>();

    /** The editor a toolbar button names (`widgetId`), else the current one, if it edits Byzer. */
    const byzerEditor = (args: ReadonlyPartialJSONObject): EditorWidget | null => {
      const widget =
        typeof args.widgetId === 'string' ? editors.find(w => w.id === args.widgetId) : editors.currentWidget;
      return widget && isByzerPath(widget.context.path) ? widget : null;
    };

    const consoleFor = async (editor: EditorWidget): Promise<ConsolePanel> => {
      const known = consoles.get(editor.id);
      if (known && !known.isDisposed) {
        return known;
      }
      // As JupyterLab's own "Create Console for Editor": the console's session sits at the file's
      // path, so the kernel starts in the file's folder and relative paths resolve next to it.
      const panel: ConsolePanel = await commands.execute('console:create', {
        path: editor.context.path,
        name: `Byzer: ${editor.context.path}`,
        kernelPreference: { name: BYZER_KERNEL },
        insertMode: 'split-bottom',
        ref: editor.id,
        activate: false
      });
      consoles.set(editor.id, panel);
      panel.disposed.connect(() => consoles.delete(editor.id));
      // The console takes the focus as it starts: give it back to the file, where the user works
      // (JupyterLab then adds the file's kernel buttons to its toolbar now, not under the next click).
      await panel.sessionContext.ready;
      app.shell.activateById(editor.id);
      return panel;
    };

    const runFile = (editor: EditorWidget): Promise<void> =>
      sendToConsole(editor).catch(error => {
        console.error('Run Byzer File failed', error);
        Notification.error(`Run Byzer File: ${(error as Error).message ?? error}`, { autoClose: false });
      });

    const sendToConsole = async (editor: EditorWidget): Promise<void> => {
      const code = runFileCode(editor.content.model.sharedModel.getSource());
      if (code === null) {
        Notification.info(`${editor.context.path} is empty: there is nothing to run.`, { autoClose: 5000 });
        return;
      }
      const panel = await consoleFor(editor);
      await panel.sessionContext.ready;
      await panel.console.inject(code);
    };

    commands.addCommand(CommandIds.newFile, {
      label: args => (args.isPalette ? 'New Byzer File' : 'Byzer File'),
      caption: 'Create a new Byzer script (.byzer)',
      icon: args => (args.isPalette ? undefined : byzerIcon),
      execute: async args => {
        const cwd = typeof args.cwd === 'string' ? args.cwd : (browser?.model.path ?? '');
        const model = await commands.execute('docmanager:new-untitled', { path: cwd, type: 'file', ext: '.byzer' });
        // Returning the editor lets the launcher give its place to it.
        return model ? commands.execute('docmanager:open', { path: model.path, factory: 'Editor' }) : undefined;
      }
    });

    commands.addCommand(CommandIds.runFile, {
      label: 'Run Byzer File',
      caption: 'Run the whole file in its Byzer console and show every table it makes',
      icon: args => (args.isPalette ? undefined : runIcon),
      isEnabled: args => byzerEditor(args) !== null,
      execute: args => {
        const editor = byzerEditor(args);
        return editor ? runFile(editor) : undefined;
      }
    });

    // The run button, on the toolbar of every editor of a .byzer or .mlsql file.
    app.docRegistry.addWidgetExtension('Editor', {
      createNew: (editor: EditorWidget, context: DocumentRegistry.IContext<DocumentRegistry.ICodeModel>) => {
        if (!isByzerPath(context.path)) {
          return;
        }
        const button = new CommandToolbarButton({
          commands,
          id: CommandIds.runFile,
          args: { widgetId: editor.id },
          icon: runIcon,
          label: 'Run'
        });
        button.addClass('byzer-run-file');
        editor.toolbar.addItem('byzer-run-file', button);
        return button;
      }
    });

    launcher?.add({ command: CommandIds.newFile, category: 'Other', rank: 2 });
    palette?.addItem({ command: CommandIds.newFile, category: 'Byzer', args: { isPalette: true } });
    palette?.addItem({ command: CommandIds.runFile, category: 'Byzer', args: { isPalette: true } });
  }
};
