"""`register ScriptUDF` with Python (docs/spec.md §11): Byzer's documented examples
(byzer-doc python_udf.md, ScriptUDF's own doc, byzer-lang's UDFSuite) run verbatim, UDAFs in
`group by`, code from `load script` tables, and the failures a user meets."""
import pytest

from byzer_kernel.lang.errors import (PythonCodeError, SchemaError, TableNotFoundError,
                                      UnsupportedStatementError, UsageError)

Q = "'''"  # Byzer's block quotes, kept out of the Python strings below

# byzer-doc byzer-lang/zh-cn/transform/udf/extend_udf/python_udf.md, verbatim
DOC_ECHO = f"""REGISTER ScriptUDF.`` AS echoFun WHERE
and lang="python"
and dataType="map(string,string)"
and code={Q}
def apply(self,m):
    return m
 {Q};"""

# byzer-lang streamingpro-mlsql ScriptUDF.scala's doc and UDFSuite "test python udaf", verbatim
DOC_UDAF = f"""set plusFun={Q}
from org.apache.spark.sql.expressions import MutableAggregationBuffer, UserDefinedAggregateFunction
from org.apache.spark.sql.types import DataTypes,StructType
from org.apache.spark.sql import Row
import java.lang.Long as l
import java.lang.Integer as i

class SumAggregation:

    def inputSchema(self):
        return StructType().add("a", DataTypes.LongType)

    def bufferSchema(self):
        return StructType().add("total", DataTypes.LongType)

    def dataType(self):
        return DataTypes.LongType

    def deterministic(self):
        return True

    def initialize(self,buffer):
        return buffer.update(i(0), l(0))

    def update(self,buffer, input):
        sum = buffer.getLong(i(0))
        newitem = input.getLong(i(0))
        buffer.update(i(0), l(sum + newitem))

    def merge(self,buffer1, buffer2):
        buffer1.update(i(0), l(buffer1.getLong(i(0)) + buffer2.getLong(i(0))))

    def evaluate(self,buffer):
        return buffer.getLong(i(0))
{Q};


--加载脚本
load script.`plusFun` as scriptTable;
--注册为UDF函数 名称为plusFun
register ScriptUDF.`scriptTable` as plusFun options
className="SumAggregation"
and udfType="udaf"
and lang="python"
;

set data={Q}
{{"a":1}}
{{"a":1}}
{{"a":1}}
{{"a":1}}
{Q};
load jsonStr.`data` as dataTable;

-- 使用plusFun
select a,plusFun(a) as res from dataTable group by a as output;"""


def register(name, code, data_type="string", **options):
    extra = "".join(f' and {key}="{value}"' for key, value in options.items())
    return (f'register ScriptUDF.`` as {name} where lang="python" and dataType="{data_type}"{extra} '
            f"and code={Q}\n{code}\n{Q};")


def rows(session, text):
    return session.execute(text).table.to_pylist()


def test_python_udf_doc_example_verbatim(session):
    assert session.execute(DOC_ECHO).table is None
    result = session.execute('SELECT echoFun(map("a","b")) AS res;')
    # `AS res` names the table; Spark names the column of a ScalaUDF without udfName `UDF(...)`
    assert result.table_name == "res"
    assert result.table.to_pylist() == [{"UDF(map(a, b))": [("a", "b")]}]


def test_udf_from_a_load_script_table_with_method_name(session):
    # UDFSuite "python udf", verbatim
    table = rows(session, f"""
set plusFun={Q}
def plusFun(self,a,b,c,d,e,f):
    return a+b+c+d+e+f
{Q};

--加载脚本
load script.`plusFun` as scriptTable;
--注册为UDF函数 名称为plusFun
register ScriptUDF.`scriptTable` as plusFun options
and methodName="plusFun"
and lang="python"
and dataType="integer"
;
set data={Q}
{{"a":1}}
{{"a":1}}
{{"a":1}}
{{"a":1}}
{Q};
load jsonStr.`data` as dataTable;
-- 使用plusFun
select plusFun(1, 2, 3, 4, 5, 6) as res from dataTable as output;""")
    assert table == [{"res": 21}] * 4
    assert rows(session, "select * from scriptTable as t;")[0]["content"].strip().startswith("def plusFun")


def test_udf_map_result_of_a_string_column_and_imports_inside_the_function(session):
    # UDFSuite "test python script map return type" and "test python script import", verbatim
    table = rows(session, f"""
set dictFun={Q}

def apply(self,m):
    dict = {{m: m}}
    return dict
{Q};

load script.`dictFun` as scriptTable;
register ScriptUDF.`scriptTable` as dictFun options
and lang="python"
and dataType="map(string,string)"
;
set data={Q}
{{"a":"1"}}
{{"a":"2"}}
{{"a":"3"}}
{{"a":"4"}}
{Q};
load jsonStr.`data` as dataTable;
select dictFun(a) as res from dataTable as output;""")
    assert [dict(row["res"]) for row in table] == [{"1": "1"}, {"2": "2"}, {"3": "3"}, {"4": "4"}]
    assert rows(session, f"""
set jsonFun={Q}

def apply(self,m):
    import json
    d = json.loads(m)
    return d['key']
{Q};

load script.`jsonFun` as scriptTable;
register ScriptUDF.`scriptTable` as jsonFun options
and lang="python"
and dataType="string"
;
select jsonFun("{{\\"key\\": \\"value\\"}}") as res as output;""") == [{"res": "value"}]


