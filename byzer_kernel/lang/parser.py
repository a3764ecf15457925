"""Tokens -> typed statements (docs/spec.md §1.2, rule `sql` of DSLSQL.g4), one recursive-descent method per form.

Differences from Byzer, on purpose (docs/design.md §5): the last statement of a cell may omit its `;`, and
`save errorIfExists` is accepted. Errors point at the offending token with a caret line.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional

from . import lexer
from .lexer import Token, TokenKind
from .positions import Locator
from .suggest import did_you_mean
from .statements import (
    SAVE_MODES,
    CommandStatement,
    IncludeStatement,
    LoadStatement,
    ConnectStatement,
    PassthroughStatement,
    RegisterStatement,
    RunStatement,
    SaveStatement,
    Script,
    SelectStatement,
    SetStatement,
    Statement,
    Value,
    ValueKind,
)

# A save mode is a keyword in any case; the statement keeps Byzer's spelling.
SAVE_MODE_SPELLING = {mode.lower(): mode for mode in SAVE_MODES}
# Characters a raw `!command` argument may be built from, besides identifiers (rule rawCommandValue).
RAW_COMMAND_PUNCTUATION = frozenset("-/><.~")
# Tokens that name something (rule `identifier`), and tokens that hold a quoted option value.
NAME_TOKENS = (TokenKind.IDENT, TokenKind.QUOTED)
QUOTED_VALUE_TOKENS = (TokenKind.STRING, TokenKind.BLOCK)
# Commands of this project that end with a `where k="v" and ...` clause, as `run` does (`!plot`, `!engine`):
# Byzer's grammar gives commands no where clause, so other commands keep its error for `where`.
WHERE_COMMANDS = frozenset({"plot", "engine"})
STATEMENT_WORDS = ("load, save, select, set, run, train, predict, insert, create, drop, refresh, "
                   "connect, register, unregister, include or !command")


def parse(text: str) -> Script:
    """Parse a cell or script into a Script of typed statements; raise ByzerSyntaxError on bad syntax."""
    return ScriptParser(text).parse()


def value_of(token: Token) -> Value:
    """A Value for a STRING, BLOCK_STRING, backquoted or bare token; quotes removed, nothing unescaped."""
    if token.kind == TokenKind.BLOCK:
        return Value(ValueKind.BLOCK, token.text[3:-3], token.text)
    if token.kind == TokenKind.STRING:
        return Value(ValueKind.STRING, token.text[1:-1], token.text)
    if token.kind == TokenKind.QUOTED:
        return Value(ValueKind.QUOTED, token.text[1:-1], token.text)
    return Value(ValueKind.NAME, token.text, token.text)


def clean_name(text: str) -> str:
    """Byzer's cleanStr for names: drop outer backquotes (doubled ones are kept as written)."""
    return text[1:-1] if text.startswith("`") else text


