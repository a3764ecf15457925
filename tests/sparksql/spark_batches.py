"""The golden corpus on the Spark engine in few Spark jobs (tests/test_spark_golden.py).

A Spark query costs ~0.15 s on two cores however little it computes, so one query per case
would cost two minutes for the corpus. Most of its queries are a SELECT list without FROM that
Spark 3.3 answered with one row: 64 of them are asked as one SELECT (their columns side by side,
each named and typed as alone) and the answer is cut back into each query's columns. The others
(FROM, several rows) are packed: each query's rows as one array of structs, 8 queries' arrays
cross-joined into one row (more per batch makes Spark's planning dearer than the queries saved).
A batch that fails (one query raising an error, a shape other than expected) is split in halves
until the failing query is alone; a query whose batched answer differs, and one Spark 3.3
rejected, is asked alone through Session.sql, so every difference is the query's own."""
from __future__ import annotations

import re

import pyarrow as pa
import sqlglot

import conformance

# Queries per Spark query: side by side in one SELECT; packed (see _packed).
SIDE_BY_SIDE, PACKED = 64, 8
# Functions that make rows (one generator per SELECT in Spark) and so cannot share one.
_GENERATORS = re.compile(r"\b(explode|explode_outer|posexplode|posexplode_outer|inline|inline_outer|"
                         r"json_tuple|stack)\s*\(", re.IGNORECASE)
_SELECT = re.compile(r"^\s*select\s+", re.IGNORECASE)


def select_list(entry: dict):
    """The SELECT list text of a query that may share a SELECT with others, or None."""
    sql = entry["sql"].strip().rstrip(";")
    if "error" in entry or len(entry.get("rows", ())) != 1 or _GENERATORS.search(sql) or not _SELECT.match(sql):
        return None
    try:
        tree = sqlglot.parse_one(sql, read="spark")
    except sqlglot.errors.ParseError:
        return None
    clauses = ("from", "from_", "where", "group", "having", "order", "limit", "joins", "with", "laterals",
               "qualify", "distinct", "windows", "hint")
    if not isinstance(tree, sqlglot.exp.Select) or any(tree.args.get(name) for name in clauses):
        return None
    if len(tree.expressions) != len(entry["names"]):
        return None
    return _SELECT.sub("", sql, count=1)


def packable(entry: dict) -> bool:
    """Whether a query's rows may come packed into one array cell (see _packed_batch)."""
    names = entry.get("names", ())
    # Struct fields must have distinct names (Arrow); an interval in a struct comes as text.
    return ("error" not in entry and len(set(names)) == len(names) and select_list(entry) is None
            and not any("interval" in spark_type for spark_type in entry.get("types", ())))


def golden_problems_in_parallel(sessions: list, entries: list[dict]) -> dict[str, list[str]]:
    """golden_problems with the corpus dealt to several Sessions, one thread each, on one Spark:
    Spark plans a query on one core, so two streams of queries keep two cores busy (a third of
    the time saved on local[2])."""
    from concurrent.futures import ThreadPoolExecutor

    shares = [(session, entries[i::len(sessions)]) for i, session in enumerate(sessions)]
    problems = {}
    with ThreadPoolExecutor(len(sessions)) as pool:
        for found in pool.map(lambda share: golden_problems(*share), shares):
            problems.update(found)
    return problems


def golden_problems(session, entries: list[dict]) -> dict[str, list[str]]:
    """id -> the differences of the Spark engine's answer from the recording (empty: the same).
    A query whose batched answer differs is asked again alone, and that answer is the one
    reported: batching may only make a query pass faster, never fail or pass differently."""
    problems = {}
    side_by_side = [entry for entry in entries if select_list(entry) is not None]
    packed = [entry for entry in entries if packable(entry)]
    for batch, size in ((side_by_side, SIDE_BY_SIDE), (packed, PACKED)):
        for start in range(0, len(batch), size):
            problems.update(_batch(session, batch[start:start + size]))
    for entry in entries:
        if problems.get(entry["id"]) != []:
            problems[entry["id"]] = conformance.compare(session, entry)
    return problems


def _batch(session, entries: list[dict]) -> dict[str, list[str]]:
    """id -> differences for the queries answered in one job (halves of a failing batch in turn;
    a query failing alone is left out: it runs alone anyway)."""
    from byzer_kernel.lang.errors import ByzerError

    if not entries:
        return {}
    answers = None
    try:
        answers = (_side_by_side if select_list(entries[0]) is not None else _packed)(session, entries)
    except ByzerError:
        pass
    if answers is not None:
        return {entry["id"]: conformance.compare_table(entry, table) for entry, table in zip(entries, answers)}
    if len(entries) == 1:
        return {}
    half = len(entries) // 2
    return {**_batch(session, entries[:half]), **_batch(session, entries[half:])}


def _side_by_side(session, entries: list[dict]):
    """One SELECT of every query's columns: each query's own table, or None if the shape is off."""
    table = session.sql("SELECT " + ",\n".join(select_list(entry) for entry in entries))
    widths = [len(entry["names"]) for entry in entries]
    if table.num_columns != sum(widths) or table.num_rows != 1:
        return None
    tables, start = [], 0
    for width in widths:
        tables.append(table.select(list(range(start, start + width))))
        start += width
    return tables


def _packed(session, entries: list[dict]):
    """Each query's rows as one array of structs (its columns as fields, names and types kept),
    the arrays of all the queries side by side in one row (a cross join of one-row aggregates)."""
    parts = [f"(SELECT collect_list(struct(*)) AS rows_{i} FROM (\n{entry['sql'].strip().rstrip(';')}\n) AS q{i})"
             for i, entry in enumerate(entries)]
    table = session.sql("SELECT * FROM " + "\nCROSS JOIN ".join(parts))
    if table.num_columns != len(entries) or table.num_rows != 1:
        return None
    tables = []
    for column in table.columns:
        rows = column.combine_chunks()
        if not pa.types.is_list(rows.type) or not pa.types.is_struct(rows.type.value_type):
            return None
        tables.append(pa.Table.from_struct_array(rows.flatten()))
    return tables
