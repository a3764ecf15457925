import { describe, expect, it } from 'vitest';
import { isByzerPath, runFileCode } from '../runFile';

describe('Run Byzer File', () => {
  it('runs the whole file as one cell showing every table', () => {
    const text = 'set n = "3";\nselect id from range(${n}) as a;\n';
    expect(runFileCode(text)).toBe(`%%byzer --each\n${text}`);
  });

  it('has nothing to run in an empty file', () => {
    expect(runFileCode('  \n\t')).toBeNull();
  });

  it('knows Byzer files by their extension', () => {
    expect(isByzerPath('dir/a.byzer')).toBe(true);
    expect(isByzerPath('A.MLSQL')).toBe(true);
    expect(isByzerPath('a.byzer.txt')).toBe(false);
    expect(isByzerPath('a.sql')).toBe(false);
  });
});