class ScriptParser:
    def __init__(self, text: str):
        self.text = text
        self.locator = Locator(text)
        self.tokens: List[Token] = lexer.tokenize(text, self.locator)
        self.index = 0
        self.forms: Dict[str, Callable[[Token], Statement]] = {
            "load": self.load, "save": self.save, "select": self.select, "set": self.set,
            "run": self.run, "train": self.run, "predict": self.run,
            "insert": self.free_text, "create": self.free_text, "drop": self.free_text,
            "refresh": self.free_text, "connect": self.connect, "register": self.register,
            "unregister": self.path_with_options, "include": self.include,
        }

    # -- token helpers ---------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != TokenKind.EOF:
            self.index += 1
        return token

    def error(self, token: Token, message: str):
        offset = token.start
        if token.kind == TokenKind.EOF and len(self.tokens) > 1:  # just after the last word, not at trailing blanks
            offset = self.tokens[-2].end
        return lexer.syntax_error(self.text, offset, message, self.locator)

    def expect_punct(self, char: str, what: str) -> Token:
        token = self.peek()
        if not token.is_punct(char):
            raise self.error(token, f"expected '{char}' {what}, found {token.show()}")
        return self.advance()

    def expect_keyword(self, words: tuple, what: str) -> Token:
        token = self.peek()
        if not token.is_keyword(*words):
            expected = " or ".join(f"'{w}'" for w in words)
            raise self.error(token, f"expected {expected} {what}, found {token.show()}")
        return self.advance()

    def at_identifier(self) -> bool:
        return self.peek().kind in NAME_TOKENS

    def identifier(self, what: str) -> Token:
        token = self.peek()
        if token.kind in NAME_TOKENS:
            return self.advance()
        if token.kind == TokenKind.KEYWORD:
            raise self.error(token, f"expected {what}, found keyword '{token.text}' "
                                    f"(write `{token.text}` in backquotes to use it as a name)")
        raise self.error(token, f"expected {what}, found {token.show()}")

    def qualified_name(self, what: str) -> str:
        parts = [self.identifier(what).text]
        while self.peek().is_punct(".") and self.peek(1).kind in NAME_TOKENS:
            self.advance()
            parts.append(self.advance().text)
        if self.peek().is_punct("."):
            self.advance()
            self.identifier(f"a name after '.' in {what}")
        return ".".join(parts)

    def at_statement_end(self) -> bool:
        token = self.peek()
        return token.kind == TokenKind.EOF or token.is_punct(";")

    # -- script ----------------------------------------------------------------------------------
    def parse(self) -> Script:
        statements = []
        while self.peek().kind != TokenKind.EOF:
            first = self.peek()
            if first.is_punct(";"):
                raise self.error(first, "empty statement: unexpected ';' (remove the extra ';')")
            statement = self.statement(first)
            statements.append(statement)
            end = self.peek()
            if end.is_punct(";"):
                self.advance()
            elif end.kind != TokenKind.EOF:
                raise self.error(end, f"expected ';' after the {statement.keyword} statement, found {end.show()}")
        return Script(source=self.text, statements=statements)

    def statement(self, first: Token) -> Statement:
        if first.kind == TokenKind.COMMAND:
            return self.command(self.advance())
        form = self.forms.get(first.lower) if first.kind == TokenKind.KEYWORD else None
        if form is not None:
            return form(self.advance())
        if first.is_punct("!"):
            raise self.error(first, "expected a command name right after '!' (e.g. !python conf \"k=v\")")
        if first.kind == TokenKind.OTHER and first.text == "#":
            raise self.error(first, "'#' does not start a comment in Byzer (use -- or /* */); "
                                    f"a statement starts with {STATEMENT_WORDS}")
        what = first.show() if first.kind == TokenKind.OTHER else f"unknown statement {first.show()}"
        if first.kind == TokenKind.IDENT:
            suggestion = did_you_mean(first.text, self.forms, quote="'")
            what += f" ({suggestion})" if suggestion else ""
        raise self.error(first, f"{what}: a statement starts with {STATEMENT_WORDS}")

    def finish(self, cls, first: Token, **fields) -> Statement:
        last = self.tokens[self.index - 1]
        return cls(text=self.text[first.start:last.end], span=self.locator.span(first.start, last.end), **fields)

    # -- where/options clause: where? expression? ('and' expression)* ----------------------------
    def options(self) -> dict:
        options: dict = {}
        if self.peek().is_keyword("where", "options"):
            self.advance()
        if self.at_identifier():
            self.option_pair(options)
        while self.peek().is_keyword("and"):
            self.advance()
            self.option_pair(options)
        return options

    def option_pair(self, options: dict) -> None:
        key = clean_name(self.qualified_name("an option name"))
        self.expect_punct("=", f"after option name '{key}'")
        token = self.peek()
        if token.kind not in QUOTED_VALUE_TOKENS:
            raise self.error(token, f"the value of option '{key}' must be quoted: write {key}=\"...\" "
                                    f"or {key}='''...''', found {token.show()}")
        options.pop(key, None)  # a later duplicate wins, and takes the later position
        options[key] = value_of(self.advance())

    def format_and_path(self, what: str):
        fmt = self.identifier(f"a format name after '{what}'").text
        self.expect_punct(".", f"between the format '{fmt}' and its path")
        token = self.peek()
        if token.kind not in NAME_TOKENS:
            raise self.error(token, f"expected a path such as `...` after '{fmt}.', found {token.show()}")
        return fmt, value_of(self.advance())

    # -- statement forms -------------------------------------------------------------------------
    def load(self, first: Token) -> Statement:
        fmt, path = self.format_and_path("load")
        options = self.options()
        self.expect_keyword(("as",), "before the table name of load")
        table = self.identifier("a table name after 'as'").text
        return self.finish(LoadStatement, first, format=fmt, path=path, options=options, table=table)

    def save(self, first: Token) -> Statement:
        modes = []
        while self.peek().lower in SAVE_MODE_SPELLING and self.peek().kind == TokenKind.KEYWORD:
            modes.append(SAVE_MODE_SPELLING[self.advance().lower])
        table = self.identifier("the name of the table to save").text
        self.expect_keyword(("as",), f"after the table name '{table}' of save")
        fmt, path = self.format_and_path("as")
        options = self.options()
        partition_by = []
        if self.peek().is_keyword("partitionby"):
            self.advance()
            if self.at_identifier():
                partition_by.append(clean_name(self.advance().text))
            while self.peek().is_punct(","):
                self.advance()
                partition_by.append(clean_name(self.identifier("a column name after ','").text))
        return self.finish(SaveStatement, first, modes=modes, table=table, format=fmt, path=path,
                           options=options, partition_by=partition_by)

    def select(self, first: Token) -> Statement:
        start = self.index
        while not self.at_statement_end():
            self.advance()
        body = self.tokens[start:self.index]
        if len(body) >= 2 and body[-2].is_keyword("as") and body[-1].kind in NAME_TOKENS:
            return self.finish(SelectStatement, first)
        after = self.peek()
        if body and body[-1].is_keyword("as"):
            raise self.error(after, f"expected a table name after 'as' at the end of select, found {after.show()}")
        raise self.error(after, "a select statement must end with 'as <table name>' "
                                f"(e.g. select ... as t), found {after.show()}")

    def free_text(self, first: Token) -> Statement:
        while not self.at_statement_end():
            self.advance()
        return self.finish(PassthroughStatement, first, verb=first.lower)

    def set(self, first: Token) -> Statement:
        key = self.qualified_name("a variable name after 'set'")
        self.expect_punct("=", f"after 'set {key}'")
        token = self.peek()
        if token.kind in QUOTED_VALUE_TOKENS:
            value = value_of(self.advance())
        elif token.kind == TokenKind.QUOTED and not self.peek(1).is_punct("."):
            value = value_of(self.advance())
        elif token.kind in NAME_TOKENS:
            name = self.qualified_name(f"the value of '{key}'")
            value = Value(ValueKind.NAME, name, name)
        else:
            raise self.error(token, f"expected a value for '{key}' (\"...\", '''...''', `...` or a name), "
                                    f"found {token.show()}")
        options = self.options()
        return self.finish(SetStatement, first, key=key, value=value, options=options)

    def run(self, first: Token) -> Statement:
        verb = first.lower
        input_table = self.identifier(f"a table name after '{verb}'").text
        self.expect_keyword(("as", "into"), f"after '{verb} {input_table}'")
        et, path = self.format_and_path("as")
        options = self.options()
        as_tables = []
        while self.peek().is_keyword("as"):
            self.advance()
            as_tables.append(self.identifier("an output table name after 'as'").text)
        return self.finish(RunStatement, first, verb=verb, input_table=input_table, et=et, path=path,
                           options=options, as_tables=as_tables)

    def connect(self, first: Token) -> Statement:
        format_name = self.identifier("a format name after 'connect'").text
        options = self.options()
        name = ""
        if self.peek().is_keyword("as"):
            self.advance()
            name = self.qualified_name("a database name after 'as'")
        return self.finish(ConnectStatement, first, verb="connect", format=format_name, options=options,
                           name=name)

    def register(self, first: Token) -> Statement:
        et, path = self.format_and_path("register")
        self.expect_keyword(("as",), "before the function name of register")
        name = self.identifier("a function name after 'as'").text
        options = self.options()
        return self.finish(RegisterStatement, first, verb="register", et=et, path=path, name=name,
                           options=options)

    def path_with_options(self, first: Token) -> Statement:
        self.format_and_path(first.lower)
        self.options()
        return self.finish(PassthroughStatement, first, verb=first.lower)

    def include(self, first: Token) -> Statement:
        fmt, path = self.format_and_path("include")
        options = self.options()
        return self.finish(IncludeStatement, first, format=fmt, path=path, options=options)

    def command(self, first: Token) -> Statement:
        args: List[Value] = []
        options: dict = {}
        run: Optional[List[Token]] = None  # the raw argument being built from adjacent tokens
        while not self.at_statement_end():
            token = self.peek()
            if token.kind in (TokenKind.STRING, TokenKind.BLOCK, TokenKind.QUOTED):
                args.append(value_of(self.advance()))
                run = None
            elif token.kind == TokenKind.IDENT or (token.kind == TokenKind.PUNCT
                                                   and token.text in RAW_COMMAND_PUNCTUATION):
                self.advance()
                if run is not None and run[-1].end == token.start:
                    run.append(token)
                    joined = "".join(t.text for t in run)
                    args[-1] = Value(ValueKind.NAME, joined, joined)
                else:
                    run = [token]
                    args.append(Value(ValueKind.NAME, token.text, token.text))
            elif token.is_keyword("where") and first.text[1:] in WHERE_COMMANDS:
                options = self.options()
                if not self.at_statement_end():
                    raise self.error(self.peek(), f"expected 'and' or the end of {first.text}'s where "
                                                  f"clause, found {self.peek().show()}")
            else:
                raise self.error(token, self.bad_command_argument(first, token))
        return self.finish(CommandStatement, first, name=first.text[1:], args=args, options=options)

    @staticmethod
    def bad_command_argument(command: Token, token: Token) -> str:
        if token.is_punct("="):
            return (f"'=' is not allowed in an unquoted argument of {command.text}: quote the whole "
                    "argument, e.g. \"key=value\"")
        if token.kind == TokenKind.KEYWORD:
            return (f"keyword '{token.text}' cannot be an unquoted argument of {command.text}: "
                    f"quote it, e.g. \"{token.text}\"")
        if token.kind == TokenKind.OTHER:
            return f"{token.show()} in the arguments of {command.text}: quote the argument"
        return f"unexpected {token.show()} in the arguments of {command.text}: quote the argument"
