"""The Spark SQL conformance corpus: Spark 3.3's answers (golden/*.jsonl, recorded by
dev/record-spark-golden) against the project's (Session.sql over the fixture tables of shapes.sql).

`python tests/sparksql/conformance.py` prints the pass rate by function family and each difference;
tests/test_spark_conformance.py asserts the same comparison query by query.
"""
from __future__ import annotations

import collections
import datetime
import decimal
import json
import math
import re
import sys
from pathlib import Path

import pyarrow as pa

HERE = Path(__file__).resolve().parent
KNOWN = HERE / "known_differences.txt"
# Where live Spark 4 (the Spark engine) answers otherwise than the Spark 3.3 recording.
SPARK4_KNOWN = HERE / "spark4_differences.txt"


def golden() -> list[dict]:
    entries = []
    for name in ("functions", "shapes"):
        with (HERE / "golden" / f"{name}.jsonl").open() as lines:
            entries.extend(json.loads(line) for line in lines)
    return entries


def fixture_tables() -> dict[str, str]:
    tables, head, lines = {}, None, []
    for line in (HERE / "shapes.sql").read_text().splitlines():
        match = re.match(r"--\s*(table|query):\s*(\S+)", line)
        if match:
            if head:
                tables[head] = "\n".join(lines).strip()
            head, lines = (match.group(2) if match.group(1) == "table" else None), []
        elif head:
            lines.append(line)
    return tables


def known_differences(path: Path = KNOWN) -> dict[str, str]:
    """id -> why the project's answer differs (docs/reference/spark-differences.md lists them)."""
    known = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        if line.strip() and not line.startswith("#"):
            query_id, _, reason = line.partition(" ")
            known[query_id] = reason.strip()
    return known


def assert_answer(entry: dict, problems: list[str], listed: dict[str, str], list_name: str) -> None:
    """A query listed in `list_name` (id -> reason) must still differ, so the list stays honest;
    any other must give the recorded answer. A bug or internal error fails either way."""
    assert not any(p.startswith(("bug:", "internal error:")) for p in problems), problems
    if entry["id"] in listed:
        assert problems, f"{entry['id']} now gives the recorded answer: remove it from {list_name}"
    else:
        assert not problems, f"{entry['sql']}\n" + "\n".join(problems)


def assert_listed_are_real(listed: dict[str, str], entries: list[dict]) -> None:
    """Every listed id is a query of the corpus, and each has its reason."""
    ids = {entry["id"] for entry in entries}
    assert set(listed) <= ids, set(listed) - ids
    assert all(listed.values()), [k for k, v in listed.items() if not v]


def new_session():
    from byzer_kernel.engine import Session

    session = Session()
    for name, sql in fixture_tables().items():
        session.catalog.register(name, session.sql(sql))
    return session


def family(entry: dict) -> str:
    """The function's family, from the class name Spark's docs group it under (approximate)."""
    if entry["function"] == "shapes":
        return "query shapes"
    return FAMILIES.get(entry["function"], "misc")


def compare(session, entry: dict) -> list[str]:
    """The differences between Spark's answer and the project's (empty when they agree)."""
    from byzer_kernel.lang.errors import ByzerError, InternalError

    try:
        table = session.sql(entry["sql"])
    except InternalError as error:
        return [f"internal error: {str(error).splitlines()[0][:200]}"]
    except ByzerError as error:
        if "error" in entry:
            return []
        return [f"error: {str(error).splitlines()[0][:200]}"]
    except Exception as error:  # a bug in the project: reported, never passed
        return [f"bug: {type(error).__name__}: {str(error).splitlines()[0][:200]}"]
    if "error" in entry:
        return [f"Spark rejects it ({entry['error']['kind']}: {entry['error']['message'][:120]})"]
    return compare_table(entry, table)


