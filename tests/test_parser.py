"""Statement forms of docs/spec.md §1.2, the where/options clause (§1.4), spans and syntax errors."""
import pytest

from byzer_kernel.lang import parse
from byzer_kernel.lang.statements import (CommandStatement, LoadStatement, PassthroughStatement, RunStatement,
                                          SaveStatement, SelectStatement, SetStatement, Span, Value)
from parsing import only, syntax_error


def s(text):
    return Value("string", text[1:-1], text)


# -- load ---------------------------------------------------------------------------------------
def test_load_with_backquoted_path_and_options():
    load = only('load csv.`/tmp/a.csv` where header="true" and `driver-x`=\'1\' as people;')
    assert isinstance(load, LoadStatement)
    assert load.format == "csv"
    assert load.path == Value("quoted", "/tmp/a.csv", "`/tmp/a.csv`")
    assert load.options == {"header": s('"true"'), "driver-x": s("'1'")}
    assert load.table == "people"
    assert load.text == 'load csv.`/tmp/a.csv` where header="true" and `driver-x`=\'1\' as people'


def test_load_with_bare_path_and_backquoted_table():
    load = only("load jsonStr.data as `${t}`")
    assert load.path == Value("name", "data", "data")
    assert load.table == "`${t}`"


def test_load_missing_as():
    error = syntax_error("load csv.`p` t;")
    assert error.message == "expected '=' after option name 't', found ';'"
    error = syntax_error("load csv.`p`;")
    assert error.message == "expected 'as' before the table name of load, found ';'"
    assert (error.span.line, error.span.col) == (1, 13)


# -- where/options clause -------------------------------------------------------------------------
def test_options_and_where_are_synonyms():
    a = only("load csv.`p` options a='1' as t")
    b = only("load csv.`p` where a='1' as t")
    assert a.options == b.options == {"a": s("'1'")}


def test_first_pair_may_come_without_where_and_where_may_stand_alone():
    assert only("load csv.`p` a='1' and b='2' as t").options == {"a": s("'1'"), "b": s("'2'")}
    assert only("load csv.`p` where as t").options == {}


def test_leading_and_after_where_is_tolerated():
    assert only("load csv.`p` where and a='1' and b='2' as t").options == {"a": s("'1'"), "b": s("'2'")}


def test_dotted_and_backquoted_keys():
    load = only("load csv.`p` where config.method='x' and `a-b.c`='y' and a.`b`='z' as t")
    assert list(load.options) == ["config.method", "a-b.c", "a.`b`"]


def test_block_string_option_values():
    load = only("load csv.`p` where sql='''select 1;\n''' as t")
    assert load.options["sql"] == Value("block", "select 1;\n", "'''select 1;\n'''")


def test_later_duplicate_key_wins():
    load = only("load csv.`p` where a='1' and b='2' and a='3' as t")
    assert load.options == {"b": s("'2'"), "a": s("'3'")}


def test_bare_option_value_is_an_error():
    error = syntax_error("load csv.`p`\n  where header=true as t;")
    assert error.message == ("the value of option 'header' must be quoted: write header=\"...\" or "
                             "header='''...''', found 'true'")
    assert (error.span.line, error.span.col) == (2, 16)
    assert error.detail == "  where header=true as t;\n               ^"


# -- save ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["overwrite", "append", "ignore", "errorIfExists"])
def test_save_modes(mode):
    save = only(f"save {mode} t as parquet.`/tmp/p`;")
    assert isinstance(save, SaveStatement)
    assert (save.modes, save.table, save.format, save.path.text) == ([mode], "t", "parquet", "/tmp/p")


def test_save_without_mode_and_with_several_modes():
    assert only("save t as json.`/p`").modes == []
    assert only("save append ERRORIFEXISTS overwrite t as json.`/p`").modes == [
        "append", "errorIfExists", "overwrite"]


def test_save_options_and_partition_by_in_any_case():
    save = only("save overwrite t as parquet.`/p` where fileNum='2' PARTITIONBY a, `b c`,d;")
    assert save.options == {"fileNum": s("'2'")}
    assert save.partition_by == ["a", "b c", "d"]
    assert only("save t as parquet.`/p` partitionby x").partition_by == ["x"]
    assert only("save t as parquet.`/p` partitionBy").partition_by == []


def test_save_table_is_the_raw_token():
    assert only("save overwrite `${t}` as parquet.`/p`").table == "`${t}`"


# -- select -------------------------------------------------------------------------------------
def test_select_keeps_its_whole_text():
    statement = only("select a,\n  'x;y' as b -- note\nfrom t where c = \"z\" as out ;")
    assert isinstance(statement, SelectStatement)
    assert statement.text == "select a,\n  'x;y' as b -- note\nfrom t where c = \"z\" as out"


def test_select_only_needs_as_name_at_the_end():
    assert only("select 1 as a;").text == "select 1 as a"
    assert only("SELECT * FROM t AS `my table`").text == "SELECT * FROM t AS `my table`"


