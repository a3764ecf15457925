"""`set` (docs/spec.md §2.1-§2.3, §1.7, §8.1) and the Variables it writes."""
import pyarrow as pa
import pytest

from byzer_kernel.engine.set_statement import execute_set, preprocess_sets
from byzer_kernel.engine.variables import Variables
from byzer_kernel.lang import parse
from byzer_kernel.lang.errors import ByzerRuntimeError, TemplateError


def run_sets(session, text):
    """What Session.execute does for a script of sets, keeping the request open to look at it."""
    statements = parse(text).statements
    session.variables.begin_request()
    preprocess_sets(session, statements)
    for statement in statements:
        assert execute_set(session, statement, None) is None  # a set leaves no last table
    return dict(session.variables.items())


# -- value forms (§2.1) ----------------------------------------------------------------------------
@pytest.mark.parametrize("text, value", [
    ('set a="b";', "b"), ("set a='b';", "b"), ("set a='''multi\nline''';", "multi\nline"),
    ("set a=`select 1`;", "select 1"), ("set a=b;", "b"), ("set e=200;", "200"), ("set f=abc.def;", "abc.def"),
    (r'set a="he said \"hi\"";', r'he said \"hi\"'), ('set a="x" where type="unknown";', "x"),
    ('set xx = "select unix_timestamp()";', "select unix_timestamp()"),
])
def test_value_forms(session, text, value):
    key = parse(text).statements[0].key
    assert run_sets(session, text)[key] == value


@pytest.mark.parametrize("text", [
    'set a = "valuea"; set b = "${a}/b";', 'set b = "${a}/b"; set a = "valuea";',
])
def test_forward_references_resolve_in_either_order(session, text):
    assert run_sets(session, text)["b"] == "valuea/b"


def test_rerender_loop_resolves_chains(session):
    env = run_sets(session, 'set c = "${b}-c"; set b = "${a}-b"; set a = "A"; set d = "$undefined";')
    assert (env["a"], env["b"], env["c"], env["d"]) == ("A", "A-b", "A-b-c", "$undefined")


def test_values_are_velocity_rendered(session):
    env = run_sets(session, "set code = '''x = 1 ## note\ny = 2''';")
    assert env["code"] == "x = 1 y = 2"


def test_template_error_names_the_problem(session):
    with pytest.raises(TemplateError, match="#end without a matching"):
        run_sets(session, "set code = '''print(1)\n#end''';")


# -- type=sql --------------------------------------------------------------------------------------
@pytest.mark.parametrize("query, value", [
    ("select 1 + 1 as v", "2"), ("select true as v", "true"), ("select cast(1 as double) as v", "1.0"),
    ("select 2.5D as v", "2.5"), ("select 'x' as v, 2 as w", "x"), ("select 1 as v where 1 = 0", ""),
])
def test_type_sql_takes_the_first_cell(session, query, value):
    assert run_sets(session, f'set v = `{query}` where type="sql";')["v"] == value


def test_type_sql_renders_the_query_first(session):
    env = run_sets(session, 'set t = "hello"; set v = `select "${t}" as c` where type="sql";')
    assert env["v"] == "hello"


def _counting_sql(session, monkeypatch, result="7"):
    calls = []

    def fake_sql(query):
        calls.append(query)
        return pa.table({"c": [result]})

    monkeypatch.setattr(session, "sql", fake_sql)
    return calls


def test_runtime_sql_is_empty_in_the_preprocess_pass(session, monkeypatch):
    calls = _counting_sql(session, monkeypatch)
    statements = parse('set v = `select 7` where type="sql";').statements
    session.variables.begin_request()
    preprocess_sets(session, statements)
    assert session.variables.get("v") == "" and calls == []
    execute_set(session, statements[0], None)
    assert session.variables.get("v") == "7" and calls == ["select 7"]


def test_compile_sql_runs_once_in_the_preprocess_pass(session, monkeypatch):
    calls = _counting_sql(session, monkeypatch)
    statements = parse('set v = `select 7` where type="sql" and mode="compile";').statements
    session.variables.begin_request()
    preprocess_sets(session, statements)
    assert session.variables.get("v") == "7" and calls == ["select 7"]
    execute_set(session, statements[0], None)
    assert session.variables.get("v") == "7" and len(calls) == 1  # not overwritten by the physical pass


def test_sql_error_is_reported(session):
    with pytest.raises(ByzerRuntimeError):
        run_sets(session, 'set v = `select * from no_such_table` where type="sql";')