def compare_table(entry: dict, table: pa.Table) -> list[str]:
    """The differences between Spark's answer and `table`, the project's answer to entry's query
    (tests/sparksql/spark_batches.py computes several queries' answers in one Spark job)."""
    from byzer_kernel.engine.types import spark_type_name

    problems = []
    if table.column_names != entry["names"]:
        problems.append(f"names {table.column_names} != {entry['names']}")
    types = [spark_type_name(field.type) for field in table.schema]
    if types != entry["types"]:
        problems.append(f"types {types} != {entry['types']}")
    if "rows" in entry:
        textual = set(entry.get("text_columns", ()))
        ours = [[canonical(v, f.type, i in textual) for i, (v, f) in enumerate(zip(row, table.schema))]
                for row in _rows(table)]
        theirs = entry["rows"]
        if not _ordered(entry["sql"]):  # without ORDER BY, Spark's row order is its own accident
            ours, theirs = _sorted(ours), _sorted(theirs)
        if not same(ours, theirs):
            problems.append(f"rows {_short(ours)} != {_short(theirs)}")
    return problems


def _ordered(sql: str) -> bool:
    """Whether the query's outermost level sorts its rows."""
    import sqlglot

    try:
        tree = sqlglot.parse_one(sql, read="spark")
    except sqlglot.errors.ParseError:
        return True
    return tree.args.get("order") is not None


def _sorted(rows: list) -> list:
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True, default=str))


def _rows(table: pa.Table):
    columns = [column.to_pylist() for column in table.columns]
    return list(zip(*columns)) if columns else []


def canonical(value, dtype: pa.DataType, textual: bool = False):
    """The recorder's JSON form of one of our values (see dev/spark_golden.py)."""
    if value is None:
        return None
    if textual:
        return str(value)
    if isinstance(value, bool) or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, decimal.Decimal):
        return {"decimal": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"binary": bytes(value).hex()}
    if isinstance(value, datetime.datetime):
        return {"timestamp": value.replace(tzinfo=None).isoformat(sep=" ")}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"interval_us": (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds}
    if pa.types.is_struct(dtype):
        return {"struct": [[f.name, canonical(value[f.name], f.type)] for f in dtype]}
    if pa.types.is_map(dtype):
        return {"map": [[canonical(k, dtype.key_type), canonical(v, dtype.item_type)] for k, v in value]}
    if isinstance(value, list):
        return [canonical(v, dtype.value_type) for v in value]
    return {"text": str(value)}


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b and type(a) is type(b)


def _short(value) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) < 200 else text[:200] + "..."


def report(families=(), verbose=False, update_known=False, out=sys.stdout) -> float:
    """Pass rate by family; with verbose, each difference; with update_known, rewrite
    known_differences.txt to the current differences (keeping reasons already written)."""
    session = new_session()
    entries = [e for e in golden() if not families or family(e) in families]
    known = known_differences()
    totals, passed, failures = collections.Counter(), collections.Counter(), []
    for entry in entries:
        group = family(entry)
        totals[group] += 1
        problems = compare(session, entry)
        if problems:
            failures.append((entry, problems))
        else:
            passed[group] += 1
    for group in sorted(totals):
        print(f"{group:24} {passed[group]:4}/{totals[group]:<4} {100 * passed[group] / totals[group]:5.1f}%",
              file=out)
    rate = 100 * sum(passed.values()) / max(len(entries), 1)
    print(f"{'all':24} {sum(passed.values()):4}/{len(entries):<4} {rate:5.1f}%", file=out)
    if verbose:
        for entry, problems in failures:
            mark = " (known)" if entry["id"] in known else ""
            print(f"\n{entry['id']}{mark}: {entry['sql']}", file=out)
            for problem in problems:
                print(f"    {problem}", file=out)
    if update_known:
        header = [line for line in KNOWN.read_text().splitlines() if line.startswith("#")]
        lines = [f"{e['id']} {known.get(e['id'], 'not yet translated')}" for e, _ in failures]
        KNOWN.write_text("\n".join(header + lines) + "\n")
    return rate


