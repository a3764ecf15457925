"""Result tables and messages as mimebundles, shared by the kernel, the %%byzer magic and the
`byzer` command (docs/reference/results.md).

A result table is `text/plain` (a fixed-width table), `text/html` (the first page, each column's
Spark type under its name, nulls set apart, numbers and dates unwrapped, styled by a `<style>` of
its own, since a saved notebook carries no extension CSS) and, when the result viewer keeps the
table, `application/vnd.byzer.table+json` (the first page as data, for a viewer that pages, sorts
and downloads through the kernel: result_viewer.py). Plain HTML and JSON render wherever a notebook
is opened: JupyterLab, a saved and reopened notebook, nbconvert, VS Code, GitHub.

Rows with `content` and `mime` columns are shown as Byzer Notebook shows them (docs/spec.md §7.3): the
first row's `mime` decides between an image, HTML and Markdown.
"""
from __future__ import annotations

import base64
import html
import json
from typing import Any, Callable, Optional

from .engine.result_tables import has_more_rows

DEFAULT_DISPLAY_LIMIT = 20
CELL_TEXT_LIMIT = 120  # characters of one value shown in a table cell


def shown_rows(table, limit: Optional[int]) -> tuple[list[dict], int]:
    """The rows to show (at most `limit`; None or <= 0 means all) and the total row count."""
    total = table.num_rows
    if limit is not None and limit > 0 and total > limit:
        table = table.slice(0, limit)
    return table.to_pylist(), total


def format_value(value: Any, width: int = CELL_TEXT_LIMIT) -> str:
    if value is None:
        text = "null"
    elif isinstance(value, (bytes, bytearray)):
        text = f"<{len(value)} bytes>"
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, (list, tuple, dict)):
        text = json.dumps(value, default=str, ensure_ascii=False)
    else:
        text = str(value)
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


def row_count_footer(shown: int, total: int, more: bool = False) -> str:
    """`more`: the table holds the first `total` rows of a longer result (a Spark result)."""
    if more:
        return f"showing {shown} of the first {total} rows (more not fetched)"
    if shown < total:
        return f"showing {shown} of {total} rows"
    return f"{total} row" + ("" if total == 1 else "s")


def format_table_text(table, limit: Optional[int] = DEFAULT_DISPLAY_LIMIT, name: Optional[str] = None) -> str:
    """A fixed-width text table with a row-count footer ("showing N of M rows" when cut)."""
    rows, total = shown_rows(table, limit)
    columns = table.schema.names
    cells = [[format_value(row[c]) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(values):
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths)) + " |"

    out = [rule, line(columns), rule] + [line(r) for r in cells] + [rule] if columns else []
    footer = row_count_footer(len(rows), total, has_more_rows(table))
    out.append(f"{name}: {footer}" if name else footer)
    return "\n".join(out)


# Colours and spacing, scoped to .byzer-result: JupyterLab's theme variables (light and dark), then
# VS Code's, then a grey readable on either background; the selectors outrank JupyterLab's
# `.jp-RenderedHTMLCommon td`. A notebook JupyterLab does not trust loses this <style>, so what
# matters most is inline (alignment, no wrapping: its sanitizer keeps those) or in the markup
# (<em> for null, <small> for types), which GitHub keeps too.
TABLE_STYLE = """<style>
.byzer-result table.byzer-table{margin:0;table-layout:auto;border-collapse:collapse}
.byzer-result table.byzer-table th,.byzer-result table.byzer-table td{text-align:left;vertical-align:top;padding:0.25em 0.6em}
.byzer-result table.byzer-table th{border-bottom:1px solid var(--jp-border-color1,#8888)}
.byzer-result .byzer-type{font-weight:normal;color:var(--jp-ui-font-color2,var(--vscode-descriptionForeground,#888))}
.byzer-result .byzer-null{color:var(--jp-ui-font-color3,var(--vscode-disabledForeground,#999))}
.byzer-result .byzer-footer{margin:0.3em 0;color:var(--jp-ui-font-color2,var(--vscode-descriptionForeground,#888))}
</style>"""
NUMBER_STYLE = "text-align:right;white-space:nowrap"
UNWRAPPED_STYLE = "white-space:nowrap"
TYPE_LABEL_LIMIT = 32  # characters of a type shown under a column name (all of it in the tooltip)


def column_style(dtype) -> str:
    """Numbers right-aligned and unwrapped, dates, times and intervals unwrapped, others as is."""
    import pyarrow as pa

    if pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return NUMBER_STYLE
    if (pa.types.is_temporal(dtype) or pa.types.is_interval(dtype)
            or (isinstance(dtype, pa.ExtensionType) and pa.types.is_interval(dtype.storage_type))):
        return UNWRAPPED_STYLE
    return ""


