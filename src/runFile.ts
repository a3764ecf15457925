/**
 * What "Run Byzer File" sends to the file's Byzer console, free of JupyterLab so Vitest runs it.
 *
 * The whole file runs as one cell, as Byzer runs a script (a `set` is seen by the statements after
 * it), through `%%byzer --each`, which shows the result table of every statement that makes one,
 * not only the last.
 */

export const BYZER_KERNEL = 'byzer';
export const BYZER_FILE = /\.(byzer|mlsql)$/i;

export function isByzerPath(path: string): boolean {
  return BYZER_FILE.test(path);
}

/** The console cell that runs `text`, or null when the file has no statement to run. */
export function runFileCode(text: string): string | null {
  if (!text.trim()) {
    return null;
  }
  return `%%byzer --each\n${text}`;
}
