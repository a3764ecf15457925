"""The ETs JsonExpandExt, SyntaxAnalyzeExt, EmptyTable, EmptyTableWithSchema, TableRepartition,
UniqueIdentifier and CacheExt, with the examples of Byzer's documentation (byzer-doc zh-cn/extension/et,
ml/eda/UniqueIdentifier.md, and the ETs' codeExample) run verbatim; and `!show et/params/NAME`."""
import json

import pyarrow as pa
import pytest

from byzer_kernel.engine.commands_tables import recorded_partitions
from byzer_kernel.lang.errors import ByzerError, ByzerRuntimeError, UsageError

DATA = '''set jsonStr = \'\'\'
{"id":0,"parentId":null}
{"id":1,"parentId":null}
{"id":2,"parentId":1}
{"id":3,"parentId":3}
{"id":7,"parentId":0}
{"id":199,"parentId":1}
{"id":200,"parentId":199}
{"id":201,"parentId":199}
\'\'\';

load jsonStr.`jsonStr` as data;
'''


def test_json_expand_doc_example_1_flat(session):
    table = session.execute('''SELECT '{"name":"Michael"}' AS col_1
UNION ALL
SELECT '{"name":"Andy", "age":30}' AS col_1 AS table_1;

run table_1 as JsonExpandExt.`` where inputCol="col_1" AND samplingRatio = "1.0" as table_2;''').table
    # Spark infers the fields in name order; json_tuple gives strings
    assert table.schema == pa.schema([("age", pa.string()), ("name", pa.string())])
    assert table.to_pylist() == [{"age": None, "name": "Michael"}, {"age": "30", "name": "Andy"}]


def test_json_expand_doc_example_2_nested_twice(session):
    table = session.execute('''SELECT '{"name":"Michael", "address":{"city":"hangzhou", "district":"xihu"} } ' AS col_1 AS table_1;
run table_1 as JsonExpandExt.`` where inputCol="col_1" AND samplingRatio = "1.0" as table_2;
run table_2 AS JsonExpandExt.`` WHERE inputCol="address" AS table_3;''').table
    assert table.to_pylist() == [{"name": "Michael", "city": "hangzhou", "district": "xihu"}]
    assert session.table("table_2").to_pylist() == [
        {"address": '{"city":"hangzhou","district":"xihu"}', "name": "Michael"}]


def test_json_expand_code_example(session):
    table = session.execute('''SELECT '{"city": "hangzhou", "country":"China"}' AS col_1 AS table_1;
run table_1 as JsonExpandExt.`` where inputCol="col_1" AND samplingRatio = "0.5" as A2;''').table
    # one row and ratio 0.5: the seeded sample keeps it, as the codeExample's output shows
    assert table.to_pylist() == [{"city": "hangzhou", "country": "China"}]


def test_json_expand_keeps_other_columns_and_json_tuple_text(session):
    table = session.execute('''select 7 as k, '{"a":1.50,"b":1e3,"c":true,"d":[1, 2],"e":null}' as j as t;
run t as JsonExpandExt.`` where inputCol="j" as o;''').table
    assert table.to_pylist() == [{"k": 7, "a": "1.5", "b": "1000.0", "c": "true", "d": "[1,2]", "e": None}]


def test_json_expand_struct_column(session):
    table = session.execute('''select 1 as k, '{"b":2,"a":{"x":"y"}}' as j as t;
run t as JsonExpandExt.`` where inputCol="j" and structColumn="true" as o;''').table
    assert table.column_names == ["k", "j"]
    assert table.to_pylist() == [{"k": 1, "j": {"a": {"x": "y"}, "b": 2}}]


def test_json_expand_corrupt_cell_and_bad_params(session):
    session.execute('''select '{"a":1}' as j union all select 'oops' as j as t;''')
    with pytest.raises(ByzerRuntimeError, match=r"Corrupted JSON in column j"):
        session.execute('select 1 as kept as kept;\nrun t as JsonExpandExt.`` where inputCol="j" as o;')
    assert "kept" in session.catalog and "o" not in session.catalog
    with pytest.raises(UsageError, match=r"line 1:1 .*samplingRatio \(0.0\) should be greater than 0"):
        session.execute('run t as JsonExpandExt.`` where inputCol="j" and samplingRatio="0" as o;')
    with pytest.raises(UsageError, match=r"JsonExpandExt has no parameter `inputcolumn`"):
        session.execute('run t as JsonExpandExt.`` where inputcolumn="j" as o;')
    with pytest.raises(UsageError, match=r"needs the parameter `inputCol`"):
        session.execute('run t as JsonExpandExt.`` as o;')
    with pytest.raises(UsageError, match=r"inputCol `nope` is not a column"):
        session.execute('run t as JsonExpandExt.`` where inputCol="nope" as o;')


