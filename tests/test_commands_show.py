"""`!show ...`, `!println`, `!emptyTable`, `!lastCommand`, `!cache`/`!unCache`, `!profiler`, `!tableRepartition`:
Byzer's result columns and the local engine's answers."""
import duckdb
import pyarrow as pa
import pytest

import byzer_kernel
from byzer_kernel.engine import Observer
from byzer_kernel.engine.commands_tables import recorded_partitions
from byzer_kernel.engine.formats import known_formats
from byzer_kernel.engine.sparksql import FUNCTIONS
from byzer_kernel.engine.sparksql.engine_errors import spark_function_names
from byzer_kernel.lang.errors import ByzerError, ByzerRuntimeError, UnsupportedStatementError, UsageError
from byzer_kernel.runtime.partitions import partition_count, split_table


def test_show_commands_lists_the_forms_in_a_command_column(session):
    for text in ("!show;", "!show commands;", "!show help;"):
        table = session.execute(text).table
        assert table.column_names == ["command"]
        assert "!show jobs;" in table.column("command").to_pylist()


def test_show_version_has_byzers_version_columns(session):
    table = session.execute("!show version;").table
    assert table.column_names == ["version", "buildBy", "date", "srcChecksum", "revision", "branch", "url", "core"]
    row = table.to_pylist()[0]
    assert row["version"] == byzer_kernel.__version__ and f"duckdb {duckdb.__version__}" in row["core"]


def test_show_functions_lists_spark_and_registry_functions_sorted(session):
    names = session.execute("!show functions;").table.column("function").to_pylist()
    assert names == sorted(set(spark_function_names()) | set(FUNCTIONS))
    assert {"upper", "from_json", "to_json"} <= set(names)


def test_show_functions_lists_the_sessions_registered_functions(session):
    session.execute('register ScriptUDF.`` as echoFun where lang="python" and udfType="udf" '
                    "and code='''def apply(self, m):\n    return m''' and dataType=\"string\";")
    assert "echoFun" in session.execute("!show functions;").table.column("function").to_pylist()
    described = session.execute("!show function/echoFun;").table.column(0).to_pylist()
    assert described[0] == "Function: echoFun" and "register ScriptUDF" in described[1]


def test_show_function_describes_one_in_sparks_column(session):
    known = session.execute('!show "function/to_json";').table
    assert known.column_names == ["function_desc"]
    assert known.column(0).to_pylist()[0] == "Function: to_json"
    missing = session.execute("!show function no_such_fn;").table
    assert missing.column(0).to_pylist() == ["Function: no_such_fn not found."]


def test_show_datasources_lists_the_formats(session):
    table = session.execute("!show datasources;").table
    assert table.column_names == ["name"] and table.column("name").to_pylist() == known_formats()


def test_show_et_lists_the_sessions_ets_with_modellist_columns(session):
    def Sample(session, request, events):  # noqa: N802 (an ET's name)
        """Adds nothing; a sample ET."""

    Sample.alg_type = "feature engineer"
    session.ets["Sample"] = Sample
    session.ets["Another"] = lambda s, r, e: None
    table = session.execute("!show et;").table
    assert table.column_names == ["name", "algType", "sparkCompatibility", "doc", "docType"]
    rows = [row for row in table.to_pylist() if row["name"] in ("Another", "Sample")]  # and the built-in ETs
    assert rows[1] == {"name": "Sample", "algType": "feature engineer", "sparkCompatibility": "",
                       "doc": "Adds nothing; a sample ET.", "docType": "text"}
    assert table.column("name").to_pylist() == sorted(session.ets)
    example = session.execute("!show et sample;").table  # !show "et/Sample" alike: the first letter capitalised
    assert dict(zip(*[example.column(c).to_pylist() for c in ("name", "value")]))["name"] == "sample"
    with pytest.raises(UsageError, match=r"no ET named `Nope` \(ETs: Another, .*Sample"):
        session.execute('!show "et/Nope";')


