"""Spark's query-level syntax on DuckDB: grouping analytics (`WITH CUBE|ROLLUP`, `GROUPING SETS`
after a column list, `grouping__id`), inline tables' default column names, the `range` table
function, and `t.*` inside function calls (see registry.py for how a rewrite is declared)."""
from __future__ import annotations

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .registry import spark_node

GROUPING_ID_COLUMN = "grouping__id"


# --- GROUP BY ---------------------------------------------------------------------------------

@spark_node(exp.Group)
def group_by(group: exp.Group) -> exp.Group:
    """Hive's `GROUP BY a, b WITH CUBE|ROLLUP` is `CUBE(a, b)`/`ROLLUP(a, b)`, and
    `GROUP BY a, b GROUPING SETS (...)` groups by the sets alone (the list only declares the
    columns, which also fixes the bit order of `grouping__id`)."""
    columns = list(group.expressions)
    group.meta[GROUPING_ID_COLUMN] = [column.copy() for column in _grouping_columns(group)]
    for key, analytic in (("cube", exp.Cube), ("rollup", exp.Rollup)):
        if group.args.get(key):
            group.set(key, None)
            group.set("expressions", [analytic(expressions=columns)])
    if group.args.get("grouping_sets"):
        group.set("expressions", list(group.args["grouping_sets"]))
        group.set("grouping_sets", None)
    return group


def _grouping_columns(group: exp.Group) -> list:
    """The grouping columns in Spark's order: the GROUP BY list if there is a plain one, else
    each column of CUBE/ROLLUP/GROUPING SETS at its first appearance."""
    found, seen = [], set()

    def add(expression):
        if isinstance(expression, (exp.Tuple, exp.Paren, exp.Cube, exp.Rollup, exp.GroupingSets)):
            for item in ([expression.this] if isinstance(expression, exp.Paren) else expression.expressions):
                add(item)
        elif expression.sql() not in seen:
            seen.add(expression.sql())
            found.append(expression)

    for expression in group.expressions:
        add(expression)
    for expression in group.args.get("grouping_sets") or []:
        add(expression)
    return found


def grouping_id(columns: list) -> exp.Expression:
    """Spark's grouping id: a bigint whose bits, first column highest, mark the columns a row is
    not grouped by (DuckDB's GROUPING(a, b, ...) counts the same way)."""
    return exp.cast(exp.Anonymous(this="GROUPING", expressions=[c.copy() for c in columns]), "BIGINT")


@spark_node(exp.Select)
def select(node: exp.Select) -> exp.Select:
    _reject_qualified_count_star(node)
    _resolve_grouping_id(node)
    return _order_after_generator(node)


def _resolve_grouping_id(node: exp.Select) -> None:
    """`grouping__id` (and `grouping_id()`, which the registry leaves as that column) stands for
    the grouping id over all the query's grouping columns, known only here."""
    group = node.args.get("group")
    columns = group.meta.get(GROUPING_ID_COLUMN) if group is not None else None
    for column in list(node.find_all(exp.Column)):
        if column.name.lower() != GROUPING_ID_COLUMN or column.table:
            continue
        if column.find_ancestor(exp.Select) is not node:
            continue
        if not columns:
            raise ByzerRuntimeError("grouping__id / grouping_id() can only be used with GROUP BY "
                                    "CUBE, ROLLUP or GROUPING SETS")
        replacement = grouping_id(columns)
        if column.parent is node:  # a bare projection keeps Spark's name
            replacement = exp.alias_(replacement, GROUPING_ID_COLUMN, quoted=True)
        column.replace(replacement)


def _order_after_generator(node: exp.Select) -> exp.Expression:
    """`SELECT stack(...) ... ORDER BY col0`: DuckDB cannot sort by the columns a struct UNNEST
    makes in the same SELECT, so the ORDER BY (and LIMIT) move to a query around it."""
    order = node.args.get("order")
    if order is None:
        return node
    generated = {name.lower() for projection in node.expressions for name in _generated_names(projection)}
    keys = {column.name.lower() for column in order.find_all(exp.Column) if not column.table}
    if not generated & keys:
        return node
    limit, offset = node.args.get("limit"), node.args.get("offset")
    inner = node.copy()
    for key in ("order", "limit", "offset"):
        inner.set(key, None)
    outer = exp.select("*").from_(exp.Subquery(this=inner, alias=exp.TableAlias(
        this=exp.to_identifier("generated"))))
    outer.set("order", order.copy())
    outer.set("limit", limit.copy() if limit is not None else None)
    outer.set("offset", offset.copy() if offset is not None else None)
    return outer


