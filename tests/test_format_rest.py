"""`load Rest` / `save as Rest` (docs/spec.md §3.3) against a local HTTP server started here."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from byzer_kernel.lang.errors import ByzerError, ByzerRuntimeError, UsageError

ROWS = [{"id": 1, "name": "a", "info": {"city": "x", "tags": ["p", "q"]}},
        {"id": 2, "name": "b", "info": {"city": "y", "tags": []}}]


class Api:
    """What the handler serves, and what it saw."""

    def __init__(self):
        self.requests = []
        self.release_slow = threading.Event()


def _handler(api: Api):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, status, payload, content_type="application/json"):
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _serve(self, method):
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            api.requests.append({"method": method, "path": url.path, "query": query, "body": body,
                                 "headers": {k.lower(): v for k, v in self.headers.items()}})
            if url.path == "/array":
                self._answer(200, ROWS)
            elif url.path == "/pages":  # auto-increment: items until page 3
                page = int(query.get("page", "0"))
                self._answer(200, {"page": page, "items": [page * 10, page * 10 + 1] if page < 3 else []})
            elif url.path == "/cursor":  # the next link in the answer, none on the last page
                cursor = int(query.get("cursor", "0"))
                answer = {"data": [cursor]}
                if cursor < 2:
                    answer["next"] = f"http://127.0.0.1:{self.server.server_port}/cursor?cursor={cursor + 1}"
                self._answer(200, answer)
            elif url.path == "/fail":
                self._answer(500, b"boom", "text/plain")
            elif url.path == "/slow":
                api.release_slow.wait(10)
                self._answer(200, {"late": True})
            elif url.path == "/text":
                self._answer(200, b"<html>not json\n</html>", "text/html")
            elif url.path == "/echo":
                self._answer(200, {"ok": True})
            else:
                self._answer(404, {"error": "no such path"})

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def do_PUT(self):
            self._serve("PUT")

    return Handler


@pytest.fixture
def api():
    state = Api()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}"
    yield state
    state.release_slow.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_json_array_loads_as_content_and_status_then_through_jsonstr(session, api):
    result = session.execute(f"""load Rest.`{api.url}/array`
 where `config.connect-timeout`="10s"
 and `config.method`="GET"
 and `header.accept`="application/vnd.github.v3+json"
as github_org;""")
    assert result.table.column_names == ["content", "status"]
    assert str(result.table.schema.field("content").type) == "binary"
    assert result.table.column("status").to_pylist() == [200]
    assert json.loads(result.table.column("content")[0].as_py()) == ROWS
    assert api.requests[0]["headers"]["accept"] == "application/vnd.github.v3+json"
    # The JSON answer read as jsonStr reads it: nested objects become structs.
    rows = session.execute("""select string(content) as content from github_org as response_content;
set body = `select content from response_content` where type="sql";
load jsonStr.`body` as items;
select id, info.city as city, info.tags as tags from items as out;""").table.to_pylist()
    assert rows == [{"id": 1, "city": "x", "tags": ["p", "q"]}, {"id": 2, "city": "y", "tags": []}]


def test_get_form_parameters_go_into_the_query(session, api):
    session.execute(f"""load Rest.`{api.url}/echo?x=1` where `form.q`="a b" and `form.n`="2" as t;""")
    assert api.requests[0]["query"] == {"x": "1", "q": "a b", "n": "2"}


def test_post_json_body_and_form(session, api):
    session.execute(f"""load Rest.`{api.url}/echo`
 where `config.method`="POST" and `header.content-type`="application/json"
 and `body`='''{{"query":"b"}}''' as t;""")
    seen = api.requests[-1]
    assert seen["method"] == "POST" and json.loads(seen["body"]) == {"query": "b"}
    assert seen["headers"]["content-type"] == "application/json"
    session.execute(f"""load Rest.`{api.url}/echo` where `config.method`="post" and `form.a`="1" as t;""")
    seen = api.requests[-1]
    assert parse_qs(seen["body"]) == {"a": ["1"]}
    assert seen["headers"]["content-type"] == "application/x-www-form-urlencoded"


def test_auto_increment_pages_until_the_stop_condition(session, api):
    table = session.execute(f"""load Rest.`{api.url}/pages?page=0`
 where `config.page.next`="{api.url}/pages?page={{0}}"
 and `config.page.values`="auto-increment:0"
 and `config.page.stop`="sizeZero:$.items"
 and `config.page.limit`="10"
 and `config.page.interval`="1ms"
 as t;""").table
    pages = [json.loads(c)["page"] for c in table.column("content").to_pylist()]
    # Page 3 answers an empty list: it is kept (Byzer writes each page before testing the stop).
    assert pages == [0, 1, 2, 3]
    assert table.column("status").to_pylist() == [200] * 4


def test_next_link_from_a_json_path_and_the_page_limit(session, api):
    options = f"""where `config.page.next`="{{0}}" and `config.page.values`="$.next" and `config.page.interval`="1ms\""""
    table = session.execute(f"load Rest.`{api.url}/cursor` {options} and `config.page.limit`=\"10\" as t;").table
    assert [json.loads(c)["data"] for c in table.column("content").to_pylist()] == [[0], [1], [2]]
    limited = session.execute(f"load Rest.`{api.url}/cursor` {options} and `config.page.limit`=\"2\" as t;").table
    assert limited.num_rows == 2


def test_offset_pages(session, api):
    table = session.execute(f"""load Rest.`{api.url}/pages?page=0`
 where `config.page.next`="{api.url}/pages?page={{0}}"
 and `config.page.values`="offset:0,2" and `config.page.limit`="3" and `config.page.interval`="1ms" as t;""").table
    assert [json.loads(c)["page"] for c in table.column("content").to_pylist()] == [0, 2, 4]


