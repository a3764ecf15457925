"""The walk of a cell (docs/design.md §3): last table (docs/spec.md §1.8), docs/spec.md §8 examples, errors that lose nothing."""
import pytest

from byzer_kernel.engine import Observer
from byzer_kernel.lang.errors import ByzerError, ByzerSyntaxError


def test_the_last_table_is_the_result(session):
    result = session.execute("select 1 as a as t1; select 2 as b as t2;")
    assert result.table_name == "t2" and result.table.to_pylist() == [{"b": 2}]


def test_set_after_a_table_leaves_no_result(session):
    result = session.execute('select 1 as a as t1; set x="1";')
    assert result.table is None and result.table_name is None
    assert "t1" in session.catalog


def test_spec_8_1_set_then_select(session):
    assert session.execute("set a='jack'; select \"${a}\" as c as output;").table.to_pylist() == [{"c": "jack"}]


def test_spec_8_2_hello_world_and_a_table_named_by_a_variable(session):
    result = session.execute('set hello="world"; select "hello ${hello}" as title as `${hello}`;')
    assert result.table_name == "world"
    assert session.execute("select title from world as t;").table.to_pylist() == [{"title": "hello world"}]


def test_spec_8_1_table_named_by_variable_saved_and_loaded_back(session, tmp_path):
    path = tmp_path / "jack_byzer_test"  # docs/spec.md §8.1 writes to /tmp/jack_byzer_test
    result = session.execute(
        'set table1="jack"; select "a" as a as `${table1}`; '
        f"save overwrite `${{table1}}` as parquet.`{path}`; "
        f"load parquet.`{path}` as jackm;")
    assert result.table_name == "jackm" and result.table.to_pylist() == [{"a": "a"}]


def test_the_last_statement_may_omit_its_semicolon(session):
    assert session.execute("select 1 as a as t").table.to_pylist() == [{"a": 1}]


def test_request_variables_end_with_the_cell_session_ones_stay(session):
    session.execute('set r="1"; set s="2" where scope="session";')
    result = session.execute('select "${r}" as r, "${s}" as s as t;')
    assert result.table.to_pylist() == [{"r": "${r}", "s": "2"}]


def test_a_failing_statement_keeps_earlier_effects_and_the_catalog(session):
    session.execute("select 1 as a as keep;")
    with pytest.raises(ByzerError) as info:
        session.execute('set v="x" where scope="session";\nselect 2 as a as made;\nselect * from missing as m;\nselect 3 as a as never;')
    error = info.value
    assert error.span.line == 3 and error.span.col == 1
    assert str(error).startswith("TableNotFound at line 3:1 in `select * from missing as m`: table `missing` does not exist")
    assert {"keep", "made"} <= set(session.catalog.names()) and "never" not in session.catalog
    assert session.variables.get("v") == "x"
    assert session.execute("select a from made as again;").table.to_pylist() == [{"a": 2}]


def test_syntax_errors_run_nothing(session):
    with pytest.raises(ByzerSyntaxError) as info:
        session.execute("select 1 as a as t;\nload jsonStr.`x` as;")
    assert info.value.span.line == 2 and "t" not in session.catalog
    assert "^" in info.value.detail


def test_sql_errors_name_the_statement_line(session):
    with pytest.raises(ByzerError, match=r"line 2:1 .*nope"):
        session.execute("select 1 as a as t;\nselect nope from t as u;")


def test_observer_hears_each_statement(session):
    heard = []

    class Recorder(Observer):
        def statement_started(self, statement):
            heard.append(("start", statement.keyword))

        def statement_finished(self, statement, table):
            heard.append(("end", statement.keyword, None if table is None else table.num_rows))

    session.execute('set a="1"; select 1 as x as t;', events=Recorder())
    assert heard == [("start", "set"), ("end", "set", None), ("start", "select"), ("end", "select", 1)]


def test_notebook_python_cells_are_rewritten_before_parsing(session):
    plan = session.plan("#%python\n#%input=command\n#%output=out\n#%schema=st(field(a,long))\nprint(1)\n")
    assert [s.keyword for s in plan.statements][-2:] == ["run", "select"]
