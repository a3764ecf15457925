"""`load Rest.`url`` and `save t as Rest.`url`` (docs/spec.md §3.3), as byzer-lang's MLSQLRest does them.

A load answers a table of `content` (binary, the answer's body) and `status` (int, the HTTP status): one
row per request, several with `config.page.*` paging. As in Byzer, a single request that fails gives its
row rather than an error (status 500 with the body; status 0 and the message for a timeout or a refused
connection), after `config.retry` tries; while paging, a failed page stops the load with an error
(`config.page.error.strategy`="abort") or ends it with the pages read so far ("skip"). The JSON in
`content` is read the way jsonStr reads it: `select string(content) as c from t` then a `set` of type sql
and `load jsonStr`, or JsonExpandExt.

`config.format`="json" (ours, not Byzer's) gives the table directly instead: each page's JSON body (an
object or an array of objects) read by jsonStr's reader; then an answer other than 2xx, a timeout or a
body that is not JSON is one error naming the URL, the status and the first line of the body.

A save sends the request described by the options (`body` or `form.*`); the table's rows are not sent,
as in Byzer, and an answer other than 200 fails the save.
"""
from __future__ import annotations

import json
import re
import time
from urllib.parse import urlencode

import pyarrow as pa

from ...lang.errors import ByzerRuntimeError, UsageError
from .json_reader import read_json_text
from .rest_pagination import PageStrategy

_REST_SCHEMA = pa.schema([("content", pa.binary()), ("status", pa.int32())])
_TIME_UNITS = {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}


def time_ms(name: str, text: str) -> float:
    """Spark's JavaUtils.timeStringAsMs: `10s`, `10ms`, `1.5`... a bare number is milliseconds."""
    match = re.fullmatch(r"\s*(\d+)\s*([a-z]*)\s*", str(text).lower())
    if match is None or match.group(2) not in ("", *_TIME_UNITS):
        raise UsageError(f"option `{name}` must be a duration such as \"10s\" or \"500ms\", got \"{text}\"")
    return int(match.group(1)) * _TIME_UNITS.get(match.group(2), 1)


def _whole(options: dict, name: str, default: int) -> int:
    text = options.get(name, str(default))
    try:
        return int(str(text).strip())
    except ValueError:
        raise UsageError(f"option `{name}` must be a whole number, got \"{text}\"")


def _boolean(options: dict, name: str) -> bool:
    text = str(options.get(name, "false")).strip().lower()
    if text not in ("true", "false"):
        raise UsageError(f"option `{name}` must be \"true\" or \"false\", got \"{options[name]}\"")
    return text == "true"


def _with_params(url: str, params: list) -> str:
    if not params:
        return url
    query = urlencode(params)
    if "?" not in url:
        return url + "?" + query
    return url + query if url.endswith("?") else url + "&" + query


def _request_args(url: str, options: dict, skip_params: bool, saving: bool) -> dict:
    """The method, URL, headers and body MLSQLRest._http builds from the options."""
    method = str(options.get("config.method", "get")).lower()
    form = [(key[len("form."):], value) for key, value in options.items() if key.startswith("form.")]
    if method not in ("get", "post", "put") or (saving and method == "put"):
        raise UsageError(f"HTTP method {method} is not supported by Rest "
                         f"(`config.method`: {'GET or POST' if saving else 'GET, POST or PUT'})")
    headers = {key[len("header."):]: value for key, value in options.items() if key.startswith("header.")}
    content_type = options.get("header.content-type",
                               options.get("header.Content-Type", "application/x-www-form-urlencoded"))
    for key in [k for k in headers if k.lower() == "content-type"]:
        del headers[key]
    headers["Content-Type"] = content_type
    args = {"method": method.upper(), "url": url, "headers": headers}
    if method == "get":
        args["url"] = url if skip_params else _with_params(url, form)
    elif content_type.strip().startswith("application/json"):
        if "body" in options:
            args["data"] = options["body"].encode("utf-8")
    elif content_type.strip().startswith("application/x-www-form-urlencoded"):
        args["data"] = urlencode(form).encode("utf-8")
    else:
        raise UsageError(f"content-type {content_type} is not supported by Rest here "
                         "(application/json or application/x-www-form-urlencoded)")
    timeouts = (options.get("config.connect-timeout"), options.get("config.socket-timeout"))
    connect = time_ms("config.connect-timeout", timeouts[0]) / 1000 if timeouts[0] else None
    read = time_ms("config.socket-timeout", timeouts[1]) / 1000 if timeouts[1] else None
    args["timeout"] = (connect, read)
    return args


def _call(args: dict, debug: bool, events) -> tuple[bytes, int]:
    """One request: (body, status); a failure to get an answer is (message, 0) as in Byzer."""
    import requests

    started = time.monotonic()
    try:
        response = requests.request(**args)
        answer = (response.content, response.status_code)
    except requests.Timeout as error:
        answer = (f"timeout calling {args['url']}: {error}".encode("utf-8"), 0)
    except requests.RequestException as error:
        answer = (f"cannot call {args['url']}: {error}".encode("utf-8"), 0)
    if debug and events is not None and hasattr(events, "log"):
        events.log(f"Rest {args['method']} {args['url']}: status {answer[1]}, "
                   f"{(time.monotonic() - started) * 1000:.0f}ms")
    return answer