def test_a_500_answer_is_a_status_row_after_the_retries(session, api):
    table = session.execute(f"""load Rest.`{api.url}/fail`
 where `config.retry`="2" and `config.retry.interval`="1ms" as t;""").table
    assert table.to_pylist() == [{"content": b"boom", "status": 500}]
    assert len([r for r in api.requests if r["path"] == "/fail"]) == 2


def test_a_timeout_is_a_status_0_row_naming_it(session, api):
    table = session.execute(f"""load Rest.`{api.url}/slow`
 where `config.socket-timeout`="200ms" and `config.retry`="1" as t;""").table
    assert table.column("status").to_pylist() == [0]
    assert b"timeout" in table.column("content")[0].as_py()


def test_a_failing_page_stops_the_load_with_one_error(session, api):
    with pytest.raises(ByzerRuntimeError) as error:
        session.execute(f"""select 1 as a as kept;
load Rest.`{api.url}/fail` where `config.page.next`="{{0}}" and `config.page.values`="$.next"
 and `config.page.retry`="1" as t;""")
    assert "status 500" in str(error.value) and "boom" in str(error.value) and "2:1" in str(error.value)
    assert session.table("kept").num_rows == 1
    skipped = session.execute(f"""load Rest.`{api.url}/fail` where `config.page.next`="{{0}}"
 and `config.page.values`="$.next" and `config.page.retry`="1"
 and `config.page.error.strategy`="skip" as t;""").table
    assert skipped.column("status").to_pylist() == [500]


def test_save_posts_the_body_and_a_failure_fails_the_save(session, api):
    session.execute("select 1 as a as data;")
    result = session.execute(f"""save overwrite data as Rest.`{api.url}/echo` where
 `config.connect-timeout`="10s"
 and `config.method`="POST"
 and `header.content-type`="application/json"
 and `body`='''
{{
"query":"b"
}}
''';""").table
    assert result.column("status").to_pylist() == ["written"]
    assert json.loads(api.requests[-1]["body"]) == {"query": "b"}
    with pytest.raises(ByzerRuntimeError, match="Fail to save"):
        session.execute(f"""save overwrite data as Rest.`{api.url}/fail` where `config.method`="POST";""")


def test_bad_options_are_usage_errors(session, api):
    with pytest.raises(UsageError, match="HTTP method delete"):
        session.execute(f"""load Rest.`{api.url}/echo` where `config.method`="delete" as t;""")
    with pytest.raises(UsageError, match="config.connect-timeout"):
        session.execute(f"""load Rest.`{api.url}/echo` where `config.connect-timeout`="soon" as t;""")
    with pytest.raises(UsageError, match="both"):
        session.execute(f"""load Rest.`{api.url}/echo` where `config.page.next`="{{0}}" as t;""")
    with pytest.raises(ByzerError, match="config.page.stop"):
        session.execute(f"""load Rest.`{api.url}/pages` where `config.page.next`="{{0}}"
 and `config.page.values`="auto-increment:0" and `config.page.stop`="never:$.x" as t;""")


# `config.format`="json": the answer's JSON as a table, read by jsonStr's reader (docs/spec.md §3.3).

def test_json_format_reads_an_array_of_nested_objects_as_jsonstr_does(session, api):
    table = session.execute(f"""load Rest.`{api.url}/array` where `config.format`="json" as items;""").table
    # jsonStr's inference: fields sorted, nested objects as structs, arrays as lists, integers as bigint.
    assert table.column_names == ["id", "info", "name"]
    assert str(table.schema.field("id").type) == "int64"
    assert table.to_pylist() == ROWS
    rows = session.execute("select id, info.city as city, info.tags[0] as tag from items as out;").table.to_pylist()
    assert rows == [{"id": 1, "city": "x", "tag": "p"}, {"id": 2, "city": "y", "tag": None}]
    single = session.execute(f"""load Rest.`{api.url}/echo` where `config.format`="json" as one;""").table
    assert single.to_pylist() == [{"ok": True}]


def test_json_format_with_pages_reads_all_pages_into_one_table(session, api):
    table = session.execute(f"""load Rest.`{api.url}/pages?page=0`
 where `config.format`="json"
 and `config.page.next`="{api.url}/pages?page={{0}}"
 and `config.page.values`="auto-increment:0"
 and `config.page.stop`="sizeZero:$.items"
 and `config.page.limit`="10"
 and `config.page.interval`="1ms"
 as t;""").table
    assert table.to_pylist() == [{"items": [0, 1], "page": 0}, {"items": [10, 11], "page": 1},
                                 {"items": [20, 21], "page": 2}, {"items": [], "page": 3}]


@pytest.mark.parametrize("path, options, expected", [
    ("/fail", '`config.retry`="1"', ["status 500", "boom"]),
    ("/slow", '`config.retry`="1" and `config.socket-timeout`="200ms"', ["no answer", "timeout"]),
    ("/text", '`config.retry`="1"', ["did not answer JSON", "status 200", "<html>not json"]),
])
def test_json_format_fails_with_one_error_naming_url_status_and_body(session, api, path, options, expected):
    with pytest.raises(ByzerRuntimeError) as error:
        session.execute(f"""select 1 as a as kept;
load Rest.`{api.url}{path}` where `config.format`="json" and {options} as t;""")
    message = str(error.value)
    assert f"{api.url}{path}" in message and "2:1" in message and "load Rest" in message
    for part in expected:
        assert part in message
    assert "</html>" not in message  # only the first line of the body
    assert session.table("kept").to_pylist() == [{"a": 1}]


def test_json_format_an_unknown_value_is_a_usage_error(session, api):
    with pytest.raises(UsageError, match="config.format"):
        session.execute(f"""load Rest.`{api.url}/array` where `config.format`="xml" as t;""")
