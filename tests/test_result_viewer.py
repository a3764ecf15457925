"""The result viewer's kernel side (byzer_kernel.result_viewer): pages, sorts and downloads of a
kept result, answered in-process and over the `byzer.table` comm of a real Byzer kernel and of a
Python kernel with the %%byzer magic; the result bundle of an executed notebook in nbconvert's HTML."""
import base64
import datetime
import decimal
import io
import json
import time
import uuid

import nbformat
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

from byzer_kernel.engine import Session
from byzer_kernel.engine.types import SparkIntervalType
from byzer_kernel.result_viewer import MIME_TYPE, ResultRegistry, json_value, table_data
from kernel_cells import run_cell
from kernelspec_tools import jupyter_path_with_byzer

ROWS = 200_000
BIG = f"""select id, cast(id % 7 as int) as k, if(id % 5 = 0, null, concat('w', id)) as word,
       date_add(to_date('2024-01-01'), cast(id % 400 as int)) as day,
       cast(id / 4 as decimal(12,2)) as amount
from range({ROWS}) as big;"""


def expected_row(i: int) -> list:
    """Row `i` of BIG as the viewer sends it (JSON values: dates ISO, decimals as text)."""
    return [i, i % 7, None if i % 5 == 0 else f"w{i}",
            (datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 400)).isoformat(),
            f"{i // 4}.{i % 4 * 25:02d}"]


def k_descending_ids() -> list[int]:
    """Ids of BIG sorted by k descending, ties in table order (the viewer's sort is stable)."""
    return sorted(range(ROWS), key=lambda i: -(i % 7))


@pytest.fixture(scope="module")
def big_table(tmp_path_factory):
    session = Session(home=str(tmp_path_factory.mktemp("home")))
    yield session.execute(BIG).table
    session.close()


# -- in-process ----------------------------------------------------------------------------------