def row_range_footer(shown: int, total: int, more: bool = False) -> str:
    """"showing 1–20 of 200,000 rows" when cut, else "3 rows"; "... of the first 1,000 rows" for
    the first rows of a longer (Spark) result."""
    if more:
        return f"showing 1–{shown:,} of the first {total:,} rows (more not fetched)"
    if shown < total:
        return f"showing 1–{shown:,} of {total:,} rows"
    return f"{total:,} row" + ("" if total == 1 else "s")


def format_table_html(table, limit: Optional[int] = DEFAULT_DISPLAY_LIMIT, name: Optional[str] = None) -> str:
    from .engine.types import spark_type_name

    rows, total = shown_rows(table, limit)
    columns = table.schema.names
    styles = [_style(column_style(field.type)) for field in table.schema]
    head = []
    for field, style in zip(table.schema, styles):
        spark_type = spark_type_name(field.type)
        label = spark_type if len(spark_type) <= TYPE_LABEL_LIMIT else spark_type[: TYPE_LABEL_LIMIT - 1] + "…"
        head.append(f'<th{style} title="{html.escape(f"{field.name}: {spark_type}")}">{html.escape(field.name)}'
                    f'<br><small class="byzer-type">{html.escape(label)}</small></th>')
    body = "".join("<tr>" + "".join(f"<td{style}>{_cell_text(row[c])}</td>" for c, style in zip(columns, styles))
                   + "</tr>" for row in rows)
    footer = html.escape(row_range_footer(len(rows), total, has_more_rows(table)))
    if name:
        footer = f"<code>{html.escape(name)}</code>: {footer}"
    return (f'<div class="byzer-result">{TABLE_STYLE}<table class="byzer-table dataframe"><thead><tr>{"".join(head)}'
            f'</tr></thead><tbody>{body}</tbody></table><p class="byzer-footer"><small>{footer}</small></p></div>')


def _style(css: str) -> str:
    return f' style="{css}"' if css else ""


def _cell_text(value) -> str:
    return '<em class="byzer-null">null</em>' if value is None else html.escape(format_value(value))


def content_bundle(table) -> Optional[dict]:
    """`content`/`mime` rows as an image, HTML or Markdown (the first row decides), else None."""
    names = [n.lower() for n in table.schema.names]
    if "content" not in names or "mime" not in names or table.num_rows == 0:
        return None
    row = table.slice(0, 1).to_pylist()[0]
    row = {k.lower(): v for k, v in row.items()}
    mime = str(row["mime"] or "").strip().lower()
    content = row["content"]
    if content is None:
        return None
    if mime in ("image", "image/png", "png"):
        data = base64.b64encode(content).decode() if isinstance(content, bytes) else str(content)
        return {"image/png": data, "text/plain": f"<image: {len(data)} base64 characters>"}
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    if mime in ("html", "text/html"):
        return {"text/html": content, "text/plain": f"<html: {len(content)} characters>"}
    if mime in ("markdown", "md", "text/markdown"):
        return {"text/markdown": content, "text/plain": content}
    return None


def table_bundle(table, limit: Optional[int] = DEFAULT_DISPLAY_LIMIT, name: Optional[str] = None,
                 keep: Optional[Callable[[Any, Optional[str]], str]] = None) -> dict:
    """The mimebundle of a result table (or of its chart, or of its content/mime rows). `keep`
    hands a table shown as a table to the result viewer and returns its id; the bundle then
    carries the viewer's data too."""
    from .charts import chart_bundle  # a `!plot` / `!visualize` result (docs/reference/charts.md)

    chart = chart_bundle(table)
    if chart is not None:
        return chart
    special = content_bundle(table)
    if special is not None:
        return special
    bundle = {"text/html": format_table_html(table, limit, name), "text/plain": format_table_text(table, limit, name)}
    if keep is not None:
        from .result_viewer import MIME_TYPE, table_data

        page_size = limit if limit is not None and limit > 0 else max(table.num_rows, 1)
        bundle[MIME_TYPE] = table_data(table, keep(table, name), name, page_size)
    return bundle


def conf_bundle(table, kind: str = "conf") -> dict:
    """`!python conf|env` results: one compact line instead of the k/v/config table."""
    pairs = [f"{row['k']}={row['v']}" for row in table.select(["k", "v"]).to_pylist()]
    text = f"python {kind}: " + (", ".join(pairs) if pairs else "(empty)")
    items = "".join(f"<code>{html.escape(p)}</code> " for p in pairs)
    return {"text/plain": text, "text/html": f"<small><b>python {html.escape(kind)}</b>: {items}</small>"}


def is_conf_table(table, table_name: Optional[str]) -> Optional[str]:
    """'conf' / 'env' when the table is the result of `!python conf|env`, else None."""
    if table_name in ("python_conf", "python_env") and table.schema.names == ["k", "v", "config"]:
        return table_name.split("_", 1)[1]
    return None


def error_lines(error: BaseException) -> list[str]:
    """A ByzerError as the lines of one `error` message: headline first, then its detail; any
    other exception's text is bounded the same way (a ByzerError bounds itself)."""
    from .lang.errors import bounded

    return bounded(str(error)).splitlines() or [type(error).__name__]
