"""`SyntaxAnalyzeExt` (byzer-lang: tech.mlsql.plugins.ets.SyntaxAnalyzeExt): analyses a Spark SQL text.
Byzer has one action, `extractTables`: every table name the parser meets (WowSparkSqlAstBuilder's
multipart identifiers), in the order of the text, repeats and CTE names included, without the
database part, as rows of a column `tableName`. The text is parsed here by sqlglot's Spark dialect."""
from __future__ import annotations

import pyarrow as pa

from ...lang.errors import UsageError
from . import builtin_et
from .base import ET, Param


@builtin_et
class SyntaxAnalyzeExt(ET):
    name = "SyntaxAnalyzeExt"
    doc = ("SyntaxAnalyzeExt is used to parse the SQL grammar in the statement: action=\"extractTables\" "
           "lists the tables a SQL reads (column tableName).")
    doc_type = "html"
    alg_type = "process"
    code_example = """run command as SyntaxAnalyzeExt.`` where
action = "extractTables" and sql='''
select * from (select * from table1 as c) as d left join table2 as e on d.id=e.id
''' as extractedTables;

select * from extractedTables as output;"""
    params = (
        Param("sql", "Required. SQL to be analyzed e.g. sql = \"select * from table\"", default=""),
        Param("action", "Action for syntax analysis. Optional parameter: extractTables "
              "(currently the only supported action). e.g. action = \"extractTables\"",
              default="extractTables", values=("extractTables",)),
    )

    def run(self, session, request, options, events) -> pa.Table:
        text = options["sql"].strip()
        if text.endswith(";"):  # Byzer drops one trailing semicolon
            text = text[:-1]
        if not text:
            return pa.table({})  # Byzer answers an empty SQL with Spark's emptyDataFrame
        return pa.table({"tableName": pa.array(extract_tables(text), pa.string())})

    train = predict = run


def extract_tables(text: str) -> list[str]:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        statements = [s for s in sqlglot.parse(text, read="spark") if s is not None]
    except ParseError as error:
        raise UsageError(f"SyntaxAnalyzeExt: the sql does not parse: {error}") from None
    if len(statements) != 1:
        raise UsageError("SyntaxAnalyzeExt: the sql is one statement "
                         f"(found {len(statements)}; a `;` ends a statement)")
    # In the order of the text: sqlglot keeps each identifier's start offset (a WITH clause is held
    # after the query that uses it, so tree order alone would not do).
    tables = [(node.this.meta.get("start", 0), index, node.name)
              for index, node in enumerate(statements[0].walk(bfs=False))
              if isinstance(node, exp.Table) and node.name]
    return [name for _, _, name in sorted(tables)]