def test_values_are_json_as_the_contract_says():
    assert [json_value(v) for v in (None, True, 3, 2 ** 60, 1.5, float("nan"), float("-inf"))] == [
        None, True, 3, str(2 ** 60), 1.5, "NaN", "-Infinity"]
    assert json_value(b"abc") == "<3 bytes>" and json_value(decimal.Decimal("1.50")) == "1.50"
    assert json_value(datetime.date(2024, 1, 2)) == "2024-01-02"
    assert json_value(datetime.datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05"
    assert json_value([1, None]) == "[1, null]" and len(json_value("x" * 5000)) == 1000


def test_sorted_pages_are_stable_with_nulls_last_either_way(big_table):
    registry = ResultRegistry()
    table_id = registry.keep(big_table, "big")
    page = registry.answer(table_id, {"request": "page", "offset": 20, "limit": 20,
                                      "sort": [{"column": "k", "descending": True}], "request_id": 7})
    assert page["rows"] == [expected_row(i) for i in k_descending_ids()[20:40]]
    assert (page["offset"], page["total_rows"], page["request_id"]) == (20, ROWS, 7)
    assert page["sort"] == [{"column": "k", "descending": True}]
    for descending in (False, True):
        sort = [{"column": "word", "descending": descending}]
        last = registry.answer(table_id, {"request": "page", "offset": ROWS - 2, "limit": 5, "sort": sort})
        assert [row[2] for row in last["rows"]] == [None, None] and last["offset"] == ROWS - 2
    first = registry.answer(table_id, {"request": "page", "offset": 0, "limit": 3,
                                       "sort": [{"column": "word", "descending": False}]})
    assert [row[2] for row in first["rows"]] == ["w1", "w100001", "w100002"]  # w10, w100 ... are null
    plain = registry.answer(table_id, {"request": "page", "offset": 5, "limit": 2})
    assert plain["rows"] == [expected_row(5), expected_row(6)] and plain["sort"] == []
    past_the_end = registry.answer(table_id, {"request": "page", "offset": ROWS + 10, "limit": 5})
    assert past_the_end["rows"] == [] and past_the_end["offset"] == ROWS


def test_bad_requests_and_unknown_results_answer_one_error():
    registry = ResultRegistry()
    interval = pa.ExtensionArray.from_storage(SparkIntervalType("interval day"),
                                              pa.array([pa.MonthDayNano([0, 1, 0])], pa.month_day_nano_interval()))
    table_id = registry.keep(pa.table({"a": [1], "xs": [[1, 2]], "gap": interval}), "t")
    errors = {
        "unknown": registry.answer("gone", {"request": "page", "offset": 0, "limit": 5}),
        "kind": registry.answer(table_id, {"request": "nothing"}),
        "column": registry.answer(table_id, {"request": "page", "sort": [{"column": "b"}]}),
        "limit": registry.answer(table_id, {"request": "page", "limit": 0}),
        "big limit": registry.answer(table_id, {"request": "page", "limit": 1_000_000}),
        "offset": registry.answer(table_id, {"request": "page", "offset": "2"}),
        "array": registry.answer(table_id, {"request": "page", "sort": [{"column": "xs"}]}),
        "interval": registry.answer(table_id, {"request": "page", "sort": [{"column": "gap"}]}),
        "format": registry.answer(table_id, {"request": "download", "format": "xlsx"}),
        "not an object": registry.answer(table_id, ["page"]),
    }
    for case, answer in errors.items():
        assert list(answer) == ["error"], (case, answer)
    assert "no longer in the kernel" in errors["unknown"]["error"] and "run the cell again" in errors["unknown"]["error"]
    assert "no column 'b' in t (columns: a, xs, gap)" in errors["column"]["error"]
    assert "cannot sort t by `xs` (array<bigint>)" in errors["array"]["error"]
    assert "interval day" in errors["interval"]["error"]


def test_empty_results_have_no_rows_to_page():
    registry = ResultRegistry()
    for empty in (pa.table({}), pa.table({"a": pa.array([], pa.int64())})):  # no columns; no rows
        table_id = registry.keep(empty, None)
        page = registry.answer(table_id, {"request": "page", "offset": 0, "limit": 5})
        assert (page["rows"], page["offset"], page["total_rows"]) == ([], 0, 0)
        assert table_data(empty, table_id, None, 20)["rows"] == []


def test_the_registry_keeps_the_last_results_by_reference():
    registry = ResultRegistry(capacity=3)
    tables = [pa.table({"n": [i]}) for i in range(5)]
    ids = [registry.keep(t, f"t{i}") for i, t in enumerate(tables)]
    registry.get(ids[2])  # used: kept longer than t3
    registry.keep(pa.table({"n": [9]}), "t5")
    assert len(registry) == 3
    assert registry.get(ids[2])[0] is tables[2] and registry.get(ids[4])[0] is tables[4]
    for dropped in (ids[0], ids[1], ids[3]):
        assert "no longer in the kernel" in registry.answer(dropped, {"request": "page"})["error"]


def decoded(answer: dict) -> bytes:
    return base64.b64decode(answer["data_base64"])


def csv_table(data: bytes, schema: pa.Schema) -> pa.Table:
    return pacsv.read_csv(io.BytesIO(data), convert_options=pacsv.ConvertOptions(
        column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=False))


def test_downloads_are_the_whole_result_and_text_where_a_format_has_no_type(big_table):
    registry = ResultRegistry()
    table_id = registry.keep(big_table, "big")
    parquet = registry.answer(table_id, {"request": "download", "format": "parquet"})
    assert (parquet["format"], parquet["filename"]) == ("parquet", "big.parquet")
    assert pq.read_table(io.BytesIO(decoded(parquet))).equals(big_table)
    csv = registry.answer(table_id, {"request": "download", "format": "csv"})
    assert csv["filename"] == "big.csv"
    assert csv_table(decoded(csv), big_table.schema).equals(big_table)

    interval = pa.ExtensionArray.from_storage(SparkIntervalType("interval day to second"),
                                              pa.array([pa.MonthDayNano([0, 1, 7_200_000_000_000]), None],
                                                       pa.month_day_nano_interval()))
    odd = pa.table({"xs": [[1, 2], None], "m": pa.array([[("k", 1)], None], pa.map_(pa.string(), pa.int64())),
                    "raw": [b"\x00\xff", None], "gap": interval})
    odd_id = registry.keep(odd, "odd one")
    text = csv_table(decoded(registry.answer(odd_id, {"request": "download", "format": "csv"})),
                     pa.schema([(n, pa.string()) for n in odd.schema.names]))
    assert text.to_pylist() == [
        {"xs": "[1, 2]", "m": '[["k", 1]]', "raw": "AP8=", "gap": "INTERVAL '1 02:00:00' DAY TO SECOND"},
        {"xs": None, "m": None, "raw": None, "gap": None}]
    answer = registry.answer(odd_id, {"request": "download", "format": "parquet"})
    assert answer["filename"] == "odd_one.parquet"
    back = pq.read_table(io.BytesIO(decoded(answer)))
    assert back.column("xs").equals(odd.column("xs")) and back.column("raw").equals(odd.column("raw"))
    assert back.column("gap").to_pylist() == ["INTERVAL '1 02:00:00' DAY TO SECOND", None]


# -- over a kernel's comm -----------------------------------------------------------------------

def result_data(messages) -> dict:
    (result,) = [m for m in messages if m["msg_type"] == "execute_result"]
    return result["content"]["data"]


class Viewer:
    """The front-end side of one `byzer.table` comm, speaking the Jupyter protocol directly."""

    def __init__(self, client, table_id):
        self.client, self.comm_id = client, uuid.uuid4().hex
        self._send("comm_open", {"comm_id": self.comm_id, "target_name": "byzer.table",
                                 "data": {"table_id": table_id}})

    def _send(self, msg_type, content):
        msg = self.client.session.msg(msg_type, content)
        self.client.shell_channel.send(msg)
        return msg["header"]["msg_id"]

    def ask(self, request: dict, timeout: float = 120) -> dict:
        msg_id = self._send("comm_msg", {"comm_id": self.comm_id, "data": request})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self.client.get_iopub_msg(timeout=timeout)
            if msg["msg_type"] == "comm_close" and msg["content"]["comm_id"] == self.comm_id:
                raise AssertionError("the kernel closed the comm (no byzer.table target?)")
            if msg["msg_type"] == "comm_msg" and msg["parent_header"].get("msg_id") == msg_id:
                assert msg["content"]["comm_id"] == self.comm_id
                return msg["content"]["data"]
        raise AssertionError(f"no answer to {request} in {timeout}s")


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    home = tmp_path_factory.mktemp("kernel")
    env = {"JUPYTER_PATH": jupyter_path_with_byzer(home / "spec"), "BYZER_HOME": str(home)}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        yield home


def test_a_byzer_kernel_pages_sorts_and_downloads_a_200000_row_result(kernel_env, big_table):
    manager, client = start_new_kernel(kernel_name="byzer")
    try:
        data = result_data(run_cell(client, BIG))
        assert "showing 1–20 of 200,000 rows" in data["text/html"]
        assert data["text/plain"].endswith("big: showing 20 of 200000 rows")
        table = data[MIME_TYPE]
        assert (table["name"], table["total_rows"], table["page_size"], table["offset"]) == ("big", ROWS, 20, 0)
        assert [c["type"] for c in table["columns"]] == ["bigint", "int", "string", "date", "decimal(12,2)"]
        assert table["rows"] == [expected_row(i) for i in range(20)]

        viewer = Viewer(client, table["table_id"])
        page_2 = viewer.ask({"request": "page", "offset": 20, "limit": 20,
                             "sort": [{"column": "k", "descending": True}]})
        assert page_2["rows"] == [expected_row(i) for i in k_descending_ids()[20:40]]
        assert (page_2["offset"], page_2["total_rows"]) == (20, ROWS)
        csv = viewer.ask({"request": "download", "format": "csv"})
        assert csv["filename"] == "big.csv" and csv_table(decoded(csv), big_table.schema).equals(big_table)
        parquet = viewer.ask({"request": "download", "format": "parquet"})
        assert pq.read_table(io.BytesIO(decoded(parquet))).equals(big_table)

        unknown = Viewer(client, "not-a-result")
        answer = unknown.ask({"request": "page", "offset": 0, "limit": 20})
        assert list(answer) == ["error"] and "no longer in the kernel" in answer["error"]
        # The kernel still runs cells afterwards.
        assert "| 2 |" in result_data(run_cell(client, "select 2 as b as two;"))["text/plain"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_the_magic_in_a_python_kernel_answers_viewers_too(kernel_env):
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        run_cell(client, "%load_ext byzer_kernel")
        table = result_data(run_cell(client, "%%byzer\nselect id from range(50) as fifty;"))[MIME_TYPE]
        assert table["total_rows"] == 50 and len(table["rows"]) == 20
        page = Viewer(client, table["table_id"]).ask(
            {"request": "page", "offset": 45, "limit": 20, "sort": [{"column": "id", "descending": True}]})
        assert page["rows"] == [[4], [3], [2], [1], [0]]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


# -- output that lasts ---------------------------------------------------------------------------

def test_an_executed_notebook_keeps_the_result_through_save_reopen_and_nbconvert(kernel_env, tmp_path):
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "byzer", "display_name": "Byzer",
                                                           "language": "byzer"}})
    nb.cells = [nbformat.v4.new_code_cell(
        "select id, if(id = 1, null, concat('w', id)) as word, date_add(to_date('2024-01-01'), cast(id as int)) as day "
        "from range(30) as thirty;")]
    NotebookClient(nb, timeout=180, kernel_name="byzer", resources={"metadata": {"path": str(tmp_path)}}).execute()
    nbformat.write(nb, tmp_path / "saved.ipynb")
    reopened = nbformat.read(tmp_path / "saved.ipynb", as_version=4)
    nbformat.validate(reopened)
    (output,) = reopened.cells[0].outputs
    assert output.data[MIME_TYPE]["rows"][1] == [1, None, "2024-01-02"]
    assert json.loads(json.dumps(output.data[MIME_TYPE])) == output.data[MIME_TYPE]

    page, _ = HTMLExporter().from_notebook_node(reopened)
    assert '<small class="byzer-type">bigint</small>' in page and '<small class="byzer-type">date</small>' in page
    assert '<em class="byzer-null">null</em>' in page and ".byzer-result .byzer-null{" in page
    assert '<td style="white-space:nowrap">2024-01-02</td>' in page
    assert "showing 1–20 of 30 rows" in page
    assert page.count('<div class="byzer-result">') == 1  # the HTML shown; the JSON beside it is no error