def test_select_without_as_name():
    error = syntax_error("select 1 from t;")
    assert error.message == ("a select statement must end with 'as <table name>' (e.g. select ... as t), "
                             "found ';'")
    assert (error.span.line, error.span.col) == (1, 16)
    assert error.detail == "select 1 from t;\n               ^"


def test_select_with_as_but_no_name():
    error = syntax_error("select 1 as a as\n;")
    assert error.message == "expected a table name after 'as' at the end of select, found ';'"
    assert (error.span.line, error.span.col) == (2, 1)
    error = syntax_error("select 1 as a as")
    assert error.message == "expected a table name after 'as' at the end of select, found end of input"
    assert (error.span.line, error.span.col) == (1, 17)


# -- set ----------------------------------------------------------------------------------------
def test_set_value_kinds():
    values = [st.value for st in parse(
        "set a='x'; set b=\"y\"; set c='''z\n'''; set d=`select 1`; set e=abc.def; set f=200").statements]
    assert [(v.kind, v.text) for v in values] == [
        ("string", "x"), ("string", "y"), ("block", "z\n"), ("quoted", "select 1"), ("name", "abc.def"),
        ("name", "200")]


def test_set_with_dotted_key_and_options():
    statement = only('set spark.sql.x = `select 1` where type="sql" and mode=\'compile\'')
    assert isinstance(statement, SetStatement)
    assert statement.key == "spark.sql.x"
    assert statement.options == {"type": s('"sql"'), "mode": s("'compile'")}


def test_set_missing_value():
    error = syntax_error("set a = ;")
    assert error.message == ("expected a value for 'a' (\"...\", '''...''', `...` or a name), found ';'")
    error = syntax_error("set a 'x';")
    assert error.message == "expected '=' after 'set a', found \"'x'\""


# -- run / train / predict ----------------------------------------------------------------------
def test_run_command_as_ray_with_code():
    statement = only("run command as Ray.`` where inputTable=\"data\" and outputTable='out' and code='''\n"
                     "def f(r):\n    return r\n''' as result")
    assert isinstance(statement, RunStatement)
    assert (statement.verb, statement.input_table, statement.et) == ("run", "command", "Ray")
    assert statement.path == Value("quoted", "", "``")
    assert list(statement.options) == ["inputTable", "outputTable", "code"]
    assert statement.options["code"].text == "\ndef f(r):\n    return r\n"
    assert statement.as_tables == ["result"]


def test_train_predict_into_and_several_outputs():
    train = only("TRAIN data INTO RandomForest.`/tmp/model` where k='v' as a as `b`")
    assert (train.verb, train.input_table, train.et, train.path.text) == ("train", "data", "RandomForest",
                                                                          "/tmp/model")
    assert train.as_tables == ["a", "`b`"]
    predict = only("predict t as Model.`/m`")
    assert (predict.verb, predict.options, predict.as_tables) == ("predict", {}, [])


# -- !commands ----------------------------------------------------------------------------------
def name(text):
    return Value("name", text, text)


def test_command_raw_arguments():
    assert only("!show tables").args == [name("tables")]
    assert only("!desc t;").args == [name("t")]
    statement = only("!hdfs -ls /tmp/a.b   ~/x -- comment\n;")
    assert isinstance(statement, CommandStatement)
    assert (statement.name, statement.args) == ("hdfs", [name("-ls"), name("/tmp/a.b"), name("~/x")])


def test_command_quoted_arguments():
    conf = only('!python conf "schema=st(field(a,long))";')
    assert conf.args == [name("conf"), Value("string", "schema=st(field(a,long))",
                                             '"schema=st(field(a,long))"')]
    check = only("!assert t '''count > 0''' \"too few rows\"")
    assert check.args == [name("t"), Value("block", "count > 0", "'''count > 0'''"),
                          Value("string", "too few rows", '"too few rows"')]
    legacy = only("!ray on T '''\nprint(1)\n''' named OUT")
    assert [a.text for a in legacy.args] == ["on", "T", "\nprint(1)\n", "named", "OUT"]
    assert only("!kill `job 1`").args == [Value("quoted", "job 1", "`job 1`")]


def test_command_adjacent_tokens_join_and_comments_split():
    statement = only("!cmd a-b/c.d>e<f~g a /**/b")
    assert statement.args == [name("a-b/c.d>e<f~g"), name("a"), name("b")]
    assert only("!cmd x'q'y").args == [name("x"), Value("string", "q", "'q'"), name("y")]


def test_command_without_arguments():
    statement = only("!ray_status;")
    assert (statement.name, statement.args, statement.text) == ("ray_status", [], "!ray_status")


def test_unquoted_key_value_argument_is_an_error():
    error = syntax_error("!python conf schema=st(field(a,long));")
    assert error.message == ("'=' is not allowed in an unquoted argument of !python: quote the whole "
                             "argument, e.g. \"key=value\"")
    assert (error.span.line, error.span.col) == (1, 20)