def test_doc_trick_code_in_the_register_statement(session):
    # ScriptUDF.scala's doc, "Some tricks", verbatim
    session.execute(f"""register ScriptUDF.`` as count_board options lang="python"
    and methodName="apply"
    and dataType="map(string,integer)"
    and code={Q}
def apply(self, s):
    from collections import Counter
    return dict(Counter(s))
    {Q}
;""")
    assert dict(rows(session, "select count_board('abca') as c as t;")[0]["c"]) == {"a": 2, "b": 1, "c": 1}


def test_udf_in_where_group_by_nested_calls_and_later_cells(session):
    session.execute("select 1 as a, 'x' as s union all select 2, 'y' union all select 3, null as t;")
    session.execute(register("tag", "def apply(self, s):\n    return None if s is None else '<' + s + '>'"))
    session.execute(register("half", "def apply(self, a):\n    return a / 2.0", "double"))
    assert rows(session, "select a, tag(s) as t from t where half(a) > 0.5 order by a as o;") == [
        {"a": 2, "t": "<y>"}, {"a": 3, "t": None}]
    assert rows(session, "select upper(TAG(s)) as u, count(*) as n from t group by upper(tag(s)) "
                         "order by u as o;") == [
        {"u": None, "n": 1}, {"u": "<X>", "n": 1}, {"u": "<Y>", "n": 1}]
    assert rows(session, "select sum(half(a)) as h from (select a from t) x as o;") == [{"h": 3.0}]


def test_register_again_replaces_the_function(session):
    session.execute(register("f", "def apply(self, a):\n    return a + 1", "long"))
    assert rows(session, "select f(1) as r as o;") == [{"r": 2}]
    session.execute(register("f", "def apply(self, a, b):\n    return a * b", "long"))
    assert rows(session, "select f(3, 4) as r as o;") == [{"r": 12}]


def test_a_registered_name_wins_over_a_spark_function_of_that_name(session):
    session.execute(register("concat_ws", "def apply(self, a):\n    return '[' + a + ']'"))
    assert rows(session, "select concat_ws('x') as c as o;") == [{"c": "[x]"}]


def test_udf_results_of_declared_types(session):
    session.execute(register("parts", "def apply(self, s):\n    return [len(s), s.count('a')]",
                             "array(long)"))
    session.execute(register("info", "def apply(self, s):\n    return {'n': s, 'k': len(s)}",
                             "st(field(n,string),field(k,integer))"))
    session.execute(register("nothing", "def apply(self):\n    return 7", "short"))
    assert rows(session, "select parts('banana') as p, info('ab') as i, nothing() as z as o;") == [
        {"p": [6, 3], "i": {"n": "ab", "k": 2}, "z": 7}]


def test_udaf_doc_example_verbatim_in_group_by(session):
    result = session.execute(DOC_UDAF)
    assert result.table_name == "output" and result.table.to_pylist() == [{"a": 1, "res": 4}]
    # unaliased, over no rows (evaluate of the initialized buffer), and over a window
    assert rows(session, "select plusFun(a) from dataTable as o;") == [{"plusFun(a)": 4}]
    assert rows(session, "select plusFun(a) as s from dataTable where a > 5 as o;") == [{"s": 0}]
    assert rows(session, "select a, plusFun(a) over (partition by a) as s from dataTable as o;") == [
        {"a": 1, "s": 4}] * 4


UDAF_JOIN = """from org.apache.spark.sql.types import DataTypes, StructType
class Join:
    def inputSchema(self):
        return StructType().add("s", DataTypes.StringType).add("v", DataTypes.DoubleType)
    def bufferSchema(self):
        return StructType().add("parts", DataTypes.createArrayType(DataTypes.StringType))
    def dataType(self):
        return DataTypes.StringType
    def deterministic(self):
        return True
    def initialize(self, buffer):
        buffer.update(0, [])
    def update(self, buffer, input):
        buffer.update(0, buffer.get(0) + ["%s=%s" % (input.getString(0), input.get(1))])
    def merge(self, buffer1, buffer2):
        buffer1.update(0, buffer1.get(0) + buffer2.get(0))
    def evaluate(self, buffer):
        return ",".join(sorted(buffer.get(0)))"""


def test_udaf_with_two_inputs_cast_to_its_input_schema(session):
    session.execute("select 1 as k, 'x' as s, 2 as v union all select 1, 'y', 1 "
                    "union all select 2, null, 3 as t;")
    session.execute(f'register ScriptUDF.`` as joined options className="Join" and udfType="udaf" '
                    f'and lang="python" and code={Q}{UDAF_JOIN}{Q};')
    # v is an int column: Spark casts it to the inputSchema's double
    assert rows(session, "select k, joined(s, v) as j from t group by k order by k as o;") == [
        {"k": 1, "j": "x=2.0,y=1.0"}, {"k": 2, "j": "None=3.0"}]