def test_json_expand_null_cell_is_corrupt_as_in_spark(session):
    session.execute("select cast(null as string) as j union all select '{\"a\":1}' as j as t;")
    with pytest.raises(ByzerRuntimeError, match="Corrupted JSON in column j"):
        session.execute('run t as JsonExpandExt.`` where inputCol="j" as o;')


def test_syntax_analyze_doc_example(session):
    table = session.execute(''' select "stub" as table1;
 
 select "stub" as table2;

 run command as SyntaxAnalyzeExt.`` where
 action = "extractTables" and sql=\'\'\'
 select * from (select * from table1 as c) as d left join table2 as e on d.id=e.id
 \'\'\' as extractedTables;

 select * from extractedTables as output;''').table
    assert table.to_pylist() == [{"tableName": "table1"}, {"tableName": "table2"}]


def test_syntax_analyze_sql_from_a_variable_and_default_action(session):
    table = session.execute('''select "test" as col1 as table1;

set test_sql = \'\'\'select * from table1 as output\'\'\';
 
run command as SyntaxAnalyzeExt.`` where
action = "extractTables" and sql="${test_sql}" as extractedTables;
 
select * from extractedTables as output1;''').table
    assert table.to_pylist() == [{"tableName": "table1"}]
    table = session.execute("run command as SyntaxAnalyzeExt.`` where sql='''with x as (select * from db.t1) "
                            "select * from x join t2 on x.a = t2.a;''' as o;").table
    assert table.column("tableName").to_pylist() == ["t1", "x", "t2"]
    assert session.execute('run command as SyntaxAnalyzeExt.`` where sql="" as o;').table.num_columns == 0
    with pytest.raises(UsageError, match="action"):
        session.execute('run command as SyntaxAnalyzeExt.`` where action="extractColumns" and sql="select 1" as o;')
    with pytest.raises(UsageError, match="does not parse"):
        session.execute('run command as SyntaxAnalyzeExt.`` where sql="select from from where" as o;')


def test_empty_table_and_with_schema(session):
    session.execute("select 1 as a as t;")
    empty = session.execute("run t as EmptyTable.`` as e;").table
    assert empty.num_columns == 0 and empty.num_rows == 0
    table = session.execute('run command as EmptyTableWithSchema.`` where schema="id long, name string" as e2;').table
    assert table.num_rows == 0 and table.schema == pa.schema([("id", pa.int64()), ("name", pa.string())])
    simple = session.execute('run command as EmptyTableWithSchema.`` where '
                             'schema="st(field(a,string),field(b,integer))" as e3;').table
    assert simple.schema == pa.schema([("a", pa.string()), ("b", pa.int32())])
    assert session.execute('run command as EmptyTableWithSchema.`` where schema="file" as e4;').table.column_names == [
        "start", "offset", "value"]
    with pytest.raises(UsageError, match="needs the parameter `schema`"):
        session.execute("run command as EmptyTableWithSchema.`` as e5;")


def test_table_repartition_doc_example_1(session):
    # TableRepartition.scala's codeExample; byzer-doc writes partitionNum=2 unquoted, which Byzer's
    # grammar (an option value is a STRING or BLOCK_STRING) and this parser refuse
    table = session.execute(DATA + '''run data as TableRepartition.`` where partitionNum="2"
as newdata;''').table
    assert recorded_partitions(table) == 2
    assert [b.num_rows for b in table.to_batches()] == [4, 4]
    assert table.column("id").to_pylist() == [0, 1, 2, 3, 7, 199, 200, 201]


def test_table_repartition_doc_example_range(session):
    table = session.execute(DATA + '''run data as TableRepartition.`` where partitionNum="3" and partitionType="range" and partitionCols="id" as simpleData;''').table
    pieces = [b.column(b.schema.get_field_index("id")).to_pylist() for b in table.to_batches()]
    # Byzer's documented result: partitions (min, max, count) (0, 2, 3), (3, 199, 3), (200, 201, 2)
    assert [(min(p), max(p), len(p)) for p in pieces] == [(0, 2, 3), (3, 199, 3), (200, 201, 2)]
    assert recorded_partitions(table) == 3


def test_table_repartition_hash_by_columns_uses_sparks_hash(session):
    table = session.execute(DATA + 'run data as TableRepartition.`` where partitionNum="3" and partitionType="hash" '
                            'and partitionCols="id" as h;').table
    assert recorded_partitions(table) == 3 and table.num_rows == 8
    expected = session.execute("select id, pmod(hash(id), 3) as p from data as ps;").table.to_pylist()
    pieces = [b.column(b.schema.get_field_index("id")).to_pylist() for b in table.to_batches()]
    for index, piece in enumerate(pieces):
        assert piece == [row["id"] for row in expected if row["p"] == index]
    with pytest.raises(UsageError, match="At least one partition-by expression"):
        session.execute('run data as TableRepartition.`` where partitionNum="3" and partitionType="range" as r;')
    with pytest.raises(UsageError, match="needs the parameter `partitionNum`"):
        session.execute("run data as TableRepartition.`` as r;")
    with pytest.raises(UsageError, match="partitionType.*invalid value `round`"):
        session.execute('run data as TableRepartition.`` where partitionNum="2" and partitionType="round" as r;')


