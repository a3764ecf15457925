"""The Ray ET driven directly (no parser): what the code sees and the RayContext API (docs/spec.md §6, §9)."""
import os
import subprocess
import sys
import textwrap
import time
import _thread

import pyarrow as pa
import pytest

from byzer_kernel.engine.run_statement import RunRequest
from byzer_kernel.lang.errors import PythonCodeError, SchemaError
from byzer_kernel.runtime.driver_client import cluster_for
from byzer_kernel.runtime.ray_et import run_ray
from seed import SEED_RESULT, SEED_ROWS

pytestmark = pytest.mark.ray


class Events:
    def __init__(self):
        self.progress_calls, self.ended, self.messages, self.phases = [], [], [], []

    def progress(self, statement, done, total, rows=0, *, phase=None, rows_total=None):
        self.progress_calls.append((done, total, rows))
        self.phases.append((phase, rows, rows_total))

    def progress_ended(self, statement, ok):
        self.ended.append(ok)

    def message(self, text):
        self.messages.append(text)


def seed_table():
    return pa.table({"Busn_A": [a for a, _ in SEED_ROWS], "Busn_B": [b for _, b in SEED_ROWS]})


def run(session, code, schema="st(field(ProductName,string),field(SubProduct,string))", mode="model",
        input_table="data", events=None, **options):
    if schema is not None:
        session.python_conf["schema"] = schema
    session.python_conf["dataMode"] = mode
    request = RunRequest(statement=None, input_table="command", path="",
                         options={"inputTable": input_table, "outputTable": "out",
                                  "code": textwrap.dedent(code), **options}, output_names=[])
    return run_ray(session, request, events or Events())


ECHO = """
from pyjava.api.mlsql import PythonContext, RayContext
ray_context = RayContext.connect(globals(), "127.0.0.1:10001")
def echo(row):
    row1 = {}
    row1["ProductName"] = str(row['Busn_A']) + '_jackm'
    row1["SubProduct"] = str(row['Busn_B']) + '_product'
    return row1
ray_context.foreach(echo)
"""

EXPECTED = SEED_RESULT


@pytest.fixture
def data_session(ray_session):
    ray_session.catalog.register("data", seed_table())
    return ray_session


def test_foreach_gives_the_seed_rows_in_input_order_with_progress(data_session):
    events = Events()
    table = run(data_session, ECHO, mode="data", events=events)
    assert table.to_pylist() == EXPECTED
    total = events.progress_calls[-1][1]
    assert total == 2  # the shared Ray has 2 CPUs
    assert events.progress_calls[-1] == (2, 2, 7) and events.ended == [True]
    assert events.phases[-1] == ("running", 7, 7)


SLOW_FOREACH = """
import time
from pyjava.api.mlsql import RayContext
rc = RayContext.connect(globals(), None)
def slow(row):
    time.sleep(0.002)
    return {"n": row["n"]}
rc.foreach(slow)
"""


def test_foreach_reports_rows_while_its_partitions_run(data_session):
    """The tasks stream the rows they have consumed: progress moves before any partition ends."""
    data_session.catalog.register("numbers", pa.table({"n": list(range(1500))}))
    events = Events()
    table = run(data_session, SLOW_FOREACH, schema="st(field(n,long))", mode="data", input_table="numbers",
                events=events)
    assert table.column("n").to_pylist() == list(range(1500))
    partial = [(done, rows) for (done, _, rows), (phase, _, _) in zip(events.progress_calls, events.phases)
               if phase == "running" and done < 2 and rows and 0 < rows < 1500]
    assert partial, events.phases


def test_data_servers_run_ends_collecting_its_result(data_session):
    code = """
    import ray
    from pyjava.api.mlsql import RayContext
    rc = RayContext.connect(globals(), None)
    servers = rc.data_servers()
    @ray.remote
    def count(server):
        return len(list(RayContext.collect_from([server])))
    context.build_result([{"n": n} for n in ray.get([count.remote(s) for s in servers])])
    """
    data_session.catalog.register("numbers", pa.table({"n": list(range(5000))}))
    events = Events()
    table = run(data_session, code, schema="st(field(n,long))", mode="data", input_table="numbers",
                events=events)
    assert sum(table.column("n").to_pylist()) == 5000
    assert events.phases[-1] == ("collecting", 2, None)  # the result's 2 rows converted


