"""text -> statements: lexer, parser, templates, schema strings, Byzer Notebook cell rewrite."""
from .errors import ByzerError, ByzerSyntaxError
from .parser import parse
from .statements import Script

__all__ = ["ByzerError", "ByzerSyntaxError", "Script", "parse"]
