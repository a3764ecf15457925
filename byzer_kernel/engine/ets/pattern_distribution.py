"""`PatternDistribution` (byzer-extension: tech.mlsql.plugins.mllib.ets.fe.SQLPatternDistribution): for
each string column, the distribution of its values' text patterns, as two columns (columnName,
patternDistribution), the second a JSON object
  {"colPatternDistribution": "<JSON array of {count, ratio, pattern, alternativePattern}>",
   "totalCount": "<number of patterns>", "limit": "<limit>"}   ("{}" for a column with no value).
A pattern maps a-z to `a`, A-Z and CJK ideographs (U+4E00..U+9FBB) to `A`, 0-9 to `9` and keeps other
characters; the alternative pattern writes each run of one class as `A(n)` (`A` alone when n is 1)
and other characters as they are. Values are cut to `patternLimit` characters first.
Patterns are computed in DuckDB (regexp_replace) and counted there; the alternative pattern is a
function of the pattern, worked out once per distinct pattern. Byzer orders patterns by count only
(ties in Spark's hash order); here ties follow the pattern's text."""
from __future__ import annotations

import json
import re

import pyarrow as pa

from ...lang.errors import UsageError
from ...lang.java_values import java_double
from . import builtin_et
from .base import ET, Param
from .example_data import PEOPLE


@builtin_et
class PatternDistribution(ET):
    name = "PatternDistribution"
    doc = "The distribution of the text patterns (a/A/9 for letters and digits) of each string column."
    alg_type = "feature engineer"
    code_example = PEOPLE + """
load jsonStr.`abc` as table1;
select name, age, income from table1 as table2;
run table2 as PatternDistribution.`` as pd_table;"""
    params = (
        Param("limit", "define the amounts of patterns are shown e.g. limit = \"100\"", default="100"),
        Param("excludeEmptyVal", "define whether exclude empty value e.g. excludeEmptyVal = \"true\"",
              default="true", values=("true", "false")),
        Param("patternLimit", "define the limit number for a pattern e.g. patternLimit = 1000",
              default="1000"),
    )

    def run(self, session, request, options, events) -> pa.Table:
        table = session.table(request.input_table)
        return distribution(table, _positive(options, "limit"), options["excludeEmptyVal"] == "true",
                            _positive(options, "patternLimit"))

    train = predict = run


def distribution(table: pa.Table, limit: int, exclude_empty: bool, pattern_limit: int) -> pa.Table:
    import duckdb

    if table.num_rows == 0:
        return pa.table({})  # Byzer: an empty DataFrame
    con = duckdb.connect()
    con.register("t", table)
    names, answers = [], []
    for field in table.schema:
        if not (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)):
            continue  # only StringType columns
        names.append(field.name)
        answers.append(_column_distribution(con, field.name, limit, exclude_empty, pattern_limit))
    return pa.table({"columnName": pa.array(names, pa.string()),
                     "patternDistribution": pa.array(answers, pa.string())})


def _column_distribution(con, name: str, limit: int, exclude_empty: bool, pattern_limit: int) -> str:
    c = '"' + name.replace('"', '""') + '"'
    where = f"WHERE {c} IS NOT NULL AND trim({c}) <> ''" if exclude_empty else ""
    cut = f"substr({c}, 1, {pattern_limit})"
    pattern = (f"regexp_replace(regexp_replace(regexp_replace({cut}, '[a-z]', 'a', 'g'), "
               f"'[A-Z\\x{{4E00}}-\\x{{9FBB}}]', 'A', 'g'), '[0-9]', '9', 'g')")
    groups = con.execute(f"SELECT {pattern} AS p, count(*) AS n FROM t {where} GROUP BY p "
                         "ORDER BY n DESC, p NULLS LAST").fetchall()
    if not groups:
        return "{}"
    rows = sum(n for _, n in groups)
    items = [{"count": n, "ratio": n / rows, "pattern": p, "alternativePattern": alternative_pattern(p)}
             for p, n in groups[:limit]]
    return _json({"colPatternDistribution": _json(items), "totalCount": str(len(groups)),
                  "limit": str(limit)})


_RUNS = re.compile(r"A+|a+|9+|.", re.S)


def alternative_pattern(pattern):
    """A(n)/a(n)/9(n) for each run of a class in the pattern (the class letter alone when n is 1);
    any other character as it is (a pattern holds A, a and 9 only for letters and digits)."""
    if pattern is None:
        return None
    return "".join(run if len(run) == 1 else f"{run[0]}({len(run)})" for run in _RUNS.findall(pattern))


def _json(value) -> str:
    """json4s' compact form: no spaces, non-ASCII kept, doubles as Java prints them."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{_json(k)}:{_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_json(v) for v in value) + "]"
    if isinstance(value, float):
        return java_double(value)
    return json.dumps(value, ensure_ascii=False)


def _positive(options: dict, name: str) -> int:
    try:
        number = int(options[name])
    except ValueError:
        number = 0
    if number <= 0:
        raise UsageError(f"PatternDistribution parameter `{name}` is a positive whole number, "
                         f"not `{options[name]}`")
    return number