def test_map_iter(data_session):
    code = """
    from pyjava.api.mlsql import RayContext
    rc = RayContext.connect(globals(), None)
    def double(rows):
        for row in rows:
            yield {"a": str(row["Busn_A"] * 2), "b": "x"}
    rc.map_iter(double)
    """
    table = run(data_session, code, mode="data")
    assert table.column(0).to_pylist() == [str(a * 2) for a, _ in SEED_ROWS]


def test_foreach_in_model_mode_is_pyjavas_error(data_session):
    code = "RayContext_ = context.rayContext\nRayContext_.foreach(lambda r: r)\n"
    with pytest.raises(PythonCodeError) as info:
        run(data_session, code, mode="model")
    assert "Please setup dataMode as data instead of model" in str(info.value)


def test_context_is_a_pyjava_python_context_with_the_conf(data_session):
    data_session.python_conf["myKey"] = "myValue"
    code = """
    from pyjava.api.mlsql import PythonContext, RayContext
    assert isinstance(context, PythonContext) and data_manager is context
    assert globals()["context"] is context
    assert isinstance(RayContext.connect(globals(), None), RayContext)
    keys = ["schema", "dataMode", "runIn", "pythonMode", "HOME", "OWNER", "timezone", "myKey"]
    context.build_result([{"k": k, "v": context.conf[k]} for k in keys])
    """
    table = run(data_session, code, schema="st(field(k,string),field(v,string))")
    conf = dict(zip(table.column(0).to_pylist(), table.column(1).to_pylist()))
    assert conf["pythonMode"] == "ray" and conf["dataMode"] == "model" and conf["myKey"] == "myValue"
    assert conf["HOME"] == str(data_session.home) and conf["OWNER"] == data_session.owner
    assert conf["runIn"] and conf["timezone"]


def test_collect_and_to_pandas_in_the_driver(data_session):
    code = """
    rc = context.rayContext
    rows = list(rc.collect())
    df = rc.to_pandas()
    rc.build_result([{"n": len(rows), "s": int(df["Busn_A"].sum()), "t": type(rows[0]["Busn_A"]).__name__}])
    """
    table = run(data_session, code, schema="st(field(n,long),field(s,long),field(t,string))")
    assert table.to_pylist() == [{"n": 7, "s": sum(a for a, _ in SEED_ROWS), "t": "int"}]
    assert cluster_for(data_session).connection is None  # no Ray needed


def test_data_servers_read_inside_ray_tasks(data_session):
    code = """
    import ray
    from pyjava.api.mlsql import RayContext
    rc = RayContext.connect(globals(), "127.0.0.1:10001")
    servers = rc.data_servers()
    @ray.remote
    def read_all(servers):
        return [row["Busn_A"] for row in RayContext.collect_from(servers)]
    @ray.remote
    def read_one(server):
        return [row["Busn_B"] for row in RayContext.fetch_once_as_rows(server)]
    half = len(servers) // 2
    first = ray.get(read_all.remote(servers[:half]))
    rest = ray.get([read_one.remote(s) for s in servers[half:]])
    context.build_result([{"n": len(servers), "a": str(first), "b": str(rest)}])
    """
    row = run(data_session, code, schema="st(field(n,long),field(a,string),field(b,string))").to_pylist()[0]
    n = row["n"]
    sizes = [4, 3] if n == 2 else None
    assert n == 2 and sizes
    assert row["a"] == str([a for a, _ in SEED_ROWS[:4]])
    assert row["b"] == str([[b for _, b in SEED_ROWS[4:]]])


def test_to_dataset(data_session):
    code = """
    from pyjava.api.mlsql import RayContext
    rc = RayContext.connect(globals(), "127.0.0.1:10001")
    ds = rc.to_dataset()
    context.build_result([{"count": ds.count()}])
    """
    assert run(data_session, code, schema="st(field(count,long))").to_pylist() == [{"count": 7}]


