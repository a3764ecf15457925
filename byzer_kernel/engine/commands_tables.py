"""Commands about tables and results: `!lastCommand`, `!emptyTable`, `!println`, `!tableRepartition`,
`!cache`/`!unCache` (docs/spec.md §10.3-§10.5).

A table cut by `!tableRepartition` carries its partition count in its Arrow schema metadata and its
pieces as its record batches: the runtime reads both (runtime/partitions.py), as Spark's Ray ET
serves one data server per partition of the input table.
"""
from __future__ import annotations

from typing import Optional

import pyarrow as pa

from ..lang.errors import ByzerRuntimeError, UsageError
from .table_slices import split_table

PARTITIONS_KEY = b"byzer.partitions"
CACHE_LIFETIMES = ("script", "session", "application")  # SQLCacheExt's lifeTime values


def with_partitions(table: pa.Table, count: int) -> pa.Table:
    """`table` cut into `count` balanced pieces (fewer when it has fewer rows), one record batch
    each, the count kept in the schema metadata (a later `select` makes a new table without it)."""
    pieces = split_table(table.combine_chunks(), count)
    metadata = {**(table.schema.metadata or {}), PARTITIONS_KEY: str(count).encode()}
    schema = table.schema.with_metadata(metadata)
    batches = [batch for piece in pieces for batch in piece.to_batches()]
    return pa.Table.from_batches(batches, schema=schema)


def recorded_partitions(table: pa.Table) -> Optional[int]:
    """The partition count `!tableRepartition` recorded on `table`, else None."""
    value = (table.schema.metadata or {}).get(PARTITIONS_KEY)
    return int(value) if value else None


def last_command(session, statement, args, events):
    """`!lastCommand named T`: the table the previous statement left, now also named T. Byzer
    reads the last table of the running script; at the start of a cell the previous cell's last
    table is used (each cell is one script here)."""
    if len(args) != 2 or args[0] != "named":
        raise UsageError("usage: !lastCommand named TABLE")
    # events is the Session's collector while a cell runs: its Result holds the previous table.
    current = getattr(events, "result", None)
    if current is not None and current.has_table:
        table = current.produced  # a Spark table stays in Spark
    elif session.jobs.last_table is not None:
        table = session.jobs.last_table[1]
    else:
        raise ByzerRuntimeError("no table found in previous command")
    name = args[1].strip("`")
    session.catalog.register(name, table)
    return name, table


def empty_table(session, statement, args, events):
    """`!emptyTable`: the script's result is an empty table (no columns, no rows), as Byzer's
    EmptyTable ET answers with Spark's emptyDataFrame."""
    return "emptyTable", pa.table({})


def println(session, statement, args, events):
    """`!println '''text'''`: the first argument becomes a message (Byzer writes it to its log)."""
    if not args:
        raise UsageError("usage: !println '''text'''")
    events.message(args[0])
    return None


def table_repartition(session, statement, args, events):
    """`!tableRepartition _ -i TABLE -num N -o OUTPUT` (Byzer's macro for TableRepartition)."""
    options = named_arguments(args, "usage: !tableRepartition _ -i TABLE -num N -o OUTPUT")
    missing = [key for key in ("i", "num", "o") if key not in options]
    if missing:
        raise UsageError(f"!tableRepartition needs -{', -'.join(missing)}: "
                         "!tableRepartition _ -i TABLE -num N -o OUTPUT")
    try:
        count = int(options["num"])
    except ValueError:
        count = 0
    if count < 1:
        raise UsageError(f"!tableRepartition: -num is the number of partitions, a positive integer; "
                         f"got {options['num']!r}")
    table = with_partitions(session.table(options["i"].strip("`")), count)
    output = options["o"].strip("`")
    session.catalog.register(output, table)
    return output, table


def named_arguments(args: list, usage: str) -> dict:
    """Byzer's named command arguments: `_` then `-key value` pairs (Templates2 with ParamsUtil)."""
    if not args or args[0] != "_" or len(args) % 2 == 0:
        raise UsageError(usage)
    pairs = args[1:]
    options = {}
    for key, value in zip(pairs[::2], pairs[1::2]):
        if not key.startswith("-") or len(key) < 2:
            raise UsageError(f"{usage} (`{key}` is not a -name)")
        options[key[1:]] = value
    return options


def cache(session, statement, args, events):
    """`!cache TABLE [script|session|application]`: accepted; the table is the statement's result."""
    if len(args) not in (1, 2):
        raise UsageError("usage: !cache TABLE [script|session|application]")
    lifetime = args[1] if len(args) == 2 else "script"
    if lifetime not in CACHE_LIFETIMES:
        raise UsageError(f"!cache: the lifetime is script, session or application; got {lifetime!r}")
    name = args[0].strip("`")
    table = session.table(name)
    events.message(f"!cache {name}: nothing to do locally, the session's tables are already in memory "
                   "(Arrow); Spark would keep the table's computed rows for later statements")
    return name, table


def uncache(session, statement, args, events):
    """`!unCache TABLE`: accepted; nothing is cached locally, so nothing is released."""
    if len(args) != 1:
        raise UsageError(f"usage: !{statement.name} TABLE")
    name = args[0].strip("`")
    table = session.table(name)
    events.message(f"!{statement.name} {name}: nothing to release locally, the table stays in memory "
                   "as every table of the session does")
    return name, table