def test_show_conf_lists_home_owner_and_settings_with_secrets_masked(session):
    session.execute('set spark.sql.shuffle.partitions="4" where type="conf";\n'
                    '!python conf "rayAuthToken=tok-1";')
    table = session.execute("!show conf;").table
    assert table.column_names == ["name", "value", "doc"]
    values = dict(zip(table.column("name").to_pylist(), table.column("value").to_pylist()))
    assert values["BYZER_HOME"] == str(session.home) and values["spark.sql.shuffle.partitions"] == "4"
    assert values["rayAuthToken"] == "***"
    assert session.execute('!show "conf/list";').table.equals(table)


def test_show_tables_has_sparks_columns_and_sizes(session):
    session.execute("select 1 as a as t1; !show tables named listing;")
    listing = session.table("listing")
    assert listing.to_pylist() == [{"namespace": "", "tableName": "t1", "isTemporary": True,
                                    "numRows": 1, "numColumns": 1}]
    with pytest.raises(UnsupportedStatementError, match="no databases"):
        session.execute("!show tables from db1;")


def test_show_of_something_unknown_names_the_statement(session):
    with pytest.raises(UnsupportedStatementError, match=r"line 2:1 .*!show resource .*!show commands"):
        session.execute("select 1 as a as kept;\n!show resource;")
    assert "kept" in session.catalog


def test_println_is_a_message_and_leaves_no_table(session):
    result = session.execute("set who='''world''';\n!println '''hello ${who}''';")
    assert result.messages == ["hello world"] and result.table is None


def test_empty_table_makes_the_result_empty(session):
    result = session.execute("select 1 as a as t;\n!emptyTable;")
    assert result.table.num_rows == 0 and result.table.num_columns == 0


def test_last_command_names_the_previous_commands_table(session):
    # Byzer's example: !hdfs /tmp; !last named hdfsTmpTable; select * from hdfsTmpTable;
    result = session.execute("!show datasources;\n!lastCommand named sources;\nselect count(*) as n from sources as c;")
    assert result.table.to_pylist() == [{"n": len(known_formats())}]
    # At the start of a cell: the previous cell's last table.
    session.execute("!show version;")
    assert session.execute("!lastCommand named v;").table.column_names[0] == "version"


def test_last_command_without_a_previous_table_is_byzers_error(session):
    with pytest.raises(ByzerRuntimeError, match=r"line 1:1 .*no table found in previous command"):
        session.execute("!lastCommand named t;")
    with pytest.raises(UsageError, match="usage: !lastCommand named TABLE"):
        session.execute("!lastCommand t;")


def test_cache_and_uncache_are_accepted_and_say_what_they_do(session):
    session.execute("select 1 as a as t;")
    cached = session.execute("!cache t script;")
    assert cached.table_name == "t" and "already in memory" in cached.messages[0]
    for text in ("!unCache t;", "!uncache t;"):
        assert "nothing to release" in session.execute(text).messages[0]
    with pytest.raises(UsageError, match="script, session or application"):
        session.execute("!cache t forever;")
    with pytest.raises(ByzerError, match="table `nope` does not exist"):
        session.execute("!cache nope;")


def test_profiler_sql_runs_through_the_select_layer(session):
    session.execute("select 1 as a union all select 2 as a as t;")
    table = session.execute("!profiler sql '''select sum(a) as s, upper('x') as u from t''';").table
    assert table.to_pylist() == [{"s": 3, "u": "X"}]
    assert table.equals(session.sql("select sum(a) as s, upper('x') as u from t"))


