"""Result tables and messages as mimebundles (`text/html` + `text/plain`), shared by the kernel,
the %%byzer magic and the `byzer` command.

Rows with `content` and `mime` columns are shown as Byzer Notebook shows them (docs/spec.md §7.3): the
first row's `mime` decides between an image, HTML and Markdown.
"""
from __future__ import annotations

import base64
import html
import json
from typing import Any, Optional

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


def row_count_footer(shown: int, total: int) -> str:
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
    footer = row_count_footer(len(rows), total)
    out.append(f"{name}: {footer}" if name else footer)
    return "\n".join(out)


def format_table_html(table, limit: Optional[int] = DEFAULT_DISPLAY_LIMIT, name: Optional[str] = None) -> str:
    rows, total = shown_rows(table, limit)
    columns = table.schema.names
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(format_value(row[c]))}</td>" for c in columns) + "</tr>"
        for row in rows)
    footer = html.escape(row_count_footer(len(rows), total))
    if name:
        footer = f"<code>{html.escape(name)}</code>: {footer}"
    return (f'<div class="byzer-table"><table class="dataframe"><thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table><p class="byzer-footer"><small>{footer}</small></p></div>')


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


def table_bundle(table, limit: Optional[int] = DEFAULT_DISPLAY_LIMIT, name: Optional[str] = None) -> dict:
    """The mimebundle of a result table (or of its chart, or of its content/mime rows)."""
    from .charts import chart_bundle  # a `!plot` / `!visualize` result (docs/reference/charts.md)

    chart = chart_bundle(table)
    if chart is not None:
        return chart
    special = content_bundle(table)
    if special is not None:
        return special
    return {"text/html": format_table_html(table, limit, name), "text/plain": format_table_text(table, limit, name)}


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
