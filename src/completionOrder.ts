/**
 * The order of completion items in Byzer editors, free of JupyterLab so Vitest runs it.
 *
 * The Byzer kernel answers a complete_request best first (columns, then tables, keywords,
 * functions) and names each match's kind in the reply's `_jupyter_types_experimental` metadata.
 * JupyterLab's completer would re-sort the items alphabetically as the user types on and put the
 * words of the document (its context provider) among them. Items made here carry the place the
 * kernel gave them (`byzerRank`), and `kernelFirst` orders a shown list by it.
 */

/** A completion item as JupyterLab's completer takes it, with the kernel's place for it. */
export interface IRankedItem {
  label: string;
  insertText?: string;
  type?: string;
  /** The item's index in the kernel's reply; absent on items of other providers. */
  byzerRank?: number;
}

/** The parts of a complete_reply's content read here. */
export interface ICompleteReply {
  matches: string[];
  metadata?: { _jupyter_types_experimental?: unknown };
}

interface ITypedMatch {
  text?: unknown;
  type?: unknown;
}

/** The reply's matches as completion items, in the kernel's order, each with its kind. */
export function kernelItems(reply: ICompleteReply): IRankedItem[] {
  const types = reply.metadata?._jupyter_types_experimental;
  const typed: ITypedMatch[] = Array.isArray(types) ? types : [];
  return reply.matches.map((label, byzerRank) => {
    const entry = typed[byzerRank] ?? {};
    const item: IRankedItem = {
      label,
      insertText: typeof entry.text === 'string' ? entry.text : label,
      byzerRank
    };
    if (typeof entry.type === 'string' && entry.type) {
      item.type = entry.type;
    }
    return item;
  });
}

/** The text an item puts in the editor (the shown label may carry `<mark>` highlights). */
function insertedText(item: IRankedItem): string {
  return item.insertText ?? item.label;
}

/**
 * The shown items with the kernel's first: those that start with what the user typed since the
 * request (`query`, case aside) in the kernel's order, then the kernel's other matches, then the
 * other providers' items (document words); the last two groups keep the order they came in
 * (JupyterLab's: match score, then alphabetical). The items themselves are kept, not copied.
 */
export function kernelFirst<T extends IRankedItem>(items: readonly T[], query: string): T[] {
  const typed = query.toLowerCase();
  const prefixed: T[] = [];
  const otherKernel: T[] = [];
  const others: T[] = [];
  for (const item of items) {
    if (item.byzerRank === undefined) {
      others.push(item);
    } else if (insertedText(item).toLowerCase().startsWith(typed)) {
      prefixed.push(item);
    } else {
      otherKernel.push(item);
    }
  }
  prefixed.sort((a, b) => (a.byzerRank as number) - (b.byzerRank as number));
  return [...prefixed, ...otherKernel, ...others];
}
