"""What dev/jdbc_golden.py asks Spark to read and write: column types, values, queries.

Each read case is (name, DDL type, SQL literals): one table `r_<name>(id int, v <type>)` with one row
per literal (id = 1, 2, ...). A value that may make Spark fail stands in its own case, so one
failure does not hide the answers for the other values.
"""
from __future__ import annotations

import datetime
import decimal

from pyspark.sql.types import (ArrayType, BinaryType, BooleanType, ByteType, DateType, DecimalType,
                               DoubleType, FloatType, IntegerType, LongType, ShortType, StringType,
                               TimestampType)

POSTGRES_READS = [
    ("smallint", "smallint", ["1", "-32768", "32767", "NULL"]),
    ("integer", "integer", ["1", "-2147483648", "2147483647", "NULL"]),
    ("bigint", "bigint", ["1", "-9223372036854775808", "9223372036854775807", "NULL"]),
    ("real", "real", ["1.5", "-3.4e38", "'Infinity'", "'NaN'", "NULL"]),
    ("double", "double precision", ["1.5", "1e308", "'-Infinity'", "'NaN'", "NULL"]),
    ("numeric_10_2", "numeric(10,2)", ["12345678.91", "-0.01", "0", "NULL"]),
    ("numeric_38_0", "numeric(38,0)", ["99999999999999999999999999999999999999", "-1", "NULL"]),
    ("numeric", "numeric", ["1.5", "0.1234567890123456789012", "12345678901234567890.5", "NULL"]),
    ("numeric_wide", "numeric", ["123456789012345678901234567890"]),
    ("numeric_nan", "numeric", ["'NaN'"]),
    ("numeric_5_5", "numeric(5,5)", ["0.12345", "NULL"]),
    ("money", "money", ["12.34", "-1.5", "NULL"]),
    ("boolean", "boolean", ["true", "false", "NULL"]),
    ("char_3", "char(3)", ["'ab'", "'abc'", "NULL"]),
    ("varchar_10", "varchar(10)", ["'héllo'", "''", "NULL"]),
    ("varchar", "varchar", ["'x'", "NULL"]),
    ("text", "text", ["'a long text'", "E'line\\nbreak'", "''", "NULL"]),
    ("bytea", "bytea", ["'\\x00ff10'::bytea", "''::bytea", "NULL"]),
    ("date", "date", ["'2024-02-29'", "'1970-01-01'", "'1500-01-01'", "'0001-01-01'", "'9999-12-31'",
                      "NULL"]),
    ("date_infinity", "date", ["'infinity'", "'-infinity'"]),
    ("time", "time", ["'12:34:56'", "'00:00:00'", "'23:59:59.999999'", "NULL"]),
    ("timetz", "timetz", ["'12:34:56+05:30'", "'00:00:00+00'", "NULL"]),
    ("timestamp", "timestamp", ["'2024-01-02 03:04:05.123456'", "'1970-01-01 00:00:00'",
                                "'1500-01-01 00:00:00'", "NULL"]),
    ("timestamp_infinity", "timestamp", ["'infinity'", "'-infinity'"]),
    ("timestamptz", "timestamptz", ["'2024-01-02 03:04:05+00'", "'2024-01-02 03:04:05+05:30'",
                                    "'2024-07-01 12:00:00 America/New_York'",
                                    "'2024-01-02 03:04:05'", "NULL"]),
    ("interval", "interval", ["'1 day 02:03:04'", "'1 year 2 months'", "'-00:00:01.5'", "NULL"]),
    ("json", "json", ["'{\"a\": 1}'", "'[1, 2]'", "NULL"]),
    ("jsonb", "jsonb", ["'{\"b\": 2, \"a\": 1}'", "NULL"]),
    ("uuid", "uuid", ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "NULL"]),
    ("inet", "inet", ["'192.168.0.1/24'", "'::1'", "NULL"]),
    ("cidr", "cidr", ["'10.0.0.0/8'", "NULL"]),
    ("bit_1", "bit(1)", ["B'1'", "B'0'", "NULL"]),
    ("bit_4", "bit(4)", ["B'1010'", "NULL"]),
    ("varbit", "bit varying(8)", ["B'101'", "NULL"]),
    ("integer_array", "integer[]", ["'{1,2,3}'", "'{}'", "'{1,NULL}'", "NULL"]),
    ("text_array", "text[]", ["'{\"a\",\"b c\"}'", "NULL"]),
    ("numeric_array", "numeric(5,2)[]", ["'{1.5,2.25}'", "NULL"]),
    ("integer_array_2d", "integer[][]", ["'{{1,2},{3,4}}'"]),
    ("serial", "serial", ["DEFAULT", "DEFAULT"]),
    ("bigserial", "bigserial", ["DEFAULT", "DEFAULT"]),
    ("point", "point", ["'(1,2)'", "NULL"]),
    ("int4range", "int4range", ["'[1,5)'", "NULL"]),
    ("xml", "xml", ["'<a>1</a>'", "NULL"]),
    ("oid", "oid", ["1", "NULL"]),
]

