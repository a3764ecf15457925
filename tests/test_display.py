"""Result tables and messages as text/html + text/plain (byzer_kernel.display)."""
import base64
import datetime
import decimal
import json
import re

import pyarrow as pa

from byzer_kernel import display as show
from byzer_kernel.lang.errors import ByzerSyntaxError
from byzer_kernel.lang.statements import Span


def numbers(n):
    return pa.table({"n": list(range(n)), "word": [f"w{i}" for i in range(n)]})


def test_text_table_has_columns_rows_and_row_count():
    text = show.format_table_text(numbers(3), limit=10)
    lines = text.splitlines()
    assert lines[1].split("|")[1].strip() == "n" and lines[1].split("|")[2].strip() == "word"
    assert "| 2 | w2   |" in text
    assert lines[-1] == "3 rows"


def test_display_limit_cuts_rows_with_a_footer():
    table = numbers(30)
    text = show.format_table_text(table, limit=5, name="t")
    assert "w4" in text and "w5" not in text
    assert text.splitlines()[-1] == "t: showing 5 of 30 rows"
    html = show.format_table_html(table, limit=5)
    assert html.count("<tr>") == 6  # header + 5 rows
    assert "showing 1–5 of 30 rows" in html
    assert "showing 1–20 of 200,000 rows" in show.format_table_html(numbers(200_000))


def test_no_limit_shows_every_row():
    text = show.format_table_text(numbers(30), limit=0)
    assert "w29" in text and text.endswith("30 rows")
    assert show.format_table_text(numbers(1), limit=None).endswith("1 row")


def test_values_are_escaped_and_abbreviated():
    table = pa.table({"v": ["<b>x</b>", "y" * 500, None], "raw": [b"abc", None, b""]})
    html = show.format_table_html(table, limit=10)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    text = show.format_table_text(table, limit=10)
    assert "<3 bytes>" in text and "null" in text
    assert max(len(line) for line in text.splitlines()) < 200


def header_cells(page: str) -> list[str]:
    return re.findall(r"<th[^>]*>.*?</th>", page)


def body_cells(page: str) -> list[str]:
    return re.findall(r"<td[^>]*>.*?</td>", page)


def test_html_headers_name_each_columns_spark_type():
    table = pa.table({"id": pa.array([1], pa.int64()), "price": pa.array([decimal.Decimal("1.50")], pa.decimal128(10, 2)),
                      "tags": pa.array([["a"]], pa.list_(pa.string()))})
    ids, price, tags = header_cells(show.format_table_html(table))
    assert 'title="id: bigint"' in ids and '<small class="byzer-type">bigint</small>' in ids
    assert ">decimal(10,2)</small>" in price and ">array&lt;string&gt;</small>" in tags


def test_html_sets_nulls_apart_from_the_text_null():
    page = show.format_table_html(pa.table({"v": [None, "null"]}))
    null, text = body_cells(page)
    assert '<em class="byzer-null">null</em>' in null and "<em" not in text and ">null<" in text
    assert ".byzer-result .byzer-null{" in page  # its colour comes with the output, theme variable first
    assert "var(--jp-ui-font-color3" in page


def test_html_keeps_numbers_and_dates_on_one_line():
    table = pa.table({"n": [12345.5], "day": [datetime.date(2024, 1, 31)],
                      "at": pa.array([datetime.datetime(2024, 1, 31, 8)], pa.timestamp("us", tz="UTC")),
                      "word": ["a b c"]})
    n, day, at, word = body_cells(show.format_table_html(table))
    assert "text-align:right" in n and "white-space:nowrap" in n
    assert "white-space:nowrap" in day and "white-space:nowrap" in at and "text-align:right" not in day
    assert "style=" not in word
    assert "text-align:right" in header_cells(show.format_table_html(table))[0]


def test_bundle_carries_the_viewer_data_when_the_viewer_keeps_the_table():
    kept = []

    def keep(table, name):
        kept.append((table, name))
        return "id-1"

    table = pa.table({"n": list(range(30)), "d": [datetime.date(2024, 1, 1)] * 30,
                      "x": [None, b"ab", *[b""] * 28]})
    bundle = show.table_bundle(table, limit=5, name="t", keep=keep)
    data = bundle["application/vnd.byzer.table+json"]
    assert kept[0][0] is table and kept[0][1] == "t"
    assert data["table_id"] == "id-1" and data["version"] == 1 and data["name"] == "t"
    assert data["columns"] == [{"name": "n", "type": "bigint"}, {"name": "d", "type": "date"},
                               {"name": "x", "type": "binary"}]
    assert data["rows"][:2] == [[0, "2024-01-01", None], [1, "2024-01-01", "<2 bytes>"]] and len(data["rows"]) == 5
    assert (data["total_rows"], data["offset"], data["page_size"], data["sort"]) == (30, 0, 5, [])
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert "application/vnd.byzer.table+json" not in show.table_bundle(table, limit=5)


def test_content_mime_rows_show_as_image_html_or_markdown():
    png = base64.b64encode(b"\x89PNG fake").decode()
    image = show.table_bundle(pa.table({"content": [png], "mime": ["image"]}))
    assert image["image/png"] == png and "text/plain" in image
    page = show.table_bundle(pa.table({"content": ["<h1>hi</h1>"], "mime": ["html"]}))
    assert page["text/html"] == "<h1>hi</h1>"
    notes = show.table_bundle(pa.table({"content": ["# Title"], "mime": ["markdown"]}))
    assert notes["text/markdown"] == "# Title"
    other = show.table_bundle(pa.table({"content": ["x"], "mime": ["unknown"]}))
    assert "<table" in other["text/html"]


def test_python_conf_results_are_one_line():
    table = pa.table({"k": ["schema", "dataMode"], "v": ["st(field(a,long))", "data"],
                      "config": ["{}", "{}"]})
    assert show.is_conf_table(table, "python_conf") == "conf"
    assert show.is_conf_table(table, "other") is None
    bundle = show.conf_bundle(table, "conf")
    assert bundle["text/plain"] == "python conf: schema=st(field(a,long)), dataMode=data"


def test_error_lines_are_headline_then_detail():
    error = ByzerSyntaxError("unexpected `selct`", span=Span(2, 1, 10, 15), statement_text="selct 1",
                             detail="selct 1\n^")
    assert show.error_lines(error) == ["SyntaxError at line 2:1 in `selct 1`: unexpected `selct`",
                                       "selct 1", "^"]


def test_error_lines_of_any_exception_are_bounded():
    from byzer_kernel.lang.errors import MESSAGE_MAX_LINES

    lines = show.error_lines(ValueError("\n".join(["row"] * 5000)))
    assert len(lines) <= MESSAGE_MAX_LINES and any(line.startswith("... (4,80") for line in lines)