def test_profiler_explain_gives_duckdbs_plan_of_the_translation(session):
    session.execute("select 1 as a union all select 2 as a as t;")
    table = session.execute("!profiler explain '''select a + 1 as b from t where a > 1''';").table
    assert table.column_names == ["name", "info"]
    rows = dict(zip(table.column("name").to_pylist(), table.column("info").to_pylist()))
    assert "Filter" in rows["doc"] and "a > 1" in rows["doc"]
    assert rows["duckdb_sql"].startswith("SELECT") and "FROM t" in rows["duckdb_sql"]
    by_name = session.execute("!profiler explain t;").table  # a table name explains the table
    assert 'FROM "t"' in by_name.column("info").to_pylist()[1]
    with pytest.raises(ByzerRuntimeError, match=r"line 1:1 .*table `nope` does not exist"):
        session.execute("!profiler explain '''select * from nope''';")


def test_profiler_conf_lists_the_conf_items(session):
    session.execute('set a.b="1" where type="conf";')
    assert session.execute("!profiler conf named pc;").table.to_pylist() == [{"name": "a.b", "value": "1"}]
    assert "pc" in session.catalog
    with pytest.raises(UsageError, match="usage: !profiler sql"):
        session.execute("!profiler start;")


def test_table_repartition_records_the_partitions_the_runtime_uses(session):
    session.execute("select id from range(10) as t;")
    result = session.execute("!tableRepartition _ -i t -num 3 -o t3;")
    t3 = session.table("t3")
    assert result.table_name == "t3" and t3.to_pylist() == session.table("t").to_pylist()
    assert recorded_partitions(t3) == 3 and recorded_partitions(session.table("t")) is None
    # What `run command as Ray` cuts: the recorded pieces, whatever the CPU count.
    assert [p.num_rows for p in split_table(t3, partition_count(10, 8))] == [4, 3, 3]
    assert len(split_table(session.table("t"), partition_count(10, 8))) == 8


@pytest.mark.parametrize("text, message", [
    ("!tableRepartition t 3 t3;", "usage: !tableRepartition _ -i TABLE -num N -o OUTPUT"),
    ("!tableRepartition _ -i t -o t3;", "needs -num"),
    ("!tableRepartition _ -i t -num zero -o t3;", "a positive integer; got 'zero'"),
    ("!tableRepartition _ -i nope -num 2 -o t3;", "table `nope` does not exist"),
])
def test_table_repartition_bad_input(session, text, message):
    session.execute("select 1 as a as t;")
    with pytest.raises(ByzerError, match=r"line 2:1 ") as error:
        session.execute("select 2 as b as kept;\n" + text)
    assert message in str(error.value) and "kept" in session.catalog


def test_a_select_over_a_repartitioned_table_is_a_new_table_without_partitions(session):
    session.catalog.register("t", pa.table({"a": list(range(6))}))
    session.execute("!tableRepartition _ -i t -num 2 -o t2; select * from t2 as again;")
    assert recorded_partitions(session.table("again")) is None


class Heard(Observer):
    def __init__(self):
        self.messages = []

    def message(self, text):
        self.messages.append(text)


def test_messages_reach_the_front_end(session):
    heard = Heard()
    session.execute("!println 'one';", heard)
    assert heard.messages == ["one"]


RAY_SERVERS = """
!python conf "schema=st(field(servers,long),field(rows,long))";
run command as Ray.`` where inputTable="{table}" and outputTable="out" and code='''
from pyjava.api.mlsql import RayContext
ray_context = RayContext.connect(globals(), None)
rows = list(ray_context.collect())
context.build_result([{{"servers": len(ray_context.data_servers()), "rows": len(rows)}}])
''';
"""


def test_run_as_ray_serves_one_partition_per_repartitioned_piece(ray_session):
    ray_session.execute("select id from range(10) as data;\n!tableRepartition _ -i data -num 5 -o data5;")
    plain = ray_session.execute(RAY_SERVERS.format(table="data")).table.to_pylist()
    cut = ray_session.execute(RAY_SERVERS.format(table="data5")).table.to_pylist()
    assert plain[0]["servers"] != 5  # one per CPU of the embedded Ray (2)
    assert cut == [{"servers": 5, "rows": 10}]
