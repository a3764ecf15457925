"""`!if '''cond''';` / `!elif '''cond''';` / `!else;` / `!fi;` (and the no-op `!then;`), docs/spec.md §12.1.

Byzer runs them as commands (IfCommand, ElifCommand, ElseCommand, FiCommand) over a stack of branch
contexts: a context knows whether its current branch runs, whether a branch already matched, and
whether the whole block is skipped because an enclosing branch does not run (then no condition of it
is evaluated). Statements of a branch that does not run are skipped; branch commands always move the
stack. The variables assigned by a condition (`select ... as :v`) belong to the block: nested
conditions and the statements of the block see them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import pyarrow as pa

from ..lang.errors import ByzerSyntaxError
from ..lang.java_values import java_str
from ..lang.statements import CommandStatement, Statement
from .commands import command_args
from .conditions import evaluate_condition
from .include import name_place

BRANCH_COMMANDS = ("if", "elif", "else", "fi", "then")


def is_branch_command(statement: Statement) -> bool:
    return isinstance(statement, CommandStatement) and statement.name in BRANCH_COMMANDS


def place(statement: Statement) -> str:
    """`3:1`, or `3:1 of lib/a.byzer` for a statement that came from an include."""
    where = f"{statement.span.line}:{statement.span.col}"
    return f"{where} of {statement.origin.source}" if statement.origin else where


def check_branches(statements: list) -> None:
    """Every `!if` closed by a `!fi`, every `!elif`/`!else`/`!fi` inside an `!if`, no `!elif` or
    second `!else` after an `!else`; checked before anything runs (Byzer itself fails only when
    the stray command runs)."""
    open_blocks: list = []  # [the !if, its !else or None]
    for statement in statements:
        if not is_branch_command(statement) or statement.name == "then":
            continue
        name = statement.name
        if name == "if":
            open_blocks.append([statement, None])
            continue
        if not open_blocks:
            raise _unbalanced(statement, f"!{name} at {place(statement)} has no !if before it")
        opener, seen_else = open_blocks[-1]
        if name == "fi":
            open_blocks.pop()
        elif seen_else is not None:
            raise _unbalanced(statement, f"!{name} at {place(statement)} comes after the !else at "
                                         f"{place(seen_else)} of the !if at {place(opener)}")
        elif name == "else":
            open_blocks[-1][1] = statement
    if open_blocks:
        opener = open_blocks[-1][0]
        raise _unbalanced(opener, f"!if at {place(opener)} is never closed: add !fi; after its branches")


def _unbalanced(statement: Statement, message: str) -> ByzerSyntaxError:
    return name_place(ByzerSyntaxError(message), statement)


@dataclass
class Block:
    opener: Statement
    running: bool = False  # the current branch runs
    matched: bool = False  # some branch of the block ran or runs
    skipped: bool = False  # the enclosing branch does not run: nothing of this block is evaluated
    taken: Optional[Statement] = None
    variables: dict = field(default_factory=dict)  # name -> one-element Arrow array


class BranchRunner:
    """The stack of open blocks while a script runs; the session asks it which statements run."""

    def __init__(self, session, events):
        self.session, self.events = session, events
        self.blocks: list[Block] = []

    @property
    def running(self) -> bool:
        return not self.blocks or self.blocks[-1].running

    def step(self, statement: CommandStatement) -> None:
        handler = getattr(self, f"_{statement.name}")
        handler(statement)
        self.session.branch_variables = self.rendered_variables()

    def _if(self, statement) -> None:
        if not self.running:
            self.blocks.append(Block(statement, skipped=True))
            return
        parent = self.blocks[-1].variables if self.blocks else {}
        block = Block(statement)
        self.blocks.append(block)  # pushed first: the condition's own failure leaves a consistent stack
        block.variables = self.condition_variables(parent)
        self.decide(block, statement)

    def _elif(self, statement) -> None:
        block = self.blocks[-1]
        if block.skipped:
            return
        if block.matched:
            block.running = False
            return
        self.decide(block, statement)

    def _else(self, statement) -> None:
        block = self.blocks[-1]
        if block.skipped:
            return
        block.running = not block.matched
        if block.running:
            block.matched, block.taken = True, statement

    def _fi(self, statement) -> None:
        block = self.blocks.pop()
        if block.skipped:
            return
        if block.taken is None:
            self.events.message(f"!if at {place(block.opener)}: took no branch")
        else:
            self.events.message(f"!if at {place(block.opener)}: took the `!{block.taken.name}` branch "
                                f"at {place(block.taken)}")

    def _then(self, statement) -> None:
        """Byzer's ThenCommand does nothing (`!if ...; !then; ...` reads as in shell)."""

    def decide(self, block: Block, statement: CommandStatement) -> None:
        condition = " ".join(command_args(self.session, statement))
        value, block.variables = evaluate_condition(self.session, condition, block.variables)
        block.running = block.matched = value
        if value:
            block.taken = statement

    def condition_variables(self, parent: dict) -> dict:
        """The set variables (as strings), then those the enclosing blocks' conditions assigned."""
        variables = {name: pa.array([_as_text(value)], pa.string())
                     for name, value in self.session.variables.items()}
        variables.update(parent)
        return variables

    def rendered_variables(self) -> dict:
        """What the statements of the running branch may write as `${name}`: the innermost block's
        condition variables, as text."""
        if not self.blocks:
            return {}
        return {name: _as_text(value[0].as_py()) for name, value in self.blocks[-1].variables.items()}


def _as_text(value) -> str:
    if value is None:
        return "null"
    return value if isinstance(value, str) else java_str(value)
