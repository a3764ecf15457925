"""Python UDAFs of `register ScriptUDF ... udfType="udaf"`, run as Byzer runs them.

Byzer (PythonRuntimeCompileUDAF) runs the code in Jython: the class named by `className` is a
Spark UserDefinedAggregateFunction written against Spark's Java API, e.g.

    from org.apache.spark.sql.types import DataTypes, StructType
    import java.lang.Long as l
    class SumAggregation:
        def inputSchema(self): return StructType().add("a", DataTypes.LongType)
        def bufferSchema(self): return StructType().add("total", DataTypes.LongType)
        def dataType(self): return DataTypes.LongType
        def deterministic(self): return True
        def initialize(self, buffer): buffer.update(0, l(0))
        def update(self, buffer, input): buffer.update(0, l(buffer.getLong(0) + input.getLong(0)))
        def merge(self, buffer1, buffer2): buffer1.update(0, l(buffer1.getLong(0) + buffer2.getLong(0)))
        def evaluate(self, buffer): return buffer.getLong(0)

The local engine runs that code in CPython: the Java names it imports (`org.apache.spark.sql...`,
`java.lang...`) resolve to the small stand-ins below, which behave as the Java API does for
what such code calls (Row getters, MutableAggregationBuffer.update, DataTypes, StructType.add,
boxing with java.lang.Long(x)). One group runs as one Spark partition does: a buffer is
initialized and updated with every row, then merged into a fresh initialized buffer, and that
one is evaluated.
"""
from __future__ import annotations

import builtins
import types

import pyarrow as pa

UDAF_METHODS = ("inputSchema", "bufferSchema", "dataType", "initialize", "update", "merge", "evaluate")


class SparkType:
    """A Spark DataType as the UDAF's code sees it: Spark's name and the Arrow type it becomes."""

    def __init__(self, spark_name: str, arrow: pa.DataType):
        self.spark_name, self.arrow = spark_name, arrow

    def __repr__(self) -> str:
        return self.spark_name


class StructField:
    def __init__(self, name, dataType, nullable=True, metadata=None):
        self.name, self.dataType, self.nullable = str(name), dataType, bool(nullable)


class StructType(SparkType):
    """Spark's StructType: `add` returns a new struct with the field appended, as in Spark."""

    def __init__(self, fields=()):
        self.fields = list(fields)
        super().__init__(
            "struct<" + ",".join(f"{f.name}:{_spark(f.dataType).spark_name}" for f in self.fields) + ">",
            pa.struct([(f.name, _spark(f.dataType).arrow) for f in self.fields]))

    def add(self, name, dataType, nullable=True, metadata=None):
        return StructType(self.fields + [StructField(name, dataType, nullable)])

    def size(self) -> int:
        return len(self.fields)

    def __iter__(self):
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)


def _spark(data_type) -> SparkType:
    if not isinstance(data_type, SparkType):
        raise TypeError(f"expected a Spark DataType (e.g. DataTypes.LongType), got {data_type!r}")
    return data_type


def _decimal(precision=10, scale=0) -> SparkType:
    return SparkType(f"decimal({precision},{scale})", pa.decimal128(precision, scale))


DataTypes = types.SimpleNamespace(
    StringType=SparkType("string", pa.string()), BinaryType=SparkType("binary", pa.binary()),
    BooleanType=SparkType("boolean", pa.bool_()), DateType=SparkType("date", pa.date32()),
    TimestampType=SparkType("timestamp", pa.timestamp("us")),
    DoubleType=SparkType("double", pa.float64()), FloatType=SparkType("float", pa.float32()),
    ByteType=SparkType("tinyint", pa.int8()), ShortType=SparkType("smallint", pa.int16()),
    IntegerType=SparkType("int", pa.int32()), LongType=SparkType("bigint", pa.int64()),
    NullType=SparkType("void", pa.null()),
    createArrayType=lambda element, contains_null=True: SparkType(
        f"array<{_spark(element).spark_name}>", pa.list_(element.arrow)),
    createMapType=lambda key, value, value_contains_null=True: SparkType(
        f"map<{_spark(key).spark_name},{_spark(value).spark_name}>", pa.map_(key.arrow, value.arrow)),
    createStructField=lambda name, data_type, nullable=True: StructField(name, data_type, nullable),
    createStructType=lambda fields: StructType(fields),
    createDecimalType=_decimal,
)


class NullPointerException(Exception):
    """What Spark's Row getters of primitive values throw on a NULL."""


