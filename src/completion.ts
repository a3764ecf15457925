/**
 * Completion in Byzer editors (cells of Byzer notebooks and consoles, `%%byzer` cells, `.byzer`
 * files with a console): a provider that asks the kernel and keeps the kernel's order, each item
 * with its kind (table, column, keyword, function, ET, format...), before the document's words.
 *
 * JupyterLab merges the providers' items in the providers' rank order, ours (rank 1000) first,
 * then its own kernel provider's (the same matches, dropped as duplicates) and the document words.
 * Its completer model then sorts the shown items alphabetically once the user types on: the model
 * made here (JupyterLab takes the model of the highest-ranked provider, for every editor) orders
 * them with `kernelFirst`, which leaves the items of other providers, and so other editors, in
 * JupyterLab's own order.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import type { CodeEditor } from '@jupyterlab/codeeditor';
import {
  CompleterModel,
  type Completer,
  type CompletionHandler,
  type ICompletionContext,
  type ICompletionProvider,
  ICompletionProviderManager
} from '@jupyterlab/completer';
import { Text } from '@jupyterlab/coreutils';
import { kernelFirst, kernelItems } from './completionOrder';
import { BYZER_MIME } from './language';

export const BYZER_PROVIDER_ID = 'jupyterlab-byzer:kernel-completion';

/** Above JupyterLab's kernel (550) and document-word (500) providers, as its docs advise. */
export const BYZER_PROVIDER_RANK = 1000;

/** A Byzer editor: Byzer notebooks' and consoles' cells, `%%byzer` cells and `.byzer` files. */
function isByzerEditor(editor: CodeEditor.IEditor | null | undefined): boolean {
  return editor?.model.mimeType === BYZER_MIME;
}

/** JupyterLab's completer model, showing the kernel's items first and in the kernel's order. */
export class ByzerCompleterModel extends CompleterModel {
  private shownFrom: CompletionHandler.ICompletionItems | null = null;
  private shown: CompletionHandler.ICompletionItem[] = [];

  completionItems(): CompletionHandler.ICompletionItems {
    const items = super.completionItems();
    // The base class keeps its list until the items or the query change: order each list once.
    if (items !== this.shownFrom) {
      this.shownFrom = items;
      this.shown = kernelFirst(items, this.query);
    }
    return this.shown;
  }
}

export class ByzerCompletionProvider implements ICompletionProvider {
  readonly identifier = BYZER_PROVIDER_ID;
  readonly rank = BYZER_PROVIDER_RANK;
  readonly renderer = null;

  async isApplicable(context: ICompletionContext): Promise<boolean> {
    return Boolean(context.session?.kernel) && isByzerEditor(context.editor);
  }

  async fetch(
    request: CompletionHandler.IRequest,
    context: ICompletionContext
  ): Promise<CompletionHandler.ICompletionItemsReply> {
    const kernel = context.session?.kernel;
    if (!kernel) {
      throw new Error('No kernel to complete with');
    }
    const reply = (await kernel.requestComplete({ code: request.text, cursor_pos: request.offset })).content;
    if (reply.status !== 'ok') {
      throw new Error('The kernel did not complete');
    }
    return { start: reply.cursor_start, end: reply.cursor_end, items: kernelItems(reply) };
  }

  async modelFactory(): Promise<Completer.IModel> {
    return new ByzerCompleterModel();
  }

  /** The kernel's help for the item (Shift+Tab's text), for the completer's documentation panel. */
  async resolve(
    item: CompletionHandler.ICompletionItem,
    context: ICompletionContext,
    patch?: Completer.IPatch | null
  ): Promise<CompletionHandler.ICompletionItem> {
    const { editor, session } = context;
    const kernel = session?.kernel;
    if (!editor || !kernel) {
      return item;
    }
    let code = editor.model.sharedModel.getSource();
    let cursor = editor.getOffsetAt(editor.getCursorPosition());
    if (patch) {
      // The text as it would be with the item put in, the cursor after it.
      code = code.substring(0, patch.start) + patch.value;
      cursor = code.length;
    }
    // The protocol counts code points where JavaScript counts UTF-16 units.
    const cursor_pos = Text.jsIndexToCharIndex(cursor, code);
    const reply = (await kernel.requestInspect({ code, cursor_pos, detail_level: 0 })).content;
    if (reply.status === 'ok' && reply.found && typeof reply.data['text/plain'] === 'string') {
      item.documentation = reply.data['text/plain'];
    }
    return item;
  }
}

export const completionPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-byzer:completion',
  description: 'Completes Byzer with the kernel’s tables, columns and keywords first, each with its kind.',
  autoStart: true,
  requires: [ICompletionProviderManager],
  activate: (_: JupyterFrontEnd, manager: ICompletionProviderManager) => {
    manager.registerProvider(new ByzerCompletionProvider());
  }
};
