/**
 * A CodeMirror stream parser for Byzer SQL (the MLSQL/Byzer-lang script language).
 *
 * Lexical rules follow Byzer's DSLSQL grammar: case-insensitive keywords, '…' and "…"
 * strings with backslash escapes, '''…''' block strings, `backquoted` paths, `--` and
 * `/* *\/` comments, `!command` tokens and Velocity templates (`${x}`, `$x`). The body of
 * `code='''…'''` is tokenized by CodeMirror's Python mode, so it gets Python highlighting,
 * and so does a Byzer Notebook cell that starts with a `#%python` header.
 */
import type { StreamParser, StringStream } from '@codemirror/language';
import { python } from '@codemirror/legacy-modes/mode/python';

/** Words highlighted as keywords, lower case (Byzer matches keywords in any case). */
export const BYZER_KEYWORDS: ReadonlySet<string> = new Set([
  // Byzer statements and clauses
  'load', 'save', 'select', 'set', 'run', 'train', 'predict', 'as', 'into', 'where',
  'options', 'and', 'or', 'overwrite', 'append', 'ignore', 'errorifexists', 'partitionby',
  'command', 'connect', 'include', 'register', 'unregister', 'insert', 'create', 'drop',
  'refresh',
  // Spark SQL inside select/insert/create
  'from', 'join', 'left', 'right', 'inner', 'outer', 'full', 'cross', 'semi', 'anti', 'on',
  'using', 'group', 'by', 'order', 'sort', 'having', 'limit', 'union', 'intersect', 'except',
  'all', 'distinct', 'case', 'when', 'then', 'else', 'end', 'not', 'is', 'in', 'like',
  'rlike', 'between', 'exists', 'asc', 'desc', 'with', 'table', 'view', 'temporary',
  'if', 'lateral', 'over', 'partition', 'window', 'values', 'cast', 'interval', 'database',
  'explain', 'describe', 'show'
]);

const ATOMS: ReadonlySet<string> = new Set(['true', 'false', 'null']);