class Row:
    """org.apache.spark.sql.Row over a list of values (a group's input row, a merged buffer)."""

    def __init__(self, values):
        self._values = list(values)

    def get(self, i):
        return self._values[int(i)]

    getAs = apply = get
    getString = getDecimal = getDate = getTimestamp = getList = getMap = getStruct = get

    def _primitive(self, i):
        value = self._values[int(i)]
        if value is None:
            raise NullPointerException(f"Value at index {int(i)} is null")
        return value

    getLong = getInt = getShort = getByte = getDouble = getFloat = getBoolean = _primitive

    def isNullAt(self, i) -> bool:
        return self._values[int(i)] is None

    def size(self) -> int:
        return len(self._values)

    length = size

    def __getitem__(self, i):
        return self.get(i)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return "[" + ",".join("null" if v is None else str(v) for v in self._values) + "]"


class MutableAggregationBuffer(Row):
    def update(self, i, value) -> None:
        self._values[int(i)] = value


class UserDefinedAggregateFunction:
    """A base class the code may name; Byzer's Python UDAFs are plain classes with the methods."""


def _boxing(convert):
    return lambda value=0: None if value is None else convert(value)


_JAVA_LANG = types.SimpleNamespace(
    Long=_boxing(int), Integer=_boxing(int), Short=_boxing(int), Byte=_boxing(int),
    Double=_boxing(float), Float=_boxing(float), Boolean=_boxing(bool), String=_boxing(str),
    NullPointerException=NullPointerException)


def _package(name: str, **members) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(members)
    return module


def _java_packages() -> dict:
    """The top-level packages the code may import (`org`, `java`), as module trees."""
    sql_types = _package("org.apache.spark.sql.types", DataTypes=DataTypes, StructType=StructType,
                         StructField=StructField, DataType=SparkType, **{
                             name: value for name, value in vars(DataTypes).items()
                             if isinstance(value, SparkType)})
    expressions = _package("org.apache.spark.sql.expressions",
                           MutableAggregationBuffer=MutableAggregationBuffer,
                           UserDefinedAggregateFunction=UserDefinedAggregateFunction)
    sql = _package("org.apache.spark.sql", Row=Row, types=sql_types, expressions=expressions)
    org = _package("org", apache=_package("org.apache", spark=_package("org.apache.spark", sql=sql)))
    java = _package("java", lang=_package("java.lang", **vars(_JAVA_LANG)))
    return {"org": org, "java": java}


_PACKAGES = _java_packages()


def _java_import(name, globals=None, locals=None, fromlist=(), level=0):
    """`__import__` for the code: Spark's and Java's names from the stand-ins, the rest as usual."""
    top = name.split(".")[0]
    if level == 0 and top in _PACKAGES:
        member = _PACKAGES[top]
        for part in name.split(".")[1:]:
            if not hasattr(member, part):
                raise ImportError(f"No module named {name} (the local engine provides only the parts "
                                  "of Spark's and Java's API that Python UDAFs use)")
            member = getattr(member, part)
        return member if fromlist else _PACKAGES[top]  # `import a.b.c as x` walks from the top
    return builtins.__import__(name, globals, locals, fromlist, level)


def code_globals(module_name: str) -> dict:
    """A fresh namespace for the code of one function, with the Java names importable."""
    return {"__name__": module_name, "__builtins__": {**vars(builtins), "__import__": _java_import}}


class Udaf:
    """One registered UDAF: an instance of the user's class and the types it declares."""

    def __init__(self, instance):
        self.instance = instance
        self.input_schema = _struct(instance.inputSchema(), "inputSchema")
        self.buffer_schema = _struct(instance.bufferSchema(), "bufferSchema")
        self.result_type = _spark(instance.dataType())

    def input_spark_types(self) -> tuple:
        return tuple(field.dataType.spark_name for field in self.input_schema.fields)

    def aggregate(self, rows) -> object:
        """One group: rows are tuples of the inputs, in the order of inputSchema."""
        partial = MutableAggregationBuffer([None] * len(self.buffer_schema))
        self.instance.initialize(partial)
        for row in rows:
            self.instance.update(partial, Row(row))
        final = MutableAggregationBuffer([None] * len(self.buffer_schema))
        self.instance.initialize(final)
        self.instance.merge(final, Row(partial._values))
        return self.instance.evaluate(final)


def _struct(value, method: str) -> StructType:
    if not isinstance(value, StructType):
        raise TypeError(f"{method}() must return a StructType (e.g. StructType().add(\"a\", "
                        f"DataTypes.LongType)), got {value!r}")
    return value
