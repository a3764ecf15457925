"""User macros (docs/spec.md §12.3): byzer-doc's macro.md examples (with a csv file for its excel
one), positional and named arguments, defaults, several statements, and the errors."""
import pytest

from byzer_kernel.engine.macros import fill_template, named_arguments
from byzer_kernel.lang.errors import ByzerError, ByzerSyntaxError, UsageError


@pytest.fixture
def people(tmp_path):
    (tmp_path / "example-data").mkdir()
    (tmp_path / "example-data" / "hello_world.csv").write_text("hello,n\nworld,1\n")
    return "./example-data/hello_world.csv"


def test_doc_positional_macro(session, people):
    script = f'''set loadCsv = \'\'\'
load csv.`{{0}}`
where header="true"
as {{1}}
\'\'\';

!loadCsv {people[2:]} helloTable;
select hello from helloTable as output;'''
    assert session.execute(script).table.to_pylist() == [{"hello": "world"}]


def test_doc_positional_macro_with_quoted_arguments(session, people):
    script = f'''set loadCsv = \'\'\'
load csv.`{{0}}`
where header="true"
as {{1}}
\'\'\';

!loadCsv "{people}" "helloTable";'''
    assert session.execute(script).table_name == "helloTable"


def test_doc_named_arguments(session, people):
    script = f'''set loadCsv = \'\'\'
load csv.`${{path}}`
where header="true"
as ${{tableName}}
\'\'\';

!loadCsv _ -path {people} -tableName helloTable;'''
    result = session.execute(script)
    assert result.table_name == "helloTable" and result.table.to_pylist() == [{"hello": "world", "n": "1"}]


def test_a_macro_expanding_into_several_statements(session):
    script = '''set twoTables = \'\'\'select {0} as a as {1}_one;
select a * 2 as b from {1}_one as {1}_two\'\'\';
!twoTables 21 x;
select * from x_two as result;'''
    assert session.execute(script).table.to_pylist() == [{"b": 42}]
    assert {"x_one", "x_two"} <= set(session.catalog.names())


def test_a_session_macro_is_usable_in_later_cells_and_a_later_set_redefines_it(session):
    session.execute('set pick = \'\'\'select "{0}" as v as picked\'\'\' where scope="session";')
    assert session.execute("!pick first;").table.to_pylist() == [{"v": "first"}]
    result = session.execute('set pick = \'\'\'select "again {0}" as v as picked\'\'\';\n!pick second;')
    assert result.table.to_pylist() == [{"v": "again second"}]


def test_a_variable_named_like_a_builtin_command_wins_as_in_byzer(session):
    session.execute("select 1 as a as t;")
    result = session.execute('set desc = \'\'\'select "my desc of {0}" as d as mine\'\'\';\n!desc t;')
    assert result.table.to_pylist() == [{"d": "my desc of t"}]
    assert session.execute("!desc t;").table.column_names == ["col_name", "data_type", "nullable"]


def test_macros_see_variables_set_before_them(session):
    script = 'set suffix = "_x";\nset m = \'\'\'select 1 as a as {0}${suffix}\'\'\';\n!m t;'
    assert session.execute(script).table_name == "t_x"


@pytest.mark.parametrize("template, arguments, expected", [
    ("hello {} and {}", ["a", "b"], "hello a and b"),
    ("{1} {0} {1}", ["a", "b"], "b a b"),
    ("{0} {2:fallback}", ["a"], "a fallback"),
    ("{0} { 1 }", ["a", "b"], "a b"),
    ('{"json": 1} {0}', ["a"], '{"json": 1} a'),
    ("${0} {0}", ["a"], "${0} a"),
    ("where parameters='''{:all}'''", ["conf", "a b"], 'where parameters=\'\'\'["conf","a b"]\'\'\''),
    ("as {-1:next(named,none)}", ["x", "named", "out"], "as out"),
    ("as {-1:next(named,none)}", ["x"], "as none"),
])
def test_templates2_rules(template, arguments, expected):
    assert fill_template(template, arguments, "!m") == expected


def test_uuid_default():
    filled = fill_template("as {3:uuid()}", ["a"], "!m")
    assert len(filled) == len("as ") + 32


def test_named_arguments_as_params_util_reads_them():
    assert named_arguments(["-i", "t", "-num", "3", "-flag", "-o", "out"]) == {"i": "t", "num": "3", "flag": "", "o": "out"}


def test_missing_positional_argument_is_one_error(session):
    with pytest.raises(UsageError) as info:
        session.execute("select 1 as a as kept;\nset m = '''select {0} as a as {1}''';\n!m 5;")
    error = info.value
    assert str(error).startswith("UsageError at line 3:1 in `!m 5`: !m needs argument 1 for {1} but was given 1 argument(s)")
    assert "kept" in session.catalog


def test_missing_named_argument_is_one_error(session):
    with pytest.raises(UsageError, match=r"!m needs argument -table \(the macro uses \$\{table\}\); given: -value"):
        session.execute("set m = '''select ${value} as a as ${table}''';\n!m _ -value 1;")


def test_a_macro_that_calls_a_command_is_refused_as_in_byzer(session):
    with pytest.raises(UsageError, match="a macro cannot call a command or another macro"):
        session.execute("set hello = '''\n!show tables;\nselect 1 as a as output\n''';\n!hello;")


def test_an_expansion_that_does_not_parse_names_the_call(session):
    with pytest.raises(ByzerSyntaxError) as info:
        session.execute("set m = '''select {0} as''';\n\n!m 1;")
    assert info.value.span.line == 3
    assert info.value.message.startswith("the expansion of !m line 1:")


def test_an_error_in_an_expanded_statement_names_the_macro_and_the_call(session):
    with pytest.raises(ByzerError) as info:
        session.execute("set m = '''select 1 as a as ok;\nselect * from {0} as t''';\n!m nowhere;")
    assert str(info.value).startswith("TableNotFound at line 3:1 in `!m nowhere`: the expansion of !m line 2:1 "
                                      "in `select * from nowhere as t`: table `nowhere` does not exist")


def test_unknown_commands_still_fail_as_before(session):
    with pytest.raises(ByzerError, match="not supported by the local engine: !nosuchmacro"):
        session.execute("!nosuchmacro a b;")
