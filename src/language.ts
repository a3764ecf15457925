/**
 * The Byzer language as JupyterLab registers it: a CodeMirror 6 StreamLanguage plus a class
 * highlighter, so tokens carry stable `tok-*` classes next to the theme's colours.
 */
import { LanguageSupport, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { classHighlighter } from '@lezer/highlight';
import { byzer } from './byzerMode';

export const BYZER_MIME = 'text/x-byzer';
export const BYZER_EXTENSIONS = ['byzer', 'mlsql'];

export const byzerLanguage = StreamLanguage.define(byzer);

/** Byzer support for a CodeMirror editor. */
export function byzerSupport(): LanguageSupport {
  return new LanguageSupport(byzerLanguage, [syntaxHighlighting(classHighlighter)]);
}
