import { describe, expect, it } from 'vitest';
import { type IRankedItem, kernelFirst, kernelItems } from '../completionOrder';

/** A reply as the Byzer kernel sends it for `select * from people where c`. */
const REPLY = {
  matches: ['city', 'count', 'cast', 'case', 'concat'],
  metadata: {
    _jupyter_types_experimental: [
      { start: 26, end: 27, text: 'city', type: 'column' },
      { start: 26, end: 27, text: 'count', type: 'column' },
      { start: 26, end: 27, text: 'cast', type: 'keyword' },
      { start: 26, end: 27, text: 'case', type: 'keyword' },
      { start: 26, end: 27, text: 'concat', type: 'function' }
    ]
  }
};

/** Document words as JupyterLab's context provider gives them (no rank). */
const words = (...labels: string[]): IRankedItem[] => labels.map(label => ({ label }));

const texts = (items: IRankedItem[]) => items.map(item => item.insertText ?? item.label);

describe('kernel items', () => {
  it('keep the kernel order with each match’s kind', () => {
    expect(kernelItems(REPLY)).toEqual([
      { label: 'city', insertText: 'city', type: 'column', byzerRank: 0 },
      { label: 'count', insertText: 'count', type: 'column', byzerRank: 1 },
      { label: 'cast', insertText: 'cast', type: 'keyword', byzerRank: 2 },
      { label: 'case', insertText: 'case', type: 'keyword', byzerRank: 3 },
      { label: 'concat', insertText: 'concat', type: 'function', byzerRank: 4 }
    ]);
  });

  it('have no kind where the kernel names none', () => {
    expect(kernelItems({ matches: ['a', 'b'], metadata: {} })).toEqual([
      { label: 'a', insertText: 'a', byzerRank: 0 },
      { label: 'b', insertText: 'b', byzerRank: 1 }
    ]);
    const short = kernelItems({ matches: ['a', 'b'], metadata: { _jupyter_types_experimental: [{ text: 'a', type: 'table' }] } });
    expect(short.map(item => item.type)).toEqual(['table', undefined]);
  });
});

describe('kernel first', () => {
  it('puts the kernel’s items before document words, in the kernel’s order', () => {
    // As JupyterLab's model sorts them after a typed `c`: by match score, then alphabetically.
    const kernel = kernelItems(REPLY);
    const shown = [kernel[3], kernel[2], ...words('ca', 'cb'), kernel[0], kernel[4], kernel[1], ...words('cz')];
    expect(texts(kernelFirst(shown, 'c'))).toEqual(['city', 'count', 'cast', 'case', 'concat', 'ca', 'cb', 'cz']);
  });

  it('orders by what the item inserts: highlighted labels do not matter', () => {
    const kernel = kernelItems(REPLY).map(item => ({ ...item, label: `<mark>c</mark>${item.label.slice(1)}` }));
    expect(texts(kernelFirst([...kernel].reverse(), 'c'))).toEqual(['city', 'count', 'cast', 'case', 'concat']);
  });

  it('puts kernel items the query matches only loosely after those it starts, before document words', () => {
    // Typed on to `ca`, JupyterLab shows by score then alphabetically: cab, case, cast, then
    // concat (c...a matches, loosely); city and count no longer match at all.
    const kernel = kernelItems(REPLY);
    const shown = [...words('cab'), kernel[3], kernel[2], kernel[4]];
    expect(texts(kernelFirst(shown, 'CA'))).toEqual(['cast', 'case', 'concat', 'cab']);
  });

  it('leaves lists without kernel items as they are', () => {
    const shown = words('beta', 'alpha', 'gamma');
    expect(kernelFirst(shown, 'a')).toEqual(shown);
    expect(kernelFirst([], '')).toEqual([]);
  });

  it('keeps the item objects (JupyterLab maps them back to its originals)', () => {
    const kernel = kernelItems(REPLY);
    const ordered = kernelFirst([kernel[1], kernel[0]], '');
    expect(ordered[0]).toBe(kernel[0]);
    expect(ordered[1]).toBe(kernel[1]);
  });
});