def test_unique_identifier_code_example_replace(session):
    table = session.execute('''set abc=\'\'\'
{"name": "elena", "age": 57, "phone": 15552231521, "income": 433000, "label": 0}
{"name": "candy", "age": 67, "phone": 15552231521, "income": 1200, "label": 0}
{"name": "bob", "age": 57, "phone": 15252211521, "income": 89000, "label": 0}
{"name": "candy", "age": 25, "phone": 15552211522, "income": 36000, "label": 1}
{"name": "candy", "age": 31, "phone": 15552211521, "income": 300000, "label": 1}
{"name": "finn", "age": 23, "phone": 15552211521, "income": 238000, "label": 1}
\'\'\';

load jsonStr.`abc` as table1;
select age, income from table1 as table2;
run table2 as UniqueIdentifier.`` where source="replace" and columnName="income" as uniqueIdentifier;''').table
    assert table.column_names == ["age", "income"]
    assert table.column("age").to_pylist() == [57, 67, 57, 25, 31, 23]
    assert table.column("income").to_pylist() == [1, 2, 3, 4, 5, 6]


def test_unique_identifier_new_column_first_and_infer_schema(session):
    session.execute("select 'aaa' as a, 'bbb' as b union all select 'aaa' as a, 'bbb' as b as t;")
    table = session.execute("run t as UniqueIdentifier.`` as u;").table
    assert table.to_pylist() == [{"Unique_ID": 1, "a": "aaa", "b": "bbb"}, {"Unique_ID": 2, "a": "aaa", "b": "bbb"}]
    assert table.schema.field("Unique_ID").type == pa.int64()
    with pytest.raises(UsageError, match="The newly created column name `a` already exists"):
        session.execute('run t as UniqueIdentifier.`` where columnName="a" as u;')
    with pytest.raises(UsageError, match="Illegal source parameter: old"):
        session.execute('run t as UniqueIdentifier.`` where source="old" as u;')
    schema = session.execute('''run t as UniqueIdentifier.`` where source="new" and columnName="income1" and mode="inferSchema" and inputSchema=\'\'\'{"age":"bigint", "income":"bigint"}\'\'\' as s;''').table
    assert schema.to_pylist() == [{"col_name": "income1", "data_type": "bigint"},
                                  {"col_name": "age", "data_type": "bigint"},
                                  {"col_name": "income", "data_type": "bigint"}]


def test_cache_ext_doc_example_says_what_it_does(session):
    messages = []

    class Collect:
        def __getattr__(self, name):
            return lambda *args, **kwargs: None

        def message(self, text):
            messages.append(text)

    table = session.execute('''select 1 as a as table1;
run table1 as CacheExt.`` where execute="cache" and lifeTime="script";
select * from table1 as output;''', Collect()).table
    assert table.to_pylist() == [{"a": 1}]
    assert any("CacheExt cache table1: nothing to do locally" in m for m in messages)
    session.execute('run table1 as CacheExt.`` where execute="uncache";')
    with pytest.raises(UsageError, match="lifeTime"):
        session.execute('run table1 as CacheExt.`` where lifeTime="forever";')


def test_show_et_lists_these_ets_and_their_params(session):
    names = session.execute("!show et;").table.column("name").to_pylist()
    assert {"JsonExpandExt", "SyntaxAnalyzeExt", "EmptyTable", "EmptyTableWithSchema", "TableRepartition",
            "UniqueIdentifier", "CacheExt"} <= set(names)
    params = session.execute('!show "et/params/JsonExpandExt";').table
    assert params.column_names == ["param", "description", "value", "extra"]
    rows = {row["param"]: row for row in params.to_pylist()}
    assert list(rows) == ["inputCol", "samplingRatio", "structColumn"]
    assert rows["samplingRatio"]["value"] == "(default: 1.0)" and rows["inputCol"]["value"] == "(undefined)"
    extra = json.loads(rows["inputCol"]["extra"])
    assert extra["extra"]["options"]["required"] == "true" and extra["extra"]["doc"] == "Json column to be expanded"
    assert session.execute("!show et params TableRepartition;").table.column("param").to_pylist() == [
        "partitionNum", "partitionType", "partitionCols", "shuffle"]
    example = session.execute('!show "et/SyntaxAnalyzeExt";').table.to_pylist()
    assert "extractTables" in {r["name"]: r["value"] for r in example}["codeExample"]
    with pytest.raises(ByzerError, match="no ET named `Nope`"):
        session.execute('!show "et/params/Nope";')
