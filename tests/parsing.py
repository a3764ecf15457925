"""Helpers shared by the lexer and parser tests."""
import pytest

from byzer_kernel.lang import ByzerSyntaxError, parse


def only(text):
    """The one statement `text` parses to."""
    script = parse(text)
    assert len(script.statements) == 1, script.statements
    return script.statements[0]


def syntax_error(text):
    """The ByzerSyntaxError parsing `text` raises."""
    with pytest.raises(ByzerSyntaxError) as info:
        parse(text)
    return info.value
