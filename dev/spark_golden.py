"""Records Spark's own answers for the Spark SQL conformance corpus (tests/sparksql/).

Runs under pyspark 3.3 (Byzer's Spark line) on Java 17 in a venv of its own: `dev/record-spark-golden`.
Two sources:
  * every example that `DESCRIBE FUNCTION EXTENDED f` prints, for every function `SHOW FUNCTIONS` lists;
  * the everyday query shapes in tests/sparksql/shapes.sql, over the fixture tables defined there.
For each query it writes Spark's column names, types (simpleString) and rows, or the error it raised,
as one JSON line. The tests compare the project's answers with these files and need no JVM.
"""
from __future__ import annotations

import datetime
import decimal
import json
import os
import re
import sys
from pathlib import Path

os.environ["TZ"] = "UTC"  # pyspark turns timestamps into the Python process's local time

from pyspark.sql import Row, SparkSession  # noqa: E402

HERE = Path(__file__).resolve().parent.parent / "tests" / "sparksql"

# Values that differ on every run: only names and types are compared.
NONDETERMINISTIC = {
    "current_date", "current_timestamp", "now", "localtimestamp", "current_timezone", "rand", "randn",
    "random", "uuid", "shuffle", "monotonically_increasing_id", "spark_partition_id",
    "input_file_name", "input_file_block_start", "input_file_block_length", "current_user",
    "current_database", "current_catalog", "version", "unix_timestamp", "reflect", "java_method",
    "curdate", "user", "session_user",
    "aes_encrypt",  # GCM, its default mode, draws a random initialisation vector
}


def canonical(value):
    """A JSON form that keeps what a comparison needs (tags for types JSON lacks)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else {"float": repr(value)}
    if isinstance(value, decimal.Decimal):
        return {"decimal": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"binary": bytes(value).hex()}
    if isinstance(value, datetime.datetime):
        return {"timestamp": value.isoformat(sep=" ")}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"interval_us": (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds}
    if isinstance(value, Row):
        return {"struct": [[k, canonical(v)] for k, v in zip(value.__fields__, value)]}
    if isinstance(value, dict):
        return {"map": [[canonical(k), canonical(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    return {"text": str(value)}


def function_examples(spark) -> list[dict]:
    names = sorted({row[0] for row in spark.sql("SHOW FUNCTIONS").collect()})
    queries = []
    for name in names:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            quoted = f"`{name}`"
        else:
            quoted = name
        try:
            text = "\n".join(r[0] for r in spark.sql(f"DESCRIBE FUNCTION EXTENDED {quoted}").collect())
        except Exception:  # operators such as `!` cannot be described by name
            continue
        for number, sql in enumerate(examples_in(text), 1):
            queries.append({"id": f"{name}#{number}", "function": name, "sql": sql})
    return queries


def examples_in(text: str) -> list[str]:
    """The `> SELECT ...;` statements of a function's Examples section (continuations joined)."""
    found, current = [], None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("> "):
            current = stripped[2:]
        elif current is not None and not current.rstrip().endswith(";") and stripped:
            current += " " + stripped
        else:
            current = None
            continue
        if current.rstrip().endswith(";"):
            statement = current.rstrip().rstrip(";").strip()
            if re.match(r"(?i)(select|with|values)\b", statement):
                found.append(statement)
            current = None
    return found


def shapes() -> tuple[dict, list[dict]]:
    """Fixture tables and queries of shapes.sql: blocks headed `-- table: name` or `-- query: id`."""
    tables, queries, head, lines = {}, [], None, []

    def close():
        if head is not None:
            sql = "\n".join(lines).strip().rstrip(";").strip()
            kind, name = head
            if kind == "table":
                tables[name] = sql
            else:
                queries.append({"id": name, "function": "shapes", "sql": sql})

    for line in (HERE / "shapes.sql").read_text().splitlines():
        match = re.match(r"--\s*(table|query):\s*(\S+)", line)
        if match:
            close()
            head, lines = (match.group(1), match.group(2)), []
        elif head is not None:
            lines.append(line)
    close()
    return tables, queries


def answer(spark, query: dict) -> dict:
    out = dict(query)
    try:
        frame = spark.sql(query["sql"])
        # Names and types from the JVM: pyspark 3.3 cannot parse every interval type's name.
        fields = list(frame._jdf.schema().fields())
        out["names"] = [field.name() for field in fields]
        out["types"] = [field.dataType().simpleString() for field in fields]
        textual = [i for i, t in enumerate(out["types"]) if "interval" in t]
        # pyspark brings maps through a Java HashMap, which loses Spark's entry order: entries instead
        maps = [i for i, t in enumerate(out["types"]) if t.startswith("map<") and i not in textual]
        if textual or maps:  # nor can it bring every interval to Python: Spark's text for them instead
            frame = frame.toDF(*[f"c{i}" for i in range(len(fields))]).selectExpr(
                *[f"CAST(c{i} AS STRING)" if i in textual else f"map_entries(c{i})" if i in maps
                  else f"c{i}" for i in range(len(fields))])
        rows = frame.collect()
        if query["function"] in NONDETERMINISTIC or any(
                re.search(rf"\b{f}\s*\(", query["sql"], re.I) for f in NONDETERMINISTIC):
            out["values"] = "nondeterministic"
        else:
            out["rows"] = [[{"map": [[canonical(k), canonical(v)] for k, v in value]}
                            if i in maps and value is not None else canonical(value)
                            for i, value in enumerate(row)] for row in rows]
            if textual:
                out["text_columns"] = textual
    except Exception as error:  # Spark's own rejection is the expected answer
        message = str(getattr(error, "desc", None) or error).strip().splitlines()[0][:300]
        out["error"] = {"kind": type(error).__name__, "message": message}
    return out


def main() -> None:
    spark = (SparkSession.builder.master("local[1]").appName("byzer-golden")
             .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    only = set(sys.argv[1:])
    sources = {}
    if not only or "functions" in only:
        sources["functions"] = function_examples(spark)
    if not only or "shapes" in only:
        tables, queries = shapes()
        for name, sql in tables.items():
            spark.sql(sql).createOrReplaceTempView(name)
        sources["shapes"] = queries
    for source, queries in sources.items():
        path = HERE / "golden" / f"{source}.jsonl"
        with path.open("w") as out:
            for query in queries:
                out.write(json.dumps(answer(spark, query), sort_keys=True) + "\n")
        print(f"{path.relative_to(HERE.parent.parent)}: {len(queries)} queries", file=sys.stderr)
    spark.stop()


if __name__ == "__main__":
    main()