def _generated_names(projection: exp.Expression) -> list:
    """The columns an `UNNEST([struct, ...], max_depth := 2)` projection expands to."""
    unnest = projection.this if isinstance(projection, exp.Alias) else projection
    if not isinstance(unnest, exp.Explode) or not isinstance(unnest.this, exp.Array) \
            or not unnest.this.expressions:
        return []
    first = unnest.this.expressions[0]
    return [field.this.name for field in first.expressions if isinstance(field, exp.PropertyEQ)]


# --- FROM: inline tables, range ---------------------------------------------------------------

def spark_inline_rows(tree: exp.Expression) -> None:
    """Spark reads each row of an inline table as one expression, and a parenthesised list as the
    row's columns: `VALUES (('a', 10))` (however many parentheses) is the row ('a', 10), where
    DuckDB reads one struct column. Done on the parsed tree: names and types follow the rows."""
    for values in tree.find_all(exp.Values):
        for row in list(values.expressions):
            columns = _row_columns(row)
            if columns is not row:
                row.replace(columns)


def _row_columns(row: exp.Expression) -> exp.Expression:
    while isinstance(row, exp.Tuple) and len(row.expressions) == 1:
        inner = row.expressions[0].unnest()
        if not isinstance(inner, exp.Tuple):
            break
        row = inner
    return row


@spark_node(exp.Values)
def inline_table(values: exp.Values) -> exp.Values:
    """Spark names an inline table's columns col1, col2, ... (DuckDB: col0, col1, ...), and the
    fields of a struct written as a parenthesised list in a row too (DuckDB: element1, ...)."""
    for row in values.expressions:
        for cell in row.expressions if isinstance(row, exp.Tuple) else ():
            if isinstance(cell.unnest(), exp.Tuple):
                cell.replace(_struct_of_list(cell.unnest()))
    alias = values.args.get("alias")
    if alias is not None and alias.columns:
        return values
    width = len(values.expressions[0].expressions) if values.expressions else 0
    name = alias.this.copy() if alias is not None and alias.this else exp.to_identifier("valueslist")
    values.set("alias", exp.TableAlias(
        this=name, columns=[exp.to_identifier(f"col{i + 1}") for i in range(width)]))
    return values


def _struct_of_list(items: exp.Tuple) -> exp.Expression:
    fields = [exp.PropertyEQ(this=exp.to_identifier(f"col{i + 1}", quoted=True),
                             expression=_struct_of_list(item.unnest())
                             if isinstance(item.unnest(), exp.Tuple) else item.copy())
              for i, item in enumerate(items.expressions)]
    return exp.Anonymous(this="struct_pack", expressions=fields)


@spark_node(exp.Table)
def table_function(table: exp.Table) -> exp.Expression:
    """`range(end)`, `range(start, end[, step[, partitions]])`: a bigint column `id`."""
    call = table.this
    if not isinstance(call, exp.Anonymous) or str(call.this).lower() != "range":
        return table
    args = list(call.expressions)
    if not 1 <= len(args) <= 4:
        raise ByzerRuntimeError(f"table function `range` takes 1 to 4 arguments; {len(args)} given")
    bounds = [exp.cast(arg.copy(), "BIGINT") for arg in args[:3]]  # the partition count is Spark's own
    numbers = exp.select(exp.alias_(exp.column("range"), "id")).from_(
        exp.Table(this=exp.Anonymous(this="range", expressions=bounds)))
    alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier("range"))
    return exp.Subquery(this=numbers, alias=alias.copy())


# --- t.* in calls -----------------------------------------------------------------------------

def _reject_qualified_count_star(node: exp.Select) -> None:
    """Spark 3.3 refuses `count(t.*)` (DuckDB would count every row)."""
    for call in node.find_all(exp.Count):
        argument = call.this
        if isinstance(argument, exp.Column) and isinstance(argument.this, exp.Star) and argument.table:
            raise ByzerRuntimeError(f"count({argument.table}.*) is not allowed. Please use count(*) "
                                    "or expand the columns manually, e.g. count(col1, col2)")