def test_udf_raising_names_the_function_and_its_line_and_keeps_earlier_tables(session):
    session.execute(register("inverse", "def apply(self, a):\n    b = a - 1\n    return 1 // b", "long"))
    with pytest.raises(PythonCodeError) as caught:
        session.execute("select 1 as a as keep;\nselect inverse(a) as r from keep as broken;")
    error = caught.value
    assert (error.span.line, error.span.col) == (2, 1)
    assert "function `inverse` failed at line 4 of its code" in error.message  # the code starts with \n
    assert "ZeroDivisionError" in error.message and "return 1 // b" in error.detail
    assert "keep" in session.catalog and "broken" not in session.catalog
    assert rows(session, "select inverse(3) as r as o;") == [{"r": 0}]  # the session goes on


def test_udaf_raising_names_its_line(session):
    code = UDAF_JOIN.replace('["%s=%s" % (input.getString(0), input.get(1))]', "input.getLong(0)")
    session.execute(f'register ScriptUDF.`` as broken options className="Join" and udfType="udaf" '
                    f'and lang="python" and code={Q}{code}{Q};')
    with pytest.raises(PythonCodeError, match=r"function `broken` failed at line 14 of its code while "
                                              r"aggregating a group: NullPointerException: Value at index 0 "
                                              r"is null"):  # Spark's Row.getLong of a NULL
        session.execute("select broken(cast(null as string), 1) as b as o;")


def test_udf_returning_a_value_not_of_its_data_type(session):
    # Byzer hands the value to Spark as the dataType's Java class: a ClassCastException there
    session.execute(register("counted", "def apply(self, a):\n    return 'many'", "integer"))
    with pytest.raises(PythonCodeError, match=r"function `counted` returned 'many' \(str\), which is not a "
                                              r"value of its dataType integer"):
        session.execute("select counted(1) as c as o;")


def test_code_that_does_not_compile_names_the_register_statement_and_code_line(session):
    with pytest.raises(PythonCodeError) as caught:
        session.execute("select 1 as a as t;\n" + register("f", "def apply(self, a):\n    print a"))
    error = caught.value
    assert (error.span.line, error.span.col) == (2, 1) and error.statement_text.startswith("register")
    assert "the Python code of `f` does not compile" in error.message
    assert "line 3 of the code" in error.message
    assert "print a" in error.detail


@pytest.mark.parametrize("lang, default", [('lang="scala"', False), ('lang="java"', False), ("", True)])
def test_jvm_languages_are_one_clear_error(session, lang, default):
    where = f"where {lang} and code='''def apply(a:Double)=a'''" if lang else \
        "where code='''def apply(a:Double)=a'''"
    with pytest.raises(UnsupportedStatementError,
                       match="a JVM compiler is not part of the local engine") as e:
        session.execute(f"register ScriptUDF.`` as f {where};")
    assert ("lang defaults to scala" in e.value.message) is default


@pytest.mark.parametrize("statement, error, words", [
    (register("f", "def apply(self): return 1", data_type=""), UsageError, "needs its result type"),
    (register("f", "def apply(self): return 1", data_type="intt"), SchemaError, "unknown type `intt`"),
    (register("f", "def apply(self): return 1", udfType="function"), UsageError, "udfType given invalid"),
    (register("f", "def other(self): return 1"), UsageError, "defines no function `apply`"),
    (register("f", "class X:\n    pass", className="Y"), UsageError, "defines no class `Y`"),
    (register("f", "x = 1", udfType="udaf"), UsageError, "needs className"),
    (register("f", "class X:\n    def update(self, b, i): pass", udfType="udaf", className="X"),
     UsageError, "lacks inputSchema, bufferSchema, dataType, initialize, merge, evaluate"),
    (register("upper", "def apply(self, s): return s"), UsageError, "choose another name"),
    (register("f", "import no_such_module_here\ndef apply(self): return 1"), PythonCodeError,
     "failed at line 2 of its code while running the code: ModuleNotFoundError"),
    ('register ScriptUDF.`` as f where lang="python" and dataType="string";', UsageError,
     "needs the function's code"),
    ('register ScriptUDF.`missing` as f where lang="python";', TableNotFoundError,
     "`missing` does not exist"),
    ('register ScriptUDF.`` as f where lang="ruby";', UsageError, "lang given invalid value `ruby`"),
    ("register WaterMarkInPlace.`` as f;", UnsupportedStatementError, "ScriptUDF functions only"),
])
def test_bad_register_statements(session, statement, error, words):
    with pytest.raises(error) as caught:
        session.execute(statement)
    assert words in caught.value.message and caught.value.span.line == 1


def test_wrong_number_of_arguments(session):
    session.execute(register("one", "def apply(self, a): return a"))
    with pytest.raises(Exception, match=r"Invalid number of arguments for function one\. Expected: 1; "
                                        r"Found: 2 \(at 1:8 of the SQL\)"):
        session.execute("select one('a', 'b') as r as o;")