/** A Velocity reference: `${name}`, `$!{name}`, `$name`, `$!name`. */
const TEMPLATE_VAR = /^\$!?(\{[^}\n]*\}|[A-Za-z_][A-Za-z0-9_]*)/;
const NUMBER = /^(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?[lLdDfFsSyY]?(?![A-Za-z0-9_])/;
const WORD = /^[A-Za-z0-9_]+/;
const BLOCK_QUOTE = "'''";

/** The Python mode's own state (opaque here). */
type PythonState = unknown;
type Quote = "'" | '"' | "'''";

export interface ByzerState {
  /** Open string across lines, if any. */
  quote: Quote | null;
  /** Inside a backquoted identifier that spans lines. */
  inBackquote: boolean;
  /** Inside `/* … *\/`: 'comment', or 'meta' for a Spark `/*+ hint *\/`. */
  blockComment: 'comment' | 'meta' | null;
  /** Python mode state while inside `code='''…'''`. */
  python: PythonState | null;
  /** The whole cell is Python (after a Byzer Notebook `#%python` header). */
  pythonCell: PythonState | null;
  /** First word of the current statement, lower case. */
  statement: string | null;
  /** Key just read in `key =`; set when the next token is `=`. */
  pendingKey: string | null;
  /** Key whose value comes next (after `key =`). */
  valueOf: string | null;
  /** The next word names a table (it follows `as` or `into`). */
  afterAs: boolean;
  /** A token other than white space has been read (a `%%python` magic must come first). */
  started: boolean;
}

function copyPythonState(state: PythonState | null): PythonState | null {
  if (!state) {
    return null;
  }
  // The Python mode replaces scope objects instead of mutating them: copying the list is enough.
  const copy: Record<string, unknown> = { ...(state as Record<string, unknown>) };
  copy.scopes = (copy.scopes as unknown[]).slice();
  return copy;
}

function newPythonState(indentUnit: number): PythonState {
  return python.startState!(indentUnit);
}

/**
 * Run the Python tokenizer on the current line, but never past `limit` (the column where the
 * Byzer block ends), so a `'''` inside a Python comment or string still closes the block.
 */
function pythonToken(stream: StringStream, state: PythonState, limit: number): string | null {
  const line = stream.string;
  if (limit < line.length) {
    stream.string = line.slice(0, limit);
  }
  try {
    return python.token(stream, state);
  } finally {
    stream.string = line;
  }
}

/** Read string content up to the closing quote or a template reference. */
function readString(stream: StringStream, state: ByzerState): string {
  const quote = state.quote!;
  if (stream.pos === stream.start && stream.match(TEMPLATE_VAR)) {
    return 'variableName.special';
  }
  while (!stream.eol()) {
    if (quote === BLOCK_QUOTE) {
      if (stream.match(BLOCK_QUOTE)) {
        state.quote = null;
        return 'string';
      }
    } else if (stream.peek() === quote) {
      stream.next();
      state.quote = null;
      return 'string';
    } else if (stream.peek() === '\\') {
      stream.next();
      stream.next();
      continue;
    }
    if (stream.peek() === '$' && TEMPLATE_VAR.test(stream.string.slice(stream.pos))) {
      return 'string';
    }
    stream.next();
  }
  return 'string';
}

function readBackquote(stream: StringStream, state: ByzerState): string {
  while (!stream.eol()) {
    const ch = stream.next();
    if (ch === '`') {
      if (stream.peek() === '`') {
        stream.next(); // a doubled backquote stays inside the identifier
      } else {
        state.inBackquote = false;
        break;
      }
    }
  }
  return 'string.special';
}

function readBlockComment(stream: StringStream, state: ByzerState): string {
  const style = state.blockComment!;
  while (!stream.eol()) {
    if (stream.match('*/')) {
      state.blockComment = null;
      break;
    }
    stream.next();
  }
  return style;
}

/** `#%python` / `--%input=t` lines of Byzer Notebook cells (only at column 0). */
function readNotebookHeader(stream: StringStream, state: ByzerState, indentUnit: number): string | null {
  if (!stream.sol() || !stream.match(/^(#%|--%)/, false)) {
    return null;
  }
  const header = stream.string.replace(/^(#%|--%)/, '');
  stream.skipToEnd();
  if (header === 'python' && !state.pythonCell) {
    state.pythonCell = newPythonState(indentUnit);
  }
  return 'meta';
}

function readWord(stream: StringStream, state: ByzerState): string {
  const word = stream.current();
  const lower = word.toLowerCase();
  const rest = stream.string.slice(stream.pos);
  const isFirst = state.statement === null;
  if (isFirst) {
    state.statement = lower;
  }
  if (/^\s*=(?!=)/.test(rest)) {
    state.pendingKey = lower;
    state.afterAs = false;
    return isFirst && BYZER_KEYWORDS.has(lower) ? 'keyword' : 'propertyName';
  }
  if (/^\.`/.test(rest)) {
    // format or ET name in front of a path: jsonStr.`…`, Ray.``
    state.afterAs = false;
    return 'variableName.standard';
  }
  if (BYZER_KEYWORDS.has(lower) && !(state.afterAs && !isFirst)) {
    state.afterAs = lower === 'as' || lower === 'into';
    return 'keyword';
  }
  if (ATOMS.has(lower)) {
    state.afterAs = false;
    return lower === 'null' ? 'atom' : 'bool';
  }
  if (state.afterAs) {
    state.afterAs = false;
    return 'variableName.definition';
  }
  return 'variableName';
}

function startString(stream: StringStream, state: ByzerState, indentUnit: number): string {
  const isCode = state.valueOf === 'code' && state.statement !== 'set';
  state.valueOf = null;
  if (stream.match(BLOCK_QUOTE)) {
    if (isCode) {
      state.python = newPythonState(indentUnit);
      return 'string';
    }
    state.quote = BLOCK_QUOTE;
  } else {
    state.quote = stream.next() as Quote;
  }
  return readString(stream, state);
}

function tokenPythonBlock(stream: StringStream, state: ByzerState): string | null {
  if (stream.match(BLOCK_QUOTE)) {
    state.python = null;
    return 'string';
  }
  const end = stream.string.indexOf(BLOCK_QUOTE, stream.pos);
  return pythonToken(stream, state.python!, end < 0 ? stream.string.length : end);
}

function tokenByzer(stream: StringStream, state: ByzerState): string | null {
  if (state.python) {
    return tokenPythonBlock(stream, state);
  }
  if (state.quote) {
    return readString(stream, state);
  }
  if (state.inBackquote) {
    return readBackquote(stream, state);
  }
  if (state.blockComment) {
    return readBlockComment(stream, state);
  }
  const indentUnit = stream.indentUnit;
  const header = readNotebookHeader(stream, state, indentUnit);
  if (header) {
    return header;
  }
  if (state.pythonCell) {
    return python.token(stream, state.pythonCell);
  }
  if (stream.eatSpace()) {
    return null;
  }
  // A cell magic line (`%%byzer --plan`) is never Byzer: it is the magic's own line. In the Byzer
  // kernel a cell that starts with `%%python` is Python.
  if (stream.sol() && stream.match(/^%%\w+/)) {
    if (!state.started && stream.current() === '%%python') {
      state.pythonCell = newPythonState(indentUnit);
    }
    stream.skipToEnd();
    return 'meta';
  }
  if (stream.match('--')) {
    stream.skipToEnd();
    return 'comment';
  }
  if (stream.match('/**/')) {
    return 'comment';
  }
  if (stream.match('/*')) {
    state.blockComment = stream.peek() === '+' ? 'meta' : 'comment';
    return readBlockComment(stream, state);
  }
  const ch = stream.peek()!;
  const pendingKey = state.pendingKey;
  state.pendingKey = null;
  if (ch === "'" || ch === '"') {
    return startString(stream, state, indentUnit);
  }
  state.valueOf = null;
  if (ch === '`') {
    stream.next();
    state.inBackquote = true;
    return readBackquote(stream, state);
  }
  if (stream.match(/^![A-Za-z0-9_]+/)) {
    state.statement = state.statement ?? 'command';
    return 'meta';
  }
  if (stream.match(TEMPLATE_VAR)) {
    return 'variableName.special';
  }
  if (stream.match(NUMBER)) {
    return 'number';
  }
  if (stream.match(WORD)) {
    return readWord(stream, state);
  }
  stream.next();
  if (ch === ';') {
    state.statement = null;
    state.afterAs = false;
    return 'punctuation';
  }
  if (ch === '=' && pendingKey) {
    state.valueOf = pendingKey;
    return 'operator';
  }
  if ('(){}[]'.includes(ch)) {
    return 'bracket';
  }
  if (',.:'.includes(ch)) {
    return 'punctuation';
  }
  if ('=<>!+-*/%&|^~'.includes(ch)) {
    return 'operator';
  }
  return null;
}

/** The Byzer stream parser (pass it to `StreamLanguage.define`). */
export const byzer: StreamParser<ByzerState> = {
  name: 'byzer',
  startState: () => ({
    quote: null,
    inBackquote: false,
    blockComment: null,
    python: null,
    pythonCell: null,
    statement: null,
    pendingKey: null,
    valueOf: null,
    afterAs: false,
    started: false
  }),
  copyState: (state: ByzerState) => ({
    ...state,
    python: copyPythonState(state.python),
    pythonCell: copyPythonState(state.pythonCell)
  }),
  token: (stream: StringStream, state: ByzerState) => {
    const style = tokenByzer(stream, state);
    if (style !== null) {
      state.started = true;
    }
    return style;
  },
  indent: (state: ByzerState, textAfter: string, context) => {
    const py = state.python ?? state.pythonCell;
    if (py && python.indent) {
      return python.indent(py, textAfter, context);
    }
    return null;
  },
  languageData: {
    commentTokens: { line: '--', block: { open: '/*', close: '*/' } },
    closeBrackets: { brackets: ['(', '[', '{', "'", '"', '`'] }
  }
};