MYSQL_READS = [
    ("tinyint", "tinyint", ["1", "-128", "127", "NULL"]),
    ("tinyint_1", "tinyint(1)", ["0", "1", "5", "-1", "NULL"]),
    ("tinyint_unsigned", "tinyint unsigned", ["0", "255", "NULL"]),
    ("smallint", "smallint", ["-32768", "32767", "NULL"]),
    ("smallint_unsigned", "smallint unsigned", ["0", "65535", "NULL"]),
    ("mediumint", "mediumint", ["-8388608", "8388607", "NULL"]),
    ("mediumint_unsigned", "mediumint unsigned", ["0", "16777215", "NULL"]),
    ("int", "int", ["-2147483648", "2147483647", "NULL"]),
    ("int_unsigned", "int unsigned", ["0", "4294967295", "NULL"]),
    ("bigint", "bigint", ["-9223372036854775808", "9223372036854775807", "NULL"]),
    ("bigint_unsigned", "bigint unsigned", ["0", "18446744073709551615", "NULL"]),
    ("float", "float", ["1.5", "-3.40282e38", "0.1", "NULL"]),
    ("double", "double", ["1.5", "1e308", "0.1", "NULL"]),
    ("decimal_10_2", "decimal(10,2)", ["12345678.91", "-0.01", "NULL"]),
    ("decimal_30_5", "decimal(30,5)", ["1234567890123456789012345.12345", "-0.00001", "NULL"]),
    ("decimal_65_30", "decimal(65,30)", ["1.5", "NULL"]),
    ("bit_1", "bit(1)", ["b'1'", "b'0'", "NULL"]),
    ("bit_8", "bit(8)", ["b'10100101'", "b'0'", "NULL"]),
    ("bit_8_not_null", "bit(8)", ["b'10100101'", "b'0'"]),
    ("bool", "bool", ["true", "false", "NULL"]),
    ("char_3", "char(3)", ["'ab'", "'abc'", "NULL"]),
    ("varchar_10", "varchar(10)", ["'héllo'", "''", "NULL"]),
    ("text", "text", ["'a long text'", "'line\\nbreak'", "NULL"]),
    ("longtext", "longtext", ["'x'", "NULL"]),
    ("binary_4", "binary(4)", ["x'00ff10'", "NULL"]),
    ("varbinary_10", "varbinary(10)", ["x'00ff10'", "x''", "NULL"]),
    ("blob", "blob", ["x'00ff10'", "NULL"]),
    ("date", "date", ["'2024-02-29'", "'1000-01-01'", "'1500-01-01'", "'9999-12-31'", "NULL"]),
    ("date_zero", "date", ["'0000-00-00'"]),
    ("datetime", "datetime", ["'2024-01-02 03:04:05'", "'1000-01-01 00:00:00'", "NULL"]),
    ("datetime_6", "datetime(6)", ["'2024-01-02 03:04:05.123456'", "NULL"]),
    ("timestamp", "timestamp NULL", ["'2024-01-02 03:04:05'", "'1970-01-01 08:00:01'",
                                     "'2038-01-19 11:14:07'", "NULL"]),
    ("time", "time", ["'12:34:56'", "'00:00:00'", "NULL"]),
    ("time_range", "time", ["'-01:00:00'", "'838:59:59'"]),
    ("year", "year", ["2024", "1901", "NULL"]),
    ("json", "json", ["'{\"a\": 1}'", "NULL"]),
    ("enum", "enum('a','b')", ["'a'", "'b'", "NULL"]),
    ("set", "set('x','y')", ["'x,y'", "''", "NULL"]),
    ("uuid", "uuid", ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "NULL"]),
    ("inet6", "inet6", ["'::1'", "NULL"]),
]

