"""The condition language of `!if`/`!elif` (docs/spec.md §12.1): parsed as Byzer parses it, each part
evaluated as Spark SQL over a one-row table of the variables.

A condition is a sequence of parts (`;` separates them, or nothing does): `select EXPR as :v, ... ;`
assigns variables, an expression is a test; the last part's value is the condition's value. `:name`
is a variable, every other word is SQL text (functions, literals, `true`/`false`). `and`/`or` have
one precedence and group to the right, as Byzer's parser builds them (`a and b or c` is
`a and (b or c)`); each side of an `and`/`or` is evaluated on its own and NULL counts as false.
The tree is turned back into SQL text (not evaluated in Python), so SQL's own precedence applies
inside a side, as in Byzer.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Union

import pyarrow as pa

from ..lang.errors import ByzerError, ByzerRuntimeError, ByzerSyntaxError

# -- tokens --------------------------------------------------------------------------------------
_TOKEN = re.compile(r"""
    (?P<space>[\s;]+|//[^\n]*|/\*.*?\*/)
  | (?P<var>:\w+)
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<raw>`[^`]*`)
  | (?P<op>==|!=|<=|>=|<|>|=|\+|-|\*|/|%)
  | (?P<punct>[()\[\],])
""", re.X | re.S)

# Binary operators and their precedence in Byzer's parser (`gc/parser.scala`); `=` is parsed (2) but
# Byzer has no node for it, so it is refused when met.
PRECEDENCE = {"*": 8, "/": 8, "%": 8, "+": 7, "-": 7, "<": 5, ">": 5, "<=": 5, ">=": 5, "==": 4, "!=": 4, "=": 2}
LOGICAL = ("and", "or")


@dataclass
class Token:
    kind: str  # var, number, word, string, raw, op, punct, end
    text: str
    offset: int

    @property
    def word(self) -> str:
        return self.text.lower() if self.kind == "word" else ""


def tokenize(text: str) -> list[Token]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            if text[position] == ":":
                raise _syntax(text, position, "':' must be followed by a variable name, e.g. :a")
            raise _syntax(text, position, f"unexpected character {text[position]!r} "
                                          "(use and/or, ==, !=, <, <=, >, >=, + - * / %)")
        if match.lastgroup != "space":
            tokens.append(Token(match.lastgroup, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _syntax(text: str, offset: int, message: str) -> ByzerSyntaxError:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return ByzerSyntaxError(f"in the condition at its line {line}:{col}: {message}")


# -- tree ----------------------------------------------------------------------------------------
@dataclass
class Sql:
    """Text that goes to SQL as it is (a literal, a word, an operator applied to its operands)."""

    parts: tuple  # strings and nodes, joined as written

@dataclass
class Variable:
    name: str


@dataclass
class Logical:
    op: str  # "and" / "or"
    left: "Node"
    right: "Node"


@dataclass
class Boolean:
    value: bool


@dataclass
class Assign:
    """`select EXPR as :v, EXPR as :w`."""

    items: list  # (Node, variable name)


Node = Union[Sql, Variable, Logical, Boolean]


class ConditionParser:
    """Recursive descent shaped like Byzer's `StatementParser`: the right operand of a binary operator
    is a whole statement, and `and`/`or` attach right after a binary operation (or a parenthesised
    group). Where Byzer fails to parse (`f(x) and g(y)`, `(a) or b`, `not x`, `-1`), this parser
    accepts the evident meaning."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def fail(self, token: Token, message: str) -> ByzerSyntaxError:
        return _syntax(self.text, token.offset, message)

    def expect(self, text: str, what: str) -> Token:
        token = self.peek()
        if token.text != text or token.kind not in ("punct", "word"):
            shown = repr(token.text) if token.kind != "end" else "the end of the condition"
            raise self.fail(token, f"expected '{text}' {what}, found {shown}")
        return self.advance()

    def parse(self) -> list:
        parts = []
        while self.peek().kind != "end":
            parts.append(self.statement(extend=True))
        if not parts:
            raise ByzerSyntaxError("the condition is empty")
        return parts

    def statement(self, extend: bool, logic: bool = True):
        if self.peek().word == "select":
            self.advance()
            return self.assignment()
        return self.expression(extend, logic)

    def expression(self, extend: bool, logic: bool) -> Node:
        left = self.operand()
        start = self.index
        left = self.infix(left, logic)
        grouped = isinstance(left, Sql) and left.parts[:1] == ("(",) and self.index == start
        # Byzer lets `and` (only) follow a parenthesised group; elsewhere a leading and/or is a parse
        # error in Byzer, read here as the evident condition.
        word = self.peek().word
        if word in LOGICAL and (extend or (logic and grouped and word == "and")):
            return self.logical(left)
        return left

    def infix(self, left: Node, logic: bool) -> Node:
        while PRECEDENCE.get(self.peek().text, 0) > 0 and self.peek().kind == "op":
            operator = self.advance()
            if operator.text == "=":
                raise self.fail(operator, "'=' is not a comparison in a condition: write '=='")
            right = self.statement(extend=False, logic=logic)
            left = Sql((left, f" {operator.text} ", right))
            if logic and self.peek().word in LOGICAL:
                return self.logical(left)
        return left

    def logical(self, left: Node) -> Node:
        op = self.advance().word
        if self.peek().kind == "end":
            raise self.fail(self.peek(), f"'{op}' needs a condition after it")
        return Logical(op, left, self.statement(extend=True))

    def operand(self) -> Node:
        token = self.advance()
        if token.kind == "var":
            node: Node = Variable(token.text[1:])
            return self.indexed(node)
        if token.kind == "word" and token.word == "not":
            return Sql(("not ", self.expression(extend=False, logic=False)))
        if token.kind == "word" and token.word in ("select", "as", "and", "or"):
            raise self.fail(token, f"a condition cannot start with '{token.text}'")
        if token.kind == "word" and self.peek().text == "(":
            return self.indexed(self.call(token))
        if token.kind == "word" and token.word in ("true", "false"):
            return Boolean(token.word == "true")
        if token.kind in ("word", "number", "string", "raw"):
            return Sql((token.text,))
        if token.text == "(":
            inner = self.statement(extend=True)
            self.expect(")", "to close '('")
            return Sql(("(", inner, ")"))
        if token.text == "-":
            return Sql(("-", self.operand()))
        shown = "the end of the condition" if token.kind == "end" else repr(token.text)
        raise self.fail(token, f"expected a value, a variable (:name) or a function call, found {shown}")

    def call(self, name: Token) -> Node:
        self.advance()  # (
        if name.word == "cast":
            value = self.statement(extend=True)
            self.expect("as", "in cast(... as TYPE)")
            type_name = self.advance()
            self.expect(")", "to close cast(")
            return Sql(("cast(", value, f" as {type_name.text})"))
        arguments: list = []
        if self.peek().text != ")":
            arguments.append(self.statement(extend=True))
            while self.peek().text == ",":
                self.advance()
                arguments.append(self.statement(extend=True))
        self.expect(")", f"to close {name.text}(")
        joined: list = [f"{name.text}("]
        for number, argument in enumerate(arguments):
            joined += ([","] if number else []) + [argument]
        return Sql(tuple(joined + [")"]))

    def indexed(self, node: Node) -> Node:
        if self.peek().text != "[":
            return node
        self.advance()
        index = self.advance()
        self.expect("]", "after the index")
        return Sql((node, f"[{index.text}]"))

    def assignment(self) -> Assign:
        items = [self.assigned()]
        while self.peek().text == ",":
            self.advance()
            items.append(self.assigned())
        return Assign(items)

    def assigned(self):
        value = self.statement(extend=False)
        self.expect("as", "after a value in select (select EXPR as :name)")
        target = self.advance()
        if target.kind != "var":
            raise self.fail(target, f"expected a variable (:name) after 'as', found {target.text!r}")
        return value, target.text[1:]


# -- evaluation ----------------------------------------------------------------------------------
def sql_text(node: Node) -> str:
    if isinstance(node, Variable):
        return f"`{node.name}`"
    if isinstance(node, Boolean):
        return "true" if node.value else "false"
    if isinstance(node, Logical):
        return f"{sql_text(node.left)} {node.op} {sql_text(node.right)}"
    return "".join(part if isinstance(part, str) else sql_text(part) for part in node.parts)


def variables_in(node) -> list[str]:
    if isinstance(node, Variable):
        return [node.name]
    if isinstance(node, Logical):
        return variables_in(node.left) + variables_in(node.right)
    if isinstance(node, Sql):
        return [name for part in node.parts if not isinstance(part, str) for name in variables_in(part)]
    return []


class ConditionEvaluator:
    """Evaluates one condition against ``variables`` (name -> one-element Arrow array: set variables
    are strings, `select ... as :v` results keep their SQL type) and updates them with its
    assignments, as Byzer's SQLGenContext does with its one-row variable table."""

    def __init__(self, session, variables: dict):
        self.session = session
        self.variables = dict(variables)
        self.table_name = f"__byzer_condition_{uuid.uuid4().hex}__"

    def evaluate(self, text: str) -> bool:
        parts = ConditionParser(text).parse()
        value = None
        for part in parts:
            if isinstance(part, Assign):
                self.assign(part)
                value = None
            elif isinstance(part, Logical):
                value = self.logical(part)
            else:
                value = self.value(part)
        if isinstance(parts[-1], Assign):
            raise ByzerRuntimeError("the condition ends with a `select ... as :v` assignment: end it with a "
                                    "test, e.g. `select ... as :v; :v == 1`")
        if value is None:  # Byzer reads a NULL as false (a null unboxed to Boolean)
            return False
        if not isinstance(value, bool):
            written = " ".join(text.split())
            raise ByzerRuntimeError(f"the condition is not boolean: `{written}` gives {value!r} "
                                    f"({type(value).__name__}); compare it, e.g. `... == \"x\"`")
        return value

    def logical(self, node: Logical) -> bool:
        """Each side on its own (nested and/or first), NULL as false; both sides always run."""
        left, right = (self.side(side) for side in (node.left, node.right))
        return (left and right) if node.op == "and" else (left or right)

    def side(self, node: Node) -> bool:
        node = self.fold(node)
        value = node.value if isinstance(node, Boolean) else self.value(node)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise ByzerRuntimeError(f"`{sql_text(node).strip()}` is not boolean (it gives {value!r}), so it "
                                    "cannot be a side of and/or")
        return value

    def fold(self, node: Node) -> Node:
        """Byzer's transformUp: every and/or inside a side is evaluated first and becomes true/false."""
        if isinstance(node, Logical):
            return Boolean(self.logical(node))
        if isinstance(node, Sql):
            return Sql(tuple(part if isinstance(part, str) else self.fold(part) for part in node.parts))
        return node

    def value(self, node: Node):
        return self.query(f"select {sql_text(node)} as res", variables_in(node)).column(0)[0].as_py()

    def assign(self, part: Assign) -> None:
        items = ", ".join(f"{sql_text(value)} as `{name}`" for value, name in part.items)
        used = [name for value, _ in part.items for name in variables_in(value)]
        result = self.query(f"select {items}", used)
        for name, column in zip(result.column_names, result.columns):
            self.variables[name] = column.combine_chunks()

    def query(self, select: str, used: list):
        known = {name.lower() for name in self.variables}
        missing = [name for name in dict.fromkeys(used) if name.lower() not in known]
        if missing:
            raise ByzerRuntimeError(f"the condition uses :{missing[0]}, which is not set "
                                    f"(set it first, e.g. set {missing[0]}=\"...\";)")
        catalog = self.session.catalog
        catalog.register(self.table_name, self.row_table())
        try:
            return self.session.sql(f"{select} from `{self.table_name}`")
        except ByzerError as error:
            error.message = f"in the condition, `{select}`: {error.message}"
            raise
        finally:
            catalog.drop(self.table_name)

    def row_table(self) -> pa.Table:
        # A table always has a column, so that it has its one row even without variables.
        columns = {"__byzer_row__": pa.array([1], pa.int32())}
        for name, value in self.variables.items():
            columns[name] = value if isinstance(value, (pa.Array, pa.ChunkedArray)) else pa.array([value], pa.string())
        return pa.table(columns)


def evaluate_condition(session, text: str, variables: dict) -> tuple[bool, dict]:
    """(the condition's value, the variables after its assignments)."""
    evaluator = ConditionEvaluator(session, variables)
    return evaluator.evaluate(text), evaluator.variables