# Spark's documentation groups; functions not listed here count as "misc".
_GROUPS = {
    "aggregate": "any approx_count_distinct approx_percentile avg bit_and bit_or bit_xor bool_and bool_or "
                 "collect_list collect_set corr count count_if count_min_sketch covar_pop covar_samp every "
                 "first first_value grouping grouping_id histogram_numeric kurtosis last last_value max "
                 "max_by mean min min_by percentile percentile_approx regr_avgx regr_avgy regr_count "
                 "regr_r2 skewness some std stddev stddev_pop stddev_samp sum try_avg try_sum var_pop "
                 "var_samp variance",
    "array and map": "aggregate array array_contains array_distinct array_except array_intersect "
                     "array_join array_max array_min array_position array_remove array_repeat "
                     "array_size array_sort array_union arrays_overlap arrays_zip cardinality concat "
                     "element_at exists explode explode_outer filter flatten forall get inline "
                     "inline_outer map map_concat map_contains_key map_entries map_filter "
                     "map_from_arrays map_from_entries map_keys map_values map_zip_with posexplode "
                     "posexplode_outer reduce reverse sequence shuffle size slice sort_array "
                     "str_to_map transform transform_keys transform_values zip_with",
    "datetime": "add_months convert_timezone current_date current_timestamp current_timezone date "
                "date_add date_diff date_format date_from_unix_date date_part date_sub date_trunc "
                "dateadd datediff datepart day dayofmonth dayofweek dayofyear extract from_unixtime "
                "from_utc_timestamp hour last_day localtimestamp make_date make_dt_interval "
                "make_interval make_timestamp make_timestamp_ltz make_timestamp_ntz make_ym_interval "
                "minute month months_between next_day now quarter second session_window timestamp "
                "timestamp_micros timestamp_millis timestamp_seconds to_date to_timestamp "
                "to_timestamp_ltz to_timestamp_ntz to_unix_timestamp to_utc_timestamp trunc "
                "unix_date unix_micros unix_millis unix_seconds unix_timestamp weekday weekofyear "
                "window year",
    "json and csv": "from_csv from_json get_json_object json_array_length json_object_keys "
                    "json_tuple schema_of_csv schema_of_json to_csv to_json",
    "math": "abs acos acosh asin asinh atan atan2 atanh bin bround cbrt ceil ceiling conv cos cosh "
            "cot csc degrees e exp expm1 factorial floor greatest hex hypot least ln log log10 "
            "log1p log2 mod nanvl negative pi pmod positive pow power radians rand randn random "
            "rint round sec sign signum sin sinh sqrt tan tanh try_add try_divide try_multiply "
            "try_subtract unhex width_bucket div",
    "string": "ascii base64 bit_length btrim char char_length character_length chr concat_ws "
              "contains decode elt encode endswith find_in_set format_number format_string "
              "ilike initcap instr lcase left length levenshtein like locate lower lpad ltrim "
              "octet_length overlay parse_url position printf regexp regexp_extract "
              "regexp_extract_all regexp_like regexp_replace repeat replace right rlike rpad rtrim "
              "sentences soundex space split split_part startswith substr substring "
              "substring_index to_binary to_char to_number translate trim try_to_binary "
              "try_to_number ucase unbase64 upper lcase",
    "conditional and null": "coalesce if ifnull isnan isnotnull isnull nullif nvl nvl2 when "
                            "assert_true raise_error",
    "conversion": "bigint binary boolean cast date decimal double float int smallint string "
                  "timestamp tinyint typeof",
    "hash": "crc32 hash md5 sha sha1 sha2 xxhash64",
    "bitwise": "bit_count bit_get getbit shiftleft shiftright shiftrightunsigned",
}
FAMILIES = {name: group for group, names in _GROUPS.items() for name in names.split()}


if __name__ == "__main__":
    import argparse

    sys.path.insert(0, str(HERE.parent.parent))
    parser = argparse.ArgumentParser(description="Spark SQL conformance: pass rate by family")
    parser.add_argument("--family", action="append", default=[], help="only this family (repeatable)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every difference")
    parser.add_argument("--update-known", action="store_true",
                        help="rewrite known_differences.txt to the current differences")
    arguments = parser.parse_args()
    report(arguments.family, arguments.verbose, arguments.update_known)