def test_build_result_from_dataframe_and_ray_context_build_result(data_session):
    code = """
    rc = context.rayContext
    df = rc.to_pandas()
    df["c"] = df["Busn_A"] + df["Busn_B"]
    rc.build_result_from_dataframe(df[["c", "Busn_A"]])
    """
    table = run(data_session, code, schema="st(field(total,long),field(a,long))")
    assert table.to_pylist()[0] == {"total": 171, "a": 114}
    code = "context.rayContext.build_result(iter([{'x': 'one', 'y': 'two'}]))"
    assert run(data_session, code, schema="x string, y string").to_pylist() == [{"x": "one", "y": "two"}]


def test_show_plt_rows(data_session):
    code = """
    from pyjava.api import Utils
    class Figure:
        def savefig(self, path):
            open(path, "wb").write(b"PNG")
    Utils.show_plt(Figure(), context)
    """
    table = run(data_session, code, schema="st(field(content,string),field(mime,string))")
    assert table.to_pylist() == [{"content": "UE5H", "mime": "image"}]


def test_no_build_result_gives_an_empty_table(data_session):
    table = run(data_session, "x = 1", schema="st(field(a,long))")
    assert table.num_rows == 0 and table.schema.names == ["a"]


def test_command_input_is_one_row_a_equals_1(data_session):
    code = "context.build_result(context.rayContext.collect())"
    assert run(data_session, code, schema="st(field(a,long))", input_table="command").to_pylist() == [{"a": 1}]


def test_missing_schema(data_session):
    data_session.python_conf.pop("schema", None)
    with pytest.raises(SchemaError) as info:
        run(data_session, "x = 1", schema=None)
    assert "Using `!python conf` to specify the python return value format is required" in info.value.message


def test_bad_schema(data_session):
    with pytest.raises(SchemaError, match="position"):
        run(data_session, "x = 1", schema="st(field(a,lon))")


def test_misfit_value_in_foreach(data_session):
    code = ECHO.replace("str(row['Busn_A']) + '_jackm'", "row['Busn_A']")
    with pytest.raises(SchemaError) as info:
        run(data_session, code, mode="data")
    message = info.value.message
    assert "column `ProductName`" in message and "string" in message and "Python int" in message


def test_exception_inside_a_ray_task_shows_the_users_line(data_session):
    code = ECHO.replace("row1 = {}", "row1 = {}\n    row1['x'] = row['missing']")
    with pytest.raises(PythonCodeError) as info:
        run(data_session, code, mode="data")
    text = str(info.value)
    assert "KeyError: 'missing'" in text
    assert 'File "<string>", line 6, in echo' in text and "row1['x'] = row['missing']" in text
    assert 'File "<string>", line 10, in <module>' in text and "ray_context.foreach(echo)" in text


def test_exception_in_the_driver_shows_the_users_line(data_session):
    with pytest.raises(PythonCodeError) as info:
        run(data_session, "a = 1\nb = a / 0\n", schema="st(field(a,long))")
    assert "ZeroDivisionError" in info.value.message
    assert 'File "<string>", line 2, in <module>\n    b = a / 0' in info.value.detail


def test_syntax_error(data_session):
    with pytest.raises(PythonCodeError) as info:
        run(data_session, "x = 1\ndef broken(:\n    pass\n", schema="st(field(a,long))")
    assert "SyntaxError" in info.value.message and "line 2" in info.value.message
    assert "def broken(:" in info.value.detail


def test_session_stays_usable_after_failures(data_session):
    first = run(data_session, ECHO, mode="data")
    with pytest.raises(PythonCodeError):
        run(data_session, "raise ValueError('boom')")
    with pytest.raises(PythonCodeError):
        run(data_session, ECHO.replace("return row1", "return row1 + 1"), mode="data")
    assert run(data_session, ECHO, mode="data").equals(first)
    assert data_session.table("data").equals(seed_table())