# -- other types -------------------------------------------------------------------------------------
def test_type_shell(session):
    env = run_sets(session, 'set who = "world"; set v = `echo "  hello ${who}  "` where type="shell";')
    assert env["v"] == "hello world"


def test_type_shell_failure_reports_stderr(session):
    statements = parse('set v = `echo oops >&2; exit 3` where type="shell";').statements
    session.variables.begin_request()
    with pytest.raises(ByzerRuntimeError) as caught:
        preprocess_sets(session, statements)
    assert "exit code 3" in caught.value.message and "oops" in caught.value.message
    assert caught.value.span == statements[0].span  # the pre-process pass names its statement


def test_type_conf(session):
    env = run_sets(session, 'set spark.sql.shuffle.partitions = "8" where type="conf";')
    assert env["spark.sql.shuffle.partitions"] == ""
    assert session.spark_conf == {"spark.sql.shuffle.partitions": "8"}


@pytest.mark.parametrize("text, value", [
    ('set hello="foo"; set hello="bar" where type="defaultParam";', "foo"),
    ('set hello="bar" where type="defaultParam";', "bar"),
    ('set hello="bar" where type="defaultParam"; set hello="foo";', "foo"),
])
def test_default_param(session, text, value):
    assert run_sets(session, text)["hello"] == value


# -- scope and visibility ------------------------------------------------------------------------------
def test_request_scope_ends_with_the_request(session):
    run_sets(session, 'set r = "request"; set s = "session" where scope="session";')
    session.variables.end_request()
    assert "r" not in session.variables and session.variables.get("s") == "session"
    session.variables.begin_request()
    assert session.variables.render("${r} ${s}") == "${r} session"


def test_un_select_variables_are_hidden_from_select(session):
    run_sets(session, 'set shown = "a"; set hidden = "b" where visible="un_select";')
    assert session.render("$shown $hidden") == "a b"
    assert session.render("$shown $hidden", for_select=True) == "a $hidden"


def test_builtins_visible_to_select_or_not(session):
    session.variables.begin_request()
    assert session.render("$HOME") == str(session.home)
    assert session.render("$HOME", for_select=True) == "$HOME"
    assert session.render("$today", for_select=True) == session.render("$today") != "$today"
    assert session.render('${date.toString("yyyy")}', for_select=True).isdigit()


def test_template_builtin_uses_variables(session):
    run_sets(session, "set tpl = '''select {0} from {1}''';")
    assert session.render('${template.get("tpl", "a", "t")}') == "select a from t"


def test_variables_api():
    variables = Variables(home="/h", owner="me")
    variables.begin_request()
    variables.set("a", "1")
    variables.set("b", "2", scope="session", visible="un_select,other")
    assert "a" in variables and variables.get("missing") is None and variables.get("missing", "d") == "d"
    assert variables.names() == ["a", "b"] and variables.items() == [("a", "1"), ("b", "2")]
    assert variables.render("$a $b $OWNER") == "1 2 me"
    assert variables.render("$a $b $OWNER", for_select=True) == "1 $b $OWNER"
    variables.end_request()
    assert variables.items() == [("b", "2")]
    variables.begin_request()
    assert variables.render("$b", for_select=True) == "$b"  # hidden stays hidden across requests


# -- end to end through Session.execute ----------------------------------------------------------------
def _first(result):
    return result.table.column(0)[0].as_py()


def test_set_then_select_in_one_cell(session):
    assert _first(session.execute("set a='jack'; select \"${a}\" as c as output;")) == "jack"


def test_set_returns_no_table(session):
    assert session.execute("select 1 as a as t; set a = 'x';").table is None


def test_forward_reference_in_a_cell(session):
    assert _first(session.execute('set b = "${a}/b"; set a = "valuea"; select "${b}" as c as t;')) == "valuea/b"


def test_request_and_session_scope_across_cells(session):
    session.execute('set r = "one"; set s = "two" where scope="session";')
    assert _first(session.execute('select "${r}|${s}" as c as t;')) == "${r}|two"


def test_un_select_in_select_statement(session):
    result = session.execute('set h = "x" where visible="un_select"; select "${h}" as c as t;')
    assert _first(result) == "${h}"


def test_compile_mode_is_visible_to_everything_after_preprocess(session):
    result = session.execute('set v = `select 40 + 2` where type="sql" and mode="compile"; select "${v}" as c as t;')
    assert _first(result) == "42"
