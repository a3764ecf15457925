"""What a chart command (`!plot`, `!visualize`) leaves for the front-ends: the result table itself
(the aggregated points, so `byzer run`, tests and later statements see the data) with the chart
in its schema metadata under CHART_KEY, as JSON:

    {"version": 1, "figure": {"data": [...], "layout": {...}}, "text": "bar chart: ..."}

`figure` is a Plotly figure in plain JSON (lists, no typed arrays), `text` describes the chart in
one line for text-only front-ends. byzer_kernel/charts.py turns it into a display bundle. A later
`select` makes a new table without the metadata: a chart belongs to the statement that drew it.
"""
from __future__ import annotations

import base64
import datetime
import decimal
import json
import math
from typing import Any, Optional

import pyarrow as pa

CHART_KEY = b"byzer.chart"
SPEC_VERSION = 1


def with_chart(table: pa.Table, figure: dict, text: str) -> pa.Table:
    """`table` carrying the chart (its data unchanged, zero-copy)."""
    spec = {"version": SPEC_VERSION, "figure": figure, "text": text}
    encoded = json.dumps(spec, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    metadata = {**(table.schema.metadata or {}), CHART_KEY: encoded.encode()}
    return table.replace_schema_metadata(metadata)


def chart_of(table: pa.Table) -> Optional[dict]:
    """The chart a chart command put on `table`, or None."""
    raw = (table.schema.metadata or {}).get(CHART_KEY)
    if raw is None:
        return None
    spec = json.loads(raw)
    return spec if spec.get("version") == SPEC_VERSION else None


def json_value(value: Any) -> Any:
    """A value of an Arrow column (or of a Plotly figure) as plain JSON: dates and times as ISO
    text (Plotly reads them as dates), decimals as numbers, NaN and infinities as null (JSON has
    neither; Plotly leaves a gap, as it does for NaN), bytes by their size."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return json_value(float(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            return typed_array(value)
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return str(value)


def typed_array(spec: dict) -> list:
    """Plotly's base64 typed array ({"dtype", "bdata", "shape"}) as a plain list, so the figure
    reads the same in every Plotly renderer, old ones included."""
    import numpy as np

    values = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.dtype(spec["dtype"]))
    shape = spec.get("shape")
    if shape:
        dims = [int(d) for d in str(shape).split(",")] if not isinstance(shape, list) else shape
        values = values.reshape(dims)
    return json_value(values.tolist())


def column_values(table: pa.Table, name: str) -> list:
    return [json_value(v) for v in table.column(name).to_pylist()]


_template: Optional[dict] = None


def default_template() -> dict:
    """Plotly's default template (the one plotly.express applies), so `!plot` and `!visualize`
    charts look alike; read once (importing plotly.io takes a quarter of a second)."""
    global _template
    if _template is None:
        import plotly.io as pio

        _template = json_value(pio.templates[pio.templates.default].to_plotly_json())
    return _template


def layout(title: str, x_title: Optional[str], y_title: Optional[str], legend_title: Optional[str] = None,
           **extra) -> dict:
    """A figure layout with the default template, the title and the axis titles."""
    result: dict = {"template": default_template(), "title": {"text": title}}
    if x_title is not None:
        result["xaxis"] = {"title": {"text": x_title}}
    if y_title is not None:
        result["yaxis"] = {"title": {"text": y_title}}
    if legend_title is not None:
        result["legend"] = {"title": {"text": legend_title}}
    result.update(extra)
    return result