def test_keyword_argument_must_be_quoted():
    error = syntax_error("!python conf 'x' as t")
    assert error.message == "keyword 'as' cannot be an unquoted argument of !python: quote it, e.g. \"as\""


# -- passthrough statements ---------------------------------------------------------------------
@pytest.mark.parametrize("text, verb", [
    ("insert into t select * from u # anything 'x;y'", "insert"),
    ("CREATE TABLE t (a INT)", "create"),
    ("drop table t", "drop"),
    ("refresh table t", "refresh"),
    ("connect jdbc where url='jdbc:x' and driver=\"d\" as db1", "connect"),
    ("register ScriptUDF.`` as plusFun where lang='scala' and code='''def a = 1'''", "register"),
    ("unregister ScriptUDF.`plusFun`", "unregister"),
    ("include lib.`gitee.com/x/y` where libMirror='gitee.com'", "include"),
])
def test_passthrough_statements(text, verb):
    statement = only(text + ";")
    assert isinstance(statement, PassthroughStatement)
    assert (statement.verb, statement.text) == (verb, text)


def test_register_needs_a_function_name():
    error = syntax_error("register ScriptUDF.`` where lang='scala';")
    assert error.message == "expected 'as' before the function name of register, found 'where'"


# -- the script ---------------------------------------------------------------------------------
def test_last_statement_may_omit_its_semicolon():
    script = parse("set a='1';\nselect 1 as b as t")
    assert [type(st) for st in script.statements] == [SetStatement, SelectStatement]
    assert len(parse("set a='1';\n-- done\n").statements) == 1


def test_spans_on_a_multi_line_cell():
    text = ("-- header comment\n"
            "set a='x'; load csv.`p`\n"
            "  as t;\n"
            "\n"
            "   /* lead */ select *\n"
            "from t as u;\n"
            "\t!show tables")
    statements = parse(text).statements
    assert [(st.span.line, st.span.col) for st in statements] == [(2, 1), (2, 12), (5, 15), (7, 2)]
    load = statements[1]
    assert load.span == Span(line=2, col=12, start=29, end=48)
    assert text[load.span.start:load.span.end] == load.text == "load csv.`p`\n  as t"
    assert statements[2].text == "select *\nfrom t as u"


def test_unknown_statement():
    error = syntax_error("set a='1';\n  no_sence a;")
    assert error.message == ("unknown statement 'no_sence': a statement starts with load, save, select, set, "
                             "run, train, predict, insert, create, drop, refresh, connect, register, "
                             "unregister, include or !command")
    assert (error.span.line, error.span.col) == (2, 3)
    assert error.detail == "  no_sence a;\n  ^"
    assert str(error) == ("SyntaxError at line 2:3: " + error.message + "\n" + error.detail)


def test_empty_statement_is_an_error():
    error = syntax_error("select 1 as a as t;;")
    assert error.message == "empty statement: unexpected ';' (remove the extra ';')"
    assert (error.span.line, error.span.col) == (1, 20)
    assert error.detail == "select 1 as a as t;;\n                   ^"
    assert syntax_error(";").span.col == 1


def test_missing_semicolon_between_statements():
    error = syntax_error("load csv.`p` as t\nselect 1 as a as b;")
    assert error.message == "expected ';' after the load statement, found 'select'"
    assert (error.span.line, error.span.col) == (2, 1)


def test_script_describe_for_plan():
    body = "\n".join('{"a":%d}' % i for i in range(1000))
    script = parse(f"set data='''{body}''';\n"
                   "load jsonStr.`data` where k='v' as t;\n"
                   "select a from t as u;\n"
                   "save overwrite u as parquet.`/tmp/u` partitionBy a;\n"
                   "!python conf \"dataMode=data\";\n"
                   "run command as Ray.`` where inputTable='u' and code='''\nx=1\n''' as out;\n"
                   "drop table x")
    assert script.describe().splitlines() == [
        "1:1\tset data='''{\"a\":0} {\"a\":1} {\"a\":2} {\"a\":3} {\"a\":4} {\"a\":5}... [1000 lines, 9895 chars]",
        "1001:1\tload jsonStr.`data` where k='v' as t",
        "1002:1\tselect a from t as u",
        "1003:1\tsave overwrite u as parquet.`/tmp/u` partitionBy a",
        "1004:1\t!python conf \"dataMode=data\"",
        "1005:1\trun command as Ray.`` where inputTable='u' and code=''' x=1 '''... [3 lines, 11 chars] as out",
        "1008:1\tdrop table x",
    ]


def test_error_at_end_of_input_points_after_the_last_word():
    error = syntax_error("load csv.`p` as\n\n  -- trailing comment\n")
    assert error.message == "expected a table name after 'as', found end of input"
    assert (error.span.line, error.span.col) == (1, 16)
    assert error.detail == "load csv.`p` as\n               ^"