# Connector/J URL parameters Byzer scripts often set, read over the same tables.
MYSQL_URL_VARIANTS = [
    ("tinyint_1", "tinyInt1isBit=false"),
    ("year", "yearIsDateType=false"),
    ("date_zero", "zeroDateTimeBehavior=convertToNull"),
]

SQLITE_READS = [
    ("integer", "INTEGER", ["1", "-9223372036854775808", "9223372036854775807", "NULL"]),
    ("int", "INT", ["1", "-2147483648", "NULL"]),
    ("int_wide", "INT", ["2147483648"]),
    ("bigint", "BIGINT", ["1", "9223372036854775807", "NULL"]),
    ("smallint", "SMALLINT", ["1", "-32768", "NULL"]),
    ("real", "REAL", ["1.5", "1e308", "NULL"]),
    ("double", "DOUBLE", ["1.5", "0.1", "NULL"]),
    ("float", "FLOAT", ["1.5", "0.1", "NULL"]),
    ("numeric", "NUMERIC", ["1.5", "12", "NULL"]),
    ("decimal_10_2", "DECIMAL(10,2)", ["12345678.91", "0.1", "NULL"]),
    ("text", "TEXT", ["'héllo'", "''", "NULL"]),
    ("varchar_10", "VARCHAR(10)", ["'abc'", "'longer than ten chars'", "NULL"]),
    ("blob", "BLOB", ["x'00ff10'", "NULL"]),
    ("boolean", "BOOLEAN", ["1", "0", "NULL"]),
    ("date", "DATE", ["'2024-02-29'", "NULL"]),
    ("date_millis", "DATE", ["1709164800000"]),
    ("datetime", "DATETIME", ["'2024-01-02 03:04:05'", "'2024-01-02 03:04:05.123'", "NULL"]),
    ("timestamp", "TIMESTAMP", ["'2024-01-02 03:04:05'", "NULL"]),
    ("timestamp_millis", "TIMESTAMP", ["1704164645123"]),
    ("untyped", "", ["1", "'text'", "1.5", "x'00'", "NULL"]),
    ("untyped_integers", "", ["1", "2", "NULL"]),
]

READS = {"postgresql": POSTGRES_READS, "mysql": MYSQL_READS, "mariadb": MYSQL_READS,
         "sqlite": SQLITE_READS}

