"""Spark's generators (`explode`, `posexplode`, `inline`, their `_outer` forms, `json_tuple`) in the
select list and in `LATERAL VIEW [OUTER] f(...) alias AS cols`, on DuckDB's UNNEST.

Every generator becomes `UNNEST(<a list of structs, one per row>, max_depth := 2)`: DuckDB then
gives one column per struct field, named as the field, so Spark's column names (`col`, `pos`,
`key`, `value`, a struct's fields, `c0`...) are the fields' names, and an alias (`AS (p, v)`, the
columns of a LATERAL VIEW) rebuilds the structs with its names. A LATERAL VIEW is a lateral join
on `(SELECT UNNEST(...))`, a LEFT one when OUTER.

json_tuple's values are functions_json.py's (`json_tuple_values`); this module makes them a
generator, and its registration of `json_tuple` replaces functions_json's."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .functions_collections import static_shape
from .functions_json import json_tuple_values
from .naming import pretty
from .registry import duck, spark_function, spark_node

GENERATOR = "spark_generator"  # meta key of a generator's UNNEST: its Generated


@dataclass(frozen=True)
class Generated:
    """A generator call: Spark's names of its columns (None: the row structs' own field names), and
    `rows(names, outer)`, the DuckDB list of its rows: structs with the columns as fields, or when
    `plain`, the one column's values."""
    names: Optional[tuple]
    rows: Callable[[Optional[tuple], bool], exp.Expression]
    outer: bool
    plain: bool = False

    def unnest(self, names: Optional[tuple] = None, outer: Optional[bool] = None) -> exp.Expression:
        if names is not None and self.names is not None and len(names) != len(self.names):
            raise ByzerRuntimeError(f"the generator gives {len(self.names)} columns "
                                    f"({', '.join(self.names)}), but {len(names)} names are given")
        names = names or self.names
        rows = self.rows(names, self.outer if outer is None else outer)
        if self.plain:
            node = exp.alias_(exp.Unnest(expressions=[rows]), names[0], quoted=True)
        else:
            node = duck("UNNEST(_0, max_depth := 2)", rows)
        node.meta[GENERATOR] = self
        return node


def _row(names: tuple, values: list) -> exp.Expression:
    return exp.Struct(expressions=[
        exp.PropertyEQ(this=exp.to_identifier(name, quoted=True), expression=value.copy())
        for name, value in zip(names, values)])


def _or_one_null_row(rows: exp.Expression, outer: bool) -> exp.Expression:
    """The `_outer` forms (and LATERAL VIEW OUTER) give one row of NULLs for a NULL or empty
    collection (cheaper in DuckDB than a LEFT JOIN LATERAL)."""
    if not outer:
        return rows
    return duck("CASE WHEN coalesce(len(_0), 0) > 0 THEN _0 ELSE [NULL] END", rows)


# --- the generators ----------------------------------------------------------------------------

def _explode(collection, outer: bool, with_position: bool) -> exp.Expression:
    if static_shape(collection) == "map":
        names, values = ("key", "value"), [duck("x.key"), duck("x.value")]
        entries = duck("map_entries(_0)", collection)
    else:
        names, values, entries = ("col",), [exp.column("x")], collection
    if with_position:
        names, values = ("pos",) + names, [duck("CAST(i - 1 AS INT)")] + values

    def rows(chosen, outer_rows):
        if len(values) == 1:  # the elements themselves: DuckDB's fastest UNNEST
            return _or_one_null_row(entries, outer_rows)
        structs = duck("list_transform(_0, lambda x, i: _1)", entries, _row(chosen, values))
        return _or_one_null_row(structs, outer_rows)

    return Generated(names, rows, outer, plain=len(values) == 1).unnest()


@spark_function("explode")
def explode(collection):
    return _explode(collection, outer=False, with_position=False)


@spark_function("explode_outer")
def explode_outer(collection):
    return _explode(collection, outer=True, with_position=False)


@spark_function("posexplode")
def posexplode(collection):
    return _explode(collection, outer=False, with_position=True)


@spark_function("posexplode_outer")
def posexplode_outer(collection):
    return _explode(collection, outer=True, with_position=True)


def _inline(structs, outer: bool) -> exp.Expression:
    """The structs' fields are the columns, by position when renamed."""

    def rows(chosen, outer_rows):
        if chosen is None:
            return _or_one_null_row(structs, outer_rows)
        values = [duck(f"struct_extract_at(x, {i + 1})") for i in range(len(chosen))]
        renamed = duck("list_transform(_0, lambda x: _1)", structs, _row(chosen, values))
        return _or_one_null_row(renamed, outer_rows)

    field_names = _struct_field_names(structs)
    return Generated(tuple(field_names) if field_names else None, rows, outer).unnest()


def _struct_field_names(structs: exp.Expression) -> Optional[list]:
    if not isinstance(structs, exp.Array) or not structs.expressions:
        return None
    first = structs.expressions[0]
    if not isinstance(first, exp.Struct):
        return None
    names = [field.this.name if isinstance(field, exp.PropertyEQ) else None
             for field in first.expressions]
    return None if None in names else names


@spark_function("inline")
def inline(structs):
    return _inline(structs, outer=False)


@spark_function("inline_outer")
def inline_outer(structs):
    return _inline(structs, outer=True)


@spark_function("json_tuple")  # over functions_json's registration (imported first, above)
def json_tuple(json, *fields):
    """One row: the fields' values (functions_json.json_tuple_values) as columns c0, c1..."""
    if not fields:
        raise ByzerRuntimeError("function `json_tuple` takes at least 2 arguments")
    values = json_tuple_values(json, list(fields))
    names = tuple(f"c{i}" for i in range(len(fields)))

    def rows(chosen, outer):
        return exp.Array(expressions=[_row(chosen, values)] if len(values) > 1 else values)

    return Generated(names, rows, False, plain=len(values) == 1).unnest()


# --- aliases and LATERAL VIEW ----------------------------------------------------------------------

@spark_node(exp.Alias)
def generator_alias(node):
    """`explode(x) AS name`: a one-column generator's column takes the name; one of several
    columns keeps its own names (such an alias is naming.py's)."""
    generated = node.this.meta.get(GENERATOR)
    if generated is None:
        return node
    if generated.names is not None and len(generated.names) == 1:
        return generated.unnest((node.alias,))
    return node.this


@spark_node(exp.Aliases)
def generator_aliases(node):
    """`posexplode(x) AS (p, v)`."""
    generated = node.this.meta.get(GENERATOR)
    if generated is None:
        raise ByzerRuntimeError(f"only a generator (explode, posexplode, inline...) takes a list of "
                                f"aliases: {pretty(node.this)}")
    return generated.unnest(tuple(name.name for name in node.expressions))


@spark_node(exp.Lateral)
def lateral_view(node):
    """`LATERAL VIEW [OUTER] gen(...) t AS a, b`: a lateral join on the generator's rows."""
    generated = node.this.meta.get(GENERATOR)
    if generated is None or not node.args.get("view"):
        return node
    alias = node.args.get("alias")
    names = tuple(column.name for column in alias.columns) if alias and alias.columns else None
    outer = generated.outer or bool(node.args.get("outer"))
    rows = exp.Subquery(this=exp.select(generated.unnest(names, outer=outer)))
    table_name = alias.name if alias and alias.name else "_lateral_view"
    table = exp.TableAlias(this=exp.to_identifier(table_name))
    return exp.Join(this=exp.Lateral(this=rows, alias=table), kind="CROSS")
