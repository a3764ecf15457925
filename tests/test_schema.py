"""lang.schema: the four schema kinds of docs/spec.md §5.4 and their errors."""
import pyarrow as pa
import pytest

from byzer_kernel.lang.errors import SchemaError
from byzer_kernel.lang.schema import parse_schema


def test_simple_schema_of_the_seed():
    schema = parse_schema("st(field(ProductName,string),field(SubProduct,string))")
    assert schema == pa.schema([("ProductName", pa.string()), ("SubProduct", pa.string())])


@pytest.mark.parametrize("name, dtype", [
    ("string", pa.string()), ("integer", pa.int32()), ("long", pa.int64()), ("double", pa.float64()),
    ("float", pa.float32()), ("boolean", pa.bool_()), ("binary", pa.binary()), ("date", pa.date32()),
    ("byte", pa.int8()), ("short", pa.int16()), ("decimal", pa.float64()),
])
def test_simple_schema_every_primitive_type(name, dtype):
    assert parse_schema(f"st(field(x,{name}))").field("x").type == dtype


def test_simple_schema_nested_types_keep_field_order():
    schema = parse_schema("st(field(b,array(long)),field(a,map(string,double)),"
                          "field(s,st(field(y,date),field(x,integer))))")
    assert schema.names == ["b", "a", "s"]
    assert schema.field("b").type == pa.list_(pa.int64())
    assert schema.field("a").type == pa.map_(pa.string(), pa.float64())
    assert schema.field("s").type == pa.struct([("y", pa.date32()), ("x", pa.int32())])


def test_simple_schema_allows_whitespace_between_fields():
    assert parse_schema("st(field(a,long),\n   field(b,string))").names == ["a", "b"]


def test_simple_schema_has_no_timestamp_and_names_the_position():
    with pytest.raises(SchemaError) as info:
        parse_schema("st(field(a,long),field(t,timestamp))")
    assert "unknown type `timestamp`" in info.value.message
    assert "position 25" in info.value.message


def test_simple_schema_unclosed_names_the_position():
    with pytest.raises(SchemaError) as info:
        parse_schema("st(field(a,string)")
    assert "position 18" in info.value.message
    assert info.value.detail.splitlines()[1].index("^") == 2 + 18


def test_spark_json_schema():
    text = ('{"type":"struct","fields":[{"name":"a","type":"string","nullable":true,"metadata":{}},'
            '{"name":"b","type":{"type":"array","elementType":"long","containsNull":true},"nullable":true},'
            '{"name":"c","type":{"type":"map","keyType":"string","valueType":"integer"},"nullable":false},'
            '{"name":"d","type":"decimal(10,2)"},{"name":"e","type":"timestamp"},'
            '{"name":"f","type":{"type":"struct","fields":[{"name":"g","type":"date"}]}}]}')
    schema = parse_schema(text)
    assert schema.names == ["a", "b", "c", "d", "e", "f"]
    assert schema.field("b").type == pa.list_(pa.int64())
    assert schema.field("c").type == pa.map_(pa.string(), pa.int32())
    assert not schema.field("c").nullable
    assert schema.field("d").type == pa.decimal128(10, 2)
    assert schema.field("e").type == pa.timestamp("us")
    assert schema.field("f").type == pa.struct([("g", pa.date32())])


def test_spark_json_schema_errors():
    with pytest.raises(SchemaError, match="position 1"):
        parse_schema("{bad json")
    with pytest.raises(SchemaError, match="unknown type `uuid`"):
        parse_schema('{"type":"struct","fields":[{"name":"a","type":"uuid"}]}')


def test_spark_ddl_every_kind():
    schema = parse_schema("a bigint, b string, c array<int>, d map<string,int>, "
                          "e struct<x:int,y:string>, f decimal(10,2), g timestamp, h date, "
                          "i double not null, `odd name` boolean comment 'flag'")
    assert schema.names == ["a", "b", "c", "d", "e", "f", "g", "h", "i", "odd name"]
    assert [f.type for f in schema][:8] == [
        pa.int64(), pa.string(), pa.list_(pa.int32()), pa.map_(pa.string(), pa.int32()),
        pa.struct([("x", pa.int32()), ("y", pa.string())]), pa.decimal128(10, 2),
        pa.timestamp("us"), pa.date32()]
    assert not schema.field("i").nullable


def test_ddl_starting_with_st_is_not_the_simple_schema():
    assert parse_schema("status string").names == ["status"]


def test_spark_ddl_errors_name_the_position():
    with pytest.raises(SchemaError, match="unknown type `strin` at position 2"):
        parse_schema("a strin")
    with pytest.raises(SchemaError, match="position 9"):
        parse_schema("a bigint,, b string")
    with pytest.raises(SchemaError, match="position 15"):
        parse_schema("a array<bigint b string")


def test_file_schema():
    assert parse_schema(" file ") == pa.schema(
        [("start", pa.int64()), ("offset", pa.int64()), ("value", pa.binary())])


def test_empty_schema():
    with pytest.raises(SchemaError, match="empty"):
        parse_schema("  ")