def test_python_env_in_driver_tasks_and_user_tasks(data_session):
    data_session.python_env["BYZER_TEST_VAR"] = "hello-env"
    code = """
    import os, ray
    from pyjava.api.mlsql import RayContext
    rc = RayContext.connect(globals(), "127.0.0.1:10001")
    @ray.remote
    def in_task():
        return os.environ.get("BYZER_TEST_VAR")
    @ray.remote(num_cpus=0)
    class InActor:
        def read(self):
            return os.environ.get("BYZER_TEST_VAR")
    driver = os.environ.get("BYZER_TEST_VAR")
    task = ray.get(in_task.remote())
    actor = InActor.remote()
    assert ray.get(actor.read.remote()) == driver, "actor env"
    ray.kill(actor)
    def echo(row):
        return {"d": driver, "t": task, "f": os.environ.get("BYZER_TEST_VAR")}
    rc.foreach(echo)
    """
    table = run(data_session, code, schema="st(field(d,string),field(t,string),field(f,string))", mode="data")
    assert set(map(tuple, (r.values() for r in table.to_pylist()))) == {("hello-env",) * 3}
    assert "BYZER_TEST_VAR" not in os.environ


def test_the_owner_is_py_execute_user_whatever_python_env_says(data_session):
    """ray_et gives the code and its tasks `!python env` items plus PY_EXECUTE_USER = the owner,
    which wins over an env item of that name (as Byzer sets it for its Python workers)."""
    data_session.python_env.update({"PY_EXECUTE_USER": "someone-else", "PYTHON_ENV": ":"})
    code = """
    import os
    def who(row):
        return {"task": os.environ.get("PY_EXECUTE_USER"), "prefix": os.environ.get("PYTHON_ENV")}
    context.rayContext.foreach(who)
    driver_user = os.environ.get("PY_EXECUTE_USER")
    assert driver_user == context.conf["OWNER"], driver_user
    """
    table = run(data_session, code, schema="st(field(task,string),field(prefix,string))", mode="data")
    assert set(map(tuple, (r.values() for r in table.to_pylist()))) == {(data_session.owner, ":")}


def test_keep_partition_num_and_code_from_a_table(data_session):
    data_session.catalog.register("batches", pa.Table.from_batches(
        [pa.record_batch({"v": [1, 2]}), pa.record_batch({"v": [3]}), pa.record_batch({"v": [4]})]))
    data_session.catalog.register("script", pa.table({"c": ['{"content": "context.build_result('
                                                           '[{\\"n\\": len(context.rayContext.data_servers())}])"}']}))
    table = run(data_session, "py.script", schema="st(field(n,long))", input_table="batches",
                keepPartitionNum="true")
    assert table.to_pylist() == [{"n": 3}]
    assert run(data_session, "py.script", schema="st(field(n,long))",
               input_table="batches").to_pylist() == [{"n": 2}]


def test_conf_table_and_model_servers(data_session):
    data_session.catalog.register("conf_t", pa.table({"k": ["extra"], "v": ["42"]}))
    data_session.catalog.register("model_t", pa.table({"w": [0.5, 1.5]}))
    code = """
    from pyjava.api.mlsql import RayContext
    servers = RayContext.parse_servers(context.conf["modelServers"])
    weights = [r["w"] for r in RayContext.collect_from(servers)]
    context.build_result([{"extra": context.conf["extra"], "w": sum(weights)}])
    """
    table = run(data_session, code, schema="st(field(extra,string),field(w,double))",
                confTable="conf_t", model="model_t")
    assert table.to_pylist() == [{"extra": "42", "w": 2.0}]


def test_fetch_once_raises_in_a_ray_run(data_session):
    with pytest.raises(PythonCodeError, match="input data can only be fetched once"):
        run(data_session, "list(context.fetch_once())")


class InterruptOnProgress(Events):
    """Interrupts the main thread once the run has started its partitions (no fixed sleep)."""

    def progress(self, statement, done, total, rows=0, **details):
        super().progress(statement, done, total, rows, **details)
        if details["phase"] == "running" and total and not self.interrupted:
            self.interrupted = True
            _thread.interrupt_main()

    interrupted = False


def cpus_in_use(session) -> float:
    return cluster_for(session).status()["resources"]["CPU"]["used"]


