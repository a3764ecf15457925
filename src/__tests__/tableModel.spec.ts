import { describe, expect, it } from 'vitest';
import {
  PagingState,
  cellText,
  columnKind,
  decodeBase64,
  downloadRequest,
  pageSizeChoices,
  parseDownloadReply,
  parsePageReply,
  parseTableData,
  type TableData
} from '../tableModel';

const DATA: TableData = {
  version: 1,
  table_id: 'abc',
  name: 't',
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'day', type: 'date' }
  ],
  rows: [
    [0, '2024-01-01'],
    [1, null]
  ],
  total_rows: 200_000,
  offset: 0,
  page_size: 20,
  sort: []
};

describe('PagingState', () => {
  const start = PagingState.of(DATA);

  it('pages forward and back within the result', () => {
    expect(start.pageCount).toBe(10_000);
    expect(start.hasPrevious).toBe(false);
    expect(start.hasNext).toBe(true);
    const second = start.next();
    expect(second.offset).toBe(20);
    expect(second.previous().offset).toBe(0);
    expect(start.previous().offset).toBe(0);
    const last = start.last();
    expect(last.offset).toBe(199_980);
    expect(last.hasNext).toBe(false);
    expect(last.next().offset).toBe(199_980);
  });

  it('jumps to a page, clamped to the pages there are', () => {
    expect(start.toPage(4).offset).toBe(80);
    expect(start.toPage(-3).offset).toBe(0);
    expect(start.toPage(1e9).offset).toBe(199_980);
    expect(start.toPage(2.7).offset).toBe(40);
  });

  it('keeps the first row shown when the page size changes', () => {
    const at = start.toPage(5); // rows 100..119
    const bigger = at.withPageSize(50);
    expect(bigger.offset).toBe(100);
    expect(bigger.pageIndex).toBe(2);
    expect(at.withPageSize(30).offset).toBe(90);
    expect(at.withPageSize(1e9).pageSize).toBe(10_000);
  });

  it('cycles a column through ascending, descending and unsorted from the first page', () => {
    const asc = start.toPage(7).toggleSort('id');
    expect(asc.sort).toEqual([{ column: 'id', descending: false }]);
    expect(asc.offset).toBe(0);
    const desc = asc.toggleSort('id');
    expect(desc.sort).toEqual([{ column: 'id', descending: true }]);
    expect(desc.toggleSort('id').sort).toEqual([]);
    expect(desc.toggleSort('day').sort).toEqual([{ column: 'day', descending: false }]);
  });

  it('adds sort keys with Shift and keeps their order', () => {
    const two = start.toggleSort('day').toggleSort('id', true);
    expect(two.sort).toEqual([
      { column: 'day', descending: false },
      { column: 'id', descending: false }
    ]);
    expect(two.toggleSort('day', true).sort).toEqual([
      { column: 'day', descending: true },
      { column: 'id', descending: false }
    ]);
    expect(two.toggleSort('day', true).toggleSort('day', true).sort).toEqual([{ column: 'id', descending: false }]);
  });

  it('asks the kernel for exactly the page it describes', () => {
    const request = start.toPage(3).withPageSize(50).toggleSort('id').toggleSort('id').next().pageRequest(7);
    expect(request).toEqual({
      request: 'page',
      offset: 50,
      limit: 50,
      sort: [{ column: 'id', descending: true }],
      request_id: 7
    });
    expect(JSON.parse(JSON.stringify(request))).toEqual(request);
  });

  it('takes the offset, count and order the kernel answered', () => {
    const page = start.next().withPage({ rows: [], offset: 20, total_rows: 150, sort: [] });
    expect(page.totalRows).toBe(150);
    expect(page.pageCount).toBe(8);
  });

  it('describes the rows shown', () => {
    expect(start.rangeText(20)).toBe('rows 1–20 of 200,000');
    expect(start.last().rangeText(20)).toBe('rows 199,981–200,000 of 200,000');
    expect(new PagingState(0, 20, 3).rangeText(3)).toBe('3 rows');
    expect(new PagingState(0, 20, 1).rangeText(1)).toBe('1 row');
    expect(new PagingState(0, 20, 0).rangeText(0)).toBe('no rows');
  });
});

describe('messages', () => {
  it('reads the output data of the contract', () => {
    expect(parseTableData(DATA)).toEqual(DATA);
    expect(() => parseTableData({ ...DATA, version: 2 })).toThrow(/version 2/);
    expect(() => parseTableData({ ...DATA, columns: [{ name: 'x' }] })).toThrow(/columns/);
    expect(parseTableData({ ...DATA, page_size: 0 }).page_size).toBe(20);
  });

  it('reads page answers and turns the kernel errors into their own message', () => {
    const page = parsePageReply({ rows: [[1]], offset: 20, total_rows: 40, sort: [], request_id: 3 });
    expect(page).toEqual({ rows: [[1]], offset: 20, total_rows: 40, sort: [] });
    expect(() => parsePageReply({ error: 'result gone: run the cell again', request_id: 3 })).toThrow(
      'result gone: run the cell again'
    );
    expect(() => parsePageReply({ offset: 0 })).toThrow(/without rows/);
  });

  it('asks for downloads and reads the file sent back', () => {
    expect(downloadRequest('parquet', 9)).toEqual({ request: 'download', format: 'parquet', request_id: 9 });
    const file = parseDownloadReply({ format: 'csv', filename: 't.csv', data_base64: 'aWQKMQo=' });
    expect(new TextDecoder().decode(decodeBase64(file.data_base64))).toBe('id\n1\n');
    expect(() => parseDownloadReply({ error: 'too big' })).toThrow('too big');
  });
});

describe('cells', () => {
  it('lays numbers and dates out apart from text', () => {
    for (const type of ['tinyint', 'int', 'bigint', 'double', 'decimal(10,2)', 'DECIMAL(38, 18)']) {
      expect(columnKind(type)).toBe('number');
    }
    for (const type of ['date', 'timestamp', 'timestamp_ntz', 'interval day to second']) {
      expect(columnKind(type)).toBe('temporal');
    }
    for (const type of ['string', 'array<int>', 'map<string,int>', 'binary', 'boolean']) {
      expect(columnKind(type)).toBe('text');
    }
  });

  it('shows values as text, null apart and new lines escaped', () => {
    expect(cellText(null)).toBe('null');
    expect(cellText('null')).toBe('null'); // the string: the view styles only a real null
    expect(cellText(1.5)).toBe('1.5');
    expect(cellText(false)).toBe('false');
    expect(cellText('a\nb')).toBe('a\\nb');
  });

  it('offers the usual page sizes and the output own one', () => {
    expect(pageSizeChoices(20)).toEqual([10, 20, 50, 100, 500]);
    expect(pageSizeChoices(25)).toEqual([10, 20, 25, 50, 100, 500]);
  });
});