def _call_with_retries(args: dict, tries: int, interval_ms: float, debug: bool, events) -> tuple[bytes, int]:
    """RestUtils.executeWithRetrying: up to `tries` requests until one answers 200."""
    for attempt in range(max(tries, 1)):
        content, status = _call(args, debug, events)
        if status == 200:
            break
        if attempt + 1 < tries:
            time.sleep(interval_ms / 1000)
    return content, status


def _table(rows: list) -> pa.Table:
    return pa.table({"content": pa.array([r[0] for r in rows], pa.binary()),
                     "status": pa.array([r[1] for r in rows], pa.int32())}, schema=_REST_SCHEMA)


def _first_line(content: bytes) -> str:
    text = content[:2000].decode("utf-8", "replace").strip()
    return text.splitlines()[0][:300] if text else "(empty body)"


def _json_lines(url: str, content: bytes, status: int) -> list[str]:
    """One page of `config.format`="json": its objects, one JSON line each, as jsonStr takes them
    (a pretty-printed body spans lines, which Spark's line reader would turn into corrupt records)."""
    if not 200 <= status < 300:
        what = "no answer" if status == 0 else f"status {status}"
        raise ByzerRuntimeError(f"Rest {url} answered {what}: {_first_line(content)}")
    try:
        document = json.loads(content.decode("utf-8"))
    except ValueError:
        raise ByzerRuntimeError(f"Rest {url} (status {status}) did not answer JSON "
                                f"(config.format=\"json\"): {_first_line(content)}")
    items = document if isinstance(document, list) else [document]
    if not all(isinstance(item, dict) for item in items):
        raise ByzerRuntimeError(f"Rest {url} (status {status}) answered JSON that is not an object or an "
                                f"array of objects (config.format=\"json\"): {_first_line(content)}")
    return [json.dumps(item, ensure_ascii=False) for item in items]


def _answers(rows: list, urls: list, as_json: bool, options: dict) -> pa.Table:
    if not as_json:
        return _table(rows)
    lines = [line for (content, status), url in zip(rows, urls) for line in _json_lines(url, content, status)]
    return read_json_text("\n".join(lines), options)


def load_rest(session, path: str, options: dict, events=None) -> pa.Table:
    if not path:
        raise UsageError("load Rest needs a URL: load Rest.`http://host/api` as t")
    answer_format = str(options.get("config.format", "raw")).strip().lower()
    if answer_format not in ("raw", "json"):
        raise UsageError(f"option `config.format` must be \"raw\" (content and status, Byzer's form) or "
                         f"\"json\" (the JSON answer as a table), got \"{options['config.format']}\"")
    as_json = answer_format == "json"
    skip_params = _boolean(options, "config.page.skip-params")
    debug = _boolean(options, "config.debug")
    interval = time_ms("config.retry.interval", options.get("config.retry.interval", "1s"))
    paging = ("config.page.next" in options, "config.page.values" in options)
    if paging == (False, False):
        tries = _whole(options, "config.retry", _whole(options, "config.page.retry", 3))
        args = _request_args(path, options, skip_params, saving=False)
        return _answers([_call_with_retries(args, tries, interval, debug, events)], [args["url"]], as_json, options)
    if paging != (True, True):
        raise UsageError("Rest paging needs both `config.page.next` and `config.page.values`")
    error_strategy = options.get("config.page.error.strategy", "abort")
    if error_strategy not in ("abort", "skip"):
        raise UsageError(f"`config.page.error.strategy` must be abort or skip, got \"{error_strategy}\"")
    limit = _whole(options, "config.page.limit", 1)
    page_interval = time_ms("config.page.interval", options.get("config.page.interval", "10ms"))
    tries = _whole(options, "config.page.retry", 3)
    strategy = PageStrategy(options)
    rows, urls, url, count = [], [], path, 0
    while True:
        # The first request carries the form.* parameters; the next ones only if skip-params is false.
        args = _request_args(url, options, skip_params if count else False, saving=False)
        content, status = _call_with_retries(args, tries, interval, debug, events)
        if status != 200:
            if error_strategy == "abort":
                raise ByzerRuntimeError(
                    f"Rest page {count + 1} ({url}) answered status {status} after {tries} tries: "
                    f"{content[:500].decode('utf-8', 'replace')}")
            return _answers(rows or [(content, status)], urls or [args["url"]], as_json, options)
        rows.append((content, status))
        urls.append(args["url"])
        strategy.advance(content.decode("utf-8", "replace"))
        url = strategy.next_url
        count += 1
        if count >= limit or not strategy.has_next:
            return _answers(rows, urls, as_json, options)
        time.sleep(page_interval / 1000)


def save_rest(session, table: pa.Table, path: str, mode: str, options: dict, partition_by=()) -> pa.Table:
    """MLSQLRest.save: one request built from the options; an answer other than 200 fails the save."""
    if not path:
        raise UsageError("save as Rest needs a URL: save t as Rest.`http://host/api` where ...")
    args = _request_args(path, options, skip_params=False, saving=True)
    content, status = _call(args, False, None)
    if status != 200:
        raise ByzerRuntimeError(f"Fail to save {path}: status {status}: "
                                f"{content[:500].decode('utf-8', 'replace')}")
    return pa.table({"path": [path], "format": ["Rest"], "mode": [mode], "status": ["written"],
                     "rows": pa.array([0], pa.int64()), "files": pa.array([0], pa.int64())})