def test_interrupt_cancels_tasks_and_actors(data_session):
    code = """
    import time, ray
    from pyjava.api.mlsql import RayContext
    rc = RayContext.connect(globals(), "127.0.0.1:10001")
    @ray.remote(num_cpus=0)
    class Holder:
        def ping(self):
            return 1
    holder = Holder.options(name="byzer_test_holder").remote()
    ray.get(holder.ping.remote())
    def slow(row):
        time.sleep(300)  # longer than the test waits: only the cancel frees the CPUs
        return {"x": "a", "y": "b"}
    rc.foreach(slow)
    """
    with pytest.raises(KeyboardInterrupt):
        run(data_session, code, mode="data", events=InterruptOnProgress())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and cpus_in_use(data_session) > 0:
        time.sleep(0.2)
    assert cpus_in_use(data_session) == 0
    check = """
    import ray
    try:
        ray.get_actor("byzer_test_holder")
        found = "alive"
    except ValueError:
        found = "gone"
    context.build_result([{"holder": found}])
    """
    assert run(data_session, check, schema="st(field(holder,string))").to_pylist() == [{"holder": "gone"}]
    assert run(data_session, ECHO, mode="data").to_pylist() == EXPECTED  # still usable


def test_keyboard_interrupt_raised_by_the_code_is_its_error(data_session):
    with pytest.raises(PythonCodeError, match="KeyboardInterrupt"):
        run(data_session, "raise KeyboardInterrupt('from the code')")
    assert run(data_session, ECHO, mode="data").to_pylist() == EXPECTED


@pytest.mark.parametrize("how", ["os._exit(3)", "sys.exit(2)"])
def test_a_worker_that_exits_is_the_codes_error_and_ray_stays_up(data_session, how):
    code = f"""
    import os, sys
    def die(row):
        if row["Busn_A"] == 114:
            {how}
        return {{"ProductName": "a", "SubProduct": "b"}}
    context.rayContext.foreach(die)
    """
    with pytest.raises(PythonCodeError) as caught:
        run(data_session, code, mode="data")
    assert "partition" in caught.value.message or "SystemExit" in str(caught.value)
    assert cluster_for(data_session).connection["embedded"]
    assert run(data_session, ECHO, mode="data").to_pylist() == EXPECTED


def test_model_mode_without_ray_never_starts_ray(tmp_path):
    script = textwrap.dedent('''
        import pyarrow as pa, sys
        from byzer_kernel.runtime import create_session
        from byzer_kernel.runtime.ray_et import run_ray
        from byzer_kernel.engine.run_statement import RunRequest
        s = create_session(home=sys.argv[1])
        s.catalog.register("data", pa.table({"a": [1, 2, 3]}))
        s.python_conf["schema"] = "st(field(total,long))"
        code = "from pyjava.api.mlsql import RayContext\\n" \\
               "rc = RayContext.connect(globals(), None)\\n" \\
               "context.build_result([{'total': sum(r['a'] for r in rc.collect())}])\\n"
        request = RunRequest(None, "command", "", {"inputTable": "data", "outputTable": "o", "code": code})
        class Events:
            def __getattr__(self, name): return lambda *a, **k: None
        print(run_ray(s, request, Events()).to_pylist())
        import ray
        print("ray started:", ray.is_initialized())
    ''')
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["[{'total': 6}]", "ray started: False"]


def test_functions_shipped_to_ray_may_use_context(data_session):
    code = """
    def tag(row):
        return {"mode": context.conf["dataMode"], "a": str(row["Busn_A"])}
    context.rayContext.foreach(tag)
    """
    table = run(data_session, code, schema="st(field(mode,string),field(a,string))", mode="data")
    assert table.column(0).to_pylist() == ["data"] * 7
    assert table.column(1).to_pylist() == [str(a) for a, _ in SEED_ROWS]


def test_collect_as_file_and_progress_end_on_syntax_error(data_session):
    code = """
    rc = context.rayContext
    chunks = list(rc.collect_as_file(2))
    again = list(rc.collect_as_file(2))
    context.build_result([{"n": sum(len(c) for c in chunks), "m": sum(len(c) for c in again)}])
    """
    assert run(data_session, code, schema="st(field(n,long),field(m,long))").to_pylist() == [{"n": 7, "m": 7}]
    events = Events()
    with pytest.raises(PythonCodeError):
        run(data_session, "def f(:\n", events=events)
    assert events.ended == [False]