# Queries run in the database through `dbtable = (query) t`, over the read tables.
DIRECT_QUERIES = {
    "postgresql": [
        ("count", "select count(*) as n from r_integer"),
        ("sum_int", "select sum(v) as s from r_integer"),
        ("sum_smallint", "select sum(v) as s from r_smallint"),
        ("sum_bigint", "select sum(v) as s from r_bigint"),
        ("avg_int", "select avg(v) as a from r_smallint"),
        ("arithmetic", "select id * 2 + 1 as a, v * 2 as b, id / 2 as c, id::float / 3 as d "
                       "from r_numeric_10_2 order by id"),
        ("cast", "select cast(id as numeric(6,1)) as a, cast(id as text) as b, cast(id as bigint) as c, "
                 "cast('2024-01-02' as date) as d from r_integer where id = 1"),
        ("literals", "select 1 as a, 1.5 as b, 'x' as c, null as d, true as e, now() - now() as f"),
        ("concat", "select id, v || '!' as s from r_text order by id"),
    ],
    "mysql": [
        ("count", "select count(*) as n from r_int"),
        ("sum_int", "select sum(v) as s from r_int"),
        ("avg_int", "select avg(v) as a from r_int"),
        ("arithmetic", "select id * 2 + 1 as a, v * 2 as b, id / 2 as c, id div 2 as d "
                       "from r_decimal_10_2 order by id"),
        ("cast", "select cast(id as decimal(6,1)) as a, cast(id as char) as b, cast(id as signed) as c, "
                 "cast(id as unsigned) as d, cast('2024-01-02' as date) as e from r_int where id = 1"),
        ("literals", "select 1 as a, 1.5 as b, 'x' as c, null as d, true as e"),
        ("concat", "select id, concat(v, '!') as s from r_text order by id"),
    ],
    "sqlite": [
        ("count", "select count(*) as n from r_integer"),
        ("sum_int", "select sum(v) as s from r_int"),
        ("arithmetic", "select id * 2 + 1 as a, v * 2 as b, id / 2 as c from r_double order by id"),
        ("cast", "select cast(id as integer) as a, cast(id as text) as b, cast(id as real) as c "
                 "from r_integer where id = 1"),
        ("column", "select v from r_integer order by id"),
        ("literals", "select 1 as a, 1.5 as b, 'x' as c, null as d"),
    ],
}
DIRECT_QUERIES["mariadb"] = DIRECT_QUERIES["mysql"]

# A jdbc:mariadb:// URL gets Spark 3.3's generic dialect, whose double-quoted names MariaDB reads as
# strings: every statement fails alike, so a few cases per section show it.
MARIADB_URL_SAMPLE = {
    "read": {"int", "varchar_10", "datetime"}, "direct_query": {"count"}, "write": {"int", "string"},
    "mode": {"errorifexists", "append", "overwrite_truncate"}, "partition": {"int"},
}


def sampled(database: str, section: str, case: str) -> bool:
    return database != "mariadb" or case in MARIADB_URL_SAMPLE[section]


TS = datetime.datetime
D = datetime.date
Dec = decimal.Decimal

# Spark type -> values of one DataFrame column written by Spark (id = 1, 2, ...).
WRITES = [
    ("boolean", BooleanType(), [True, False, None]),
    ("tinyint", ByteType(), [1, -128, 127, None]),
    ("smallint", ShortType(), [1, -32768, 32767, None]),
    ("int", IntegerType(), [1, -2147483648, 2147483647, None]),
    ("bigint", LongType(), [1, -9223372036854775808, 9223372036854775807, None]),
    ("float", FloatType(), [1.5, 0.1, None]),
    ("float_extreme", FloatType(), [-3.4028234663852886e38]),
    ("double", DoubleType(), [1.5, 1.7976931348623157e308, 0.1, None]),
    ("double_special", DoubleType(), [float("nan"), float("inf")]),
    ("decimal(10,2)", DecimalType(10, 2), [Dec("12345678.91"), Dec("-0.01"), None]),
    ("decimal(38,18)", DecimalType(38, 18), [Dec("12345678901234567890.123456789012345678"),
                                             Dec("-0.000000000000000001"), None]),
    ("string", StringType(), ["héllo", "", "line\nbreak", None]),
    ("binary", BinaryType(), [b"\x00\xff\x10", b"", None]),
    ("date", DateType(), [D(2024, 2, 29), D(1970, 1, 1), D(1500, 1, 1), None]),
    ("timestamp", TimestampType(), [TS(2024, 1, 2, 3, 4, 5, 123456), None]),
    ("timestamp_epoch", TimestampType(), [TS(1970, 1, 1, 0, 0, 1)]),
    ("timestamp_2100", TimestampType(), [TS(2100, 1, 1)]),
    ("timestamp_1500", TimestampType(), [TS(1500, 1, 1)]),
    ("array<int>", ArrayType(IntegerType()), [[1, 2], [], [1, None], None]),
    ("array<string>", ArrayType(StringType()), [["a", "b c"], None]),
]
