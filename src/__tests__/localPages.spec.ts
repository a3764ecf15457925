import { describe, expect, it } from 'vitest';
import { compareValues, hasAllRows, localPage } from '../localPages';
import { PagingState, type Column, type Value } from '../tableModel';

const COLUMNS: Column[] = [
  { name: 'n', type: 'decimal(10,2)' },
  { name: 's', type: 'string' },
  { name: 'x', type: 'double' }
];
const ROWS: Value[][] = [
  ['10.50', 'b', 1],
  [null, 'a', 'NaN'],
  ['9.25', null, 3],
  ['10.50', 'a', null],
  ['-1.00', 'c', 2]
];

function page(state: PagingState) {
  return localPage(COLUMNS, ROWS, state.pageRequest(1));
}

describe('local pages', () => {
  it('are used only when every row came with the output', () => {
    expect(hasAllRows(ROWS, 5)).toBe(true);
    expect(hasAllRows(ROWS, 6)).toBe(false);
  });

  it('page the rows as they came', () => {
    const state = new PagingState(0, 2, 5);
    expect(page(state).rows).toEqual(ROWS.slice(0, 2));
    expect(page(state.last())).toEqual({ rows: [ROWS[4]], offset: 4, total_rows: 5, sort: [] });
  });

  it('sort decimals sent as text by value, nulls last both ways, stable', () => {
    const asc = new PagingState(0, 10, 5).toggleSort('n');
    expect(page(asc).rows.map(r => r[0])).toEqual(['-1.00', '9.25', '10.50', '10.50', null]);
    expect(page(asc).rows.map(r => r[1]).slice(2, 4)).toEqual(['b', 'a']); // equal keys keep their order
    const desc = asc.toggleSort('n');
    expect(page(desc).rows.map(r => r[0])).toEqual(['10.50', '10.50', '9.25', '-1.00', null]);
  });

  it('sort by several keys', () => {
    const state = new PagingState(0, 10, 5).toggleSort('s').toggleSort('n', true).toggleSort('n', true);
    expect(page(state).rows.map(r => [r[1], r[0]])).toEqual([
      ['a', '10.50'],
      ['a', null],
      ['b', '10.50'],
      ['c', '-1.00'],
      [null, '9.25']
    ]);
  });

  it('put NaN after the numbers and before nulls, as the kernel does', () => {
    const asc = new PagingState(0, 10, 5).toggleSort('x');
    expect(page(asc).rows.map(r => r[2])).toEqual([1, 2, 3, 'NaN', null]);
    expect(page(asc.toggleSort('x')).rows.map(r => r[2])).toEqual([3, 2, 1, 'NaN', null]);
  });

  it('refuse a column the result does not have', () => {
    expect(() => localPage(COLUMNS, ROWS, new PagingState(0, 10, 5).toggleSort('nope').pageRequest(1))).toThrow(
      /no column "nope"/
    );
  });

  it('compare booleans and text', () => {
    expect(compareValues(false, true, false, false)).toBeLessThan(0);
    expect(compareValues('B', 'a', false, false)).toBeLessThan(0);
    expect(compareValues(null, 'a', false, true)).toBeGreaterThan(0);
  });
});
