import { describe, expect, it } from 'vitest';
import { cellMimeType, isByzerMagicCell } from '../cellMagic';

describe('%%byzer cells', () => {
  it('recognises the cell magic on the first non-blank line', () => {
    expect(isByzerMagicCell('%%byzer\nselect 1 as a;')).toBe(true);
    expect(isByzerMagicCell('%%byzer -o df\nselect 1 as a;')).toBe(true);
    expect(isByzerMagicCell('\n  \n%%byzer\nselect 1 as a;')).toBe(true);
    expect(isByzerMagicCell('%%byzer')).toBe(true);
  });

  it('ignores other cells', () => {
    expect(isByzerMagicCell('%%byzerx\n')).toBe(false);
    expect(isByzerMagicCell('x = 1\n%%byzer\n')).toBe(false);
    expect(isByzerMagicCell('%byzer select 1 as a')).toBe(false);
    expect(isByzerMagicCell(' %%byzer\n')).toBe(false);
  });

  it('switches only Python notebooks', () => {
    expect(cellMimeType('%%byzer\n', 'text/x-ipython')).toBe('text/x-byzer');
    expect(cellMimeType('print(1)', 'text/x-ipython')).toBe('text/x-ipython');
    expect(cellMimeType('%%byzer\n', 'text/x-rsrc')).toBe('text/x-rsrc');
  });
});
