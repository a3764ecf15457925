/** Test helper: the `tok-*` classes the Byzer language gives each token of a text. */
import { classHighlighter, highlightTree } from '@lezer/highlight';
import { byzerLanguage } from '../language';

export interface Token {
  text: string;
  classes: string;
}

export function tokens(source: string): Token[] {
  const tree = byzerLanguage.parser.parse(source);
  const found: Token[] = [];
  highlightTree(tree, classHighlighter, (from, to, classes) => {
    found.push({ text: source.slice(from, to), classes });
  });
  return found;
}

/** Classes of the first token whose text is exactly `text` (after `skip` earlier matches). */
export function classOf(source: string, text: string, skip = 0): string | undefined {
  const matches = tokens(source).filter(token => token.text === text);
  return matches[skip]?.classes;
}
