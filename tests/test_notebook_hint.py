"""Byzer Notebook `#%python` cell rewrite (docs/spec.md §7.1-7.2)."""
import re

import pytest

from byzer_kernel.lang import ByzerSyntaxError, parse
from byzer_kernel.lang.notebook_hint import parse_header, rewrite_python_cell, strip_margin
from byzer_kernel.lang.statements import (CommandStatement, LoadStatement, RunStatement, SaveStatement,
                                          SelectStatement)

FULL_CELL = """#%python
#%input=data
#%output=out
#%schema=st(field(a,long))
#%env=source activate py3
#%dataMode=model
#%runIn=driver
#%cache=true
#%confTable=ct
#%model=m
#%pythonExec=/usr/bin/python3
context.build_result([{"a": 1}])
"""


def test_full_set_of_directives_gives_the_exact_script():
    assert rewrite_python_cell(FULL_CELL) == (
        "\n"
        " !python conf '''schema=st(field(a,long))'''; \n"
        " !python env '''PYTHON_ENV=source activate py3'''; \n"
        " !python conf '''dataMode=model'''; \n"
        " !python conf '''runIn=driver'''; \n"
        "run command as Ray.`` where\n"
        'inputTable="data" and\n'
        'outputTable="out_0" and\n'
        ' confTable="ct" and \n'
        ' model="m" and \n'
        "code='''" + "\n" * 11 + 'context.build_result([{"a": 1}])' + "''';\n"
        "\n"
        "save overwrite out_0 as parquet.`/tmp/__python__/out`;\n"
        "load parquet.`/tmp/__python__/out` as out;\n"
        "\n"
    )


def test_full_rewrite_parses_and_keeps_the_code_lines():
    script = parse(rewrite_python_cell(FULL_CELL))
    kinds = [type(st) for st in script.statements]
    assert kinds == [CommandStatement] * 4 + [RunStatement, SaveStatement, LoadStatement]
    run = script.statements[4]
    assert run.options["inputTable"].text == "data"
    assert run.options["outputTable"].text == "out_0"
    assert run.options["confTable"].text == "ct"
    # header lines became empty lines: the code keeps its line number (12) inside the block
    assert run.options["code"].text.split("\n")[11] == 'context.build_result([{"a": 1}])'
    assert script.statements[-1].table == "out"


def test_defaults_input_command_random_output_no_conf_and_select_tail():
    script = rewrite_python_cell("#%python\nprint(1)")
    output = re.search(r'outputTable="([0-9a-f]{32})_0"', script).group(1)
    assert script == (
        "\n\n\n\n\n"
        "run command as Ray.`` where\n"
        'inputTable="command" and\n'
        f'outputTable="{output}_0" and\n'
        "\n\n"
        "code='''\nprint(1)''';\n"
        f"select * from {output}_0 as {output};\n"
    )
    assert rewrite_python_cell("#%python\nx") != rewrite_python_cell("#%python\nx")  # fresh uuid each time
    statements = parse(script).statements
    assert isinstance(statements[-1], SelectStatement)
    assert statements[-1].text == f"select * from {output}_0 as {output}"


@pytest.mark.parametrize("value", ["false", "FALSE", "False"])
def test_cache_false(value):
    script = rewrite_python_cell(f"#%python\n#%output=o\n#%cache={value}\nx")
    assert script.endswith("code='''\n\n\nx''';\nselect * from o_0 as o;\n")


@pytest.mark.parametrize("value", ["true", "TRUE", "tRuE"])
def test_cache_true(value):
    script = rewrite_python_cell(f"#%python\n#%output=o\n#%cache={value}\nx")
    assert script.endswith("x''';\n\nsave overwrite o_0 as parquet.`/tmp/__python__/o`;\n"
                           "load parquet.`/tmp/__python__/o` as o;\n\n")


@pytest.mark.parametrize("value", ["yes", "1", " true", ""])
def test_invalid_cache_value_is_an_error_naming_the_directive(value):
    with pytest.raises(ByzerSyntaxError) as info:
        rewrite_python_cell(f"#%python\nx = 1\n#%cache={value}\n")
    error = info.value
    assert error.message == f"#%cache={value}: the cache directive must be true or false"
    assert (error.span.line, error.span.col) == (3, 1)
    assert error.detail == f"#%cache={value}\n^"


def test_not_a_python_cell():
    assert rewrite_python_cell("select 1 as a as t;") is None
    assert rewrite_python_cell("") is None
    assert rewrite_python_cell("#%sql\nselect 1 as a as t;") is None
    assert rewrite_python_cell("#%python\n#%markdown\nx") is None  # the last type line wins


def test_indented_header_is_not_a_header_but_a_margin_bar_is():
    assert rewrite_python_cell("  #%python\nx") is None
    assert rewrite_python_cell("\t#%python\nx") is None
    assert rewrite_python_cell("  |#%python\nx") is not None
    assert rewrite_python_cell("|#%python\n#%output=o\nx").endswith("code='''\n\nx''';\nselect * from o_0 as o;\n")


def test_dash_dash_percent_headers():
    script = rewrite_python_cell("--%python\n--%output=o\n--%input=t\nx")
    assert 'inputTable="t" and\noutputTable="o_0" and\n' in script


def test_values_are_verbatim_and_split_on_the_first_equals():
    header = parse_header("#%python\n#%schema= a=b \n#%output=\n#%input=x\n#%input=y")
    assert header.params == {"schema": " a=b "}
    assert (header.output, header.input, header.cell_type) == ("", "y", "python")
    script = rewrite_python_cell("#%python\n#%output=\n#%schema= a=b \nx")
    assert " !python conf '''schema= a=b '''; \n" in script
    assert 'outputTable="_0" and\n' in script and script.endswith("select * from _0 as ;\n")


def test_unknown_directives_are_ignored():
    with_exec = rewrite_python_cell("#%python\n#%output=o\n#%pythonExec=/bin/py\n#%foo=bar\nx")
    without = rewrite_python_cell("#%python\n#%output=o\n\n\nx")
    assert with_exec == without


def test_trailing_empty_lines_of_the_body_are_dropped_as_by_java_split():
    script = rewrite_python_cell("#%python\n#%output=o\nx = 1\n\n\n")
    assert "code='''\n\nx = 1''';\n" in script


def test_final_strip_margin_reaches_the_code_as_in_byzer():
    script = rewrite_python_cell("#%python\n#%output=o\nx = (1\n     | 2)\n  y = '|'")
    assert "code='''\n\nx = (1\n 2)\n  y = '|'''';" in script


def test_triple_quote_in_the_code_breaks_the_script_as_in_byzer():
    script = rewrite_python_cell("#%python\n#%output=o\nx = '''a'''")
    with pytest.raises(ByzerSyntaxError):
        parse(script)


def test_strip_margin_semantics():
    assert strip_margin("  |a\n|b\n  c\n\f |d") == "a\nb\n  c\n\fd"
    assert strip_margin("   \n  |x") == "   \nx"
