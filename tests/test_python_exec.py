"""`pythonExec` (docs/design.md §5): another interpreter runs the code through pyjava's worker protocol.

The other interpreter is a virtualenv made by the test from the base Python, with a .pth that lends
it this environment's packages (pyjava, pandas, pyarrow): a different executable and sys.prefix,
so its sys.executable in the output proves where the code ran.
"""
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from byzer_kernel.lang.errors import ByzerRuntimeError, PythonCodeError
from byzer_kernel.lang.schema import parse_schema
from byzer_kernel.runtime import create_session
from byzer_kernel.runtime.python_exec import run_with_interpreter


def make_venv(path: Path, lend_packages: bool) -> Path:
    subprocess.run([str(Path(sys.base_prefix) / "bin" / "python3"), "-m", "venv", "--without-pip",
                    str(path)], check=True, timeout=120)
    if lend_packages:
        site = next(p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
        (next(path.glob("lib/python*/site-packages")) / "lend.pth").write_text(site + "\n")
    return path / "bin" / "python"


@pytest.fixture(scope="module")
def other_python(tmp_path_factory):
    return make_venv(tmp_path_factory.mktemp("venv") / "other", lend_packages=True)


@pytest.fixture
def rt_session(tmp_path):
    s = create_session(home=str(tmp_path))
    yield s
    s.close()


class Events:
    def __init__(self):
        self.messages = []

    def message(self, text):
        self.messages.append(text)

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


SCRIPT = """
select 1 as a, "x" as b union all select 2 as a, "y" as b union all select 39 as a, "z" as b as data;
!python conf "schema=st(field(exe,string),field(prefix,string),field(n,long),field(total,long),field(mark,string),field(keys,string))";
!python conf "pythonExec={exe}";
!python conf "myKey=myValue";
!python env "BYZER_MARK=from-env";
run command as Ray.`` where inputTable="data" and outputTable="out" and code='''
import os, sys
from pyjava.api.mlsql import RayContext
ray_context = RayContext.connect(globals(), None)
rows = list(ray_context.collect())
context.build_result([{{"exe": sys.executable, "prefix": sys.prefix, "n": len(rows),
                       "total": sum(r["a"] for r in rows), "mark": os.environ.get("BYZER_MARK", ""),
                       "keys": context.conf["myKey"] + "," + context.conf["pythonMode"]}}])
''';
"""


def test_code_runs_in_the_other_interpreter(rt_session, other_python):
    events = Events()
    result = rt_session.execute(SCRIPT.format(exe=other_python), events)
    [row] = result.table.to_pylist()
    assert row["exe"] == str(other_python)
    assert row["prefix"] == str(other_python.parent.parent)
    assert row["exe"] != sys.executable
    assert (row["n"], row["total"]) == (3, 42)  # the input rows came over the data servers
    assert row["mark"] == "from-env"  # `!python env` items are the worker's environment
    assert row["keys"] == "myValue,ray"  # `!python conf` items are context.conf
    assert events.messages == []
    assert rt_session.table("out").num_rows == 1


def test_output_maps_by_position_and_many_rows(rt_session, other_python):
    code = ("context.build_result([{'x': i, 'y': str(i) * 2} for i in range(3000)])")
    table = run_with_interpreter(
        interpreter=str(other_python), code=code,
        conf={"schema": "-", "pythonMode": "ray", "timezone": "UTC"}, env={},
        schema=parse_schema("st(field(number,long),field(text,string))"),
        input_table=pa.table({"a": [1]}))
    assert table.schema.names == ["number", "text"]
    assert table.num_rows == 3000
    assert table.slice(2999).to_pylist() == [{"number": 2999, "text": "29992999"}]


def test_python_env_prefix_runs_before_the_interpreter(rt_session, other_python):
    code = "import os\ncontext.build_result([{'v': os.environ.get('FROM_PREFIX', 'missing')}])"
    table = run_with_interpreter(
        interpreter=str(other_python), code=code,
        conf={"schema": "-", "pythonMode": "ray", "timezone": "UTC"},
        env={"PYTHON_ENV": "export FROM_PREFIX=set-by-prefix"},
        schema=parse_schema("st(field(v,string))"), input_table=pa.table({"a": [1]}))
    assert table.to_pylist() == [{"v": "set-by-prefix"}]


OPTIONS_SCRIPT = """
!python conf "schema=st(field(servers,long),field(weights,double))";
!python conf "pythonExec={exe}";
run command as Ray.`` where inputTable="batches" and outputTable="out" and model="weights"
and keepPartitionNum="{keep}" and dataWaitServerReadyTimeout="{timeout}" and code='''
import time
from pyjava.api.mlsql import RayContext
ray_context = RayContext.connect(globals(), None)
time.sleep({pause})
model = RayContext.collect_from(RayContext.parse_servers(context.conf["modelServers"]))
rows = list(ray_context.collect())
context.build_result([{{"servers": len(ray_context.data_servers()),
                       "weights": sum(r["w"] for r in model)}}])
''';
"""


def test_model_keep_partition_num_and_wait_timeout_reach_the_interpreter(rt_session, other_python):
    rt_session.catalog.register("batches", pa.Table.from_batches(
        [pa.record_batch({"v": [i]}) for i in range(5)]))
    rt_session.catalog.register("weights", pa.table({"w": [0.5, 1.5]}))
    kept = rt_session.execute(OPTIONS_SCRIPT.format(exe=other_python, keep="true", timeout="300",
                                                    pause=0), Events())
    assert kept.table.to_pylist() == [{"servers": 5, "weights": 2.0}]
    # A data server gives up after dataWaitServerReadyTimeout seconds without a reader.
    with pytest.raises(PythonCodeError):
        rt_session.execute(OPTIONS_SCRIPT.format(exe=other_python, keep="true", timeout="0.2",
                                                 pause=2), Events())


def test_user_error_shows_the_code_line(rt_session, other_python):
    script = SCRIPT.format(exe=other_python).replace(
        "rows = list(ray_context.collect())", "rows = list(ray_context.collect())\nraise ValueError('bad row')")
    with pytest.raises(PythonCodeError) as caught:
        rt_session.execute(script, Events())
    assert "ValueError: bad row" in caught.value.message
    assert str(other_python) in caught.value.message
    assert 'File "<string>", line 6' in caught.value.detail
    assert "raise ValueError('bad row')" in caught.value.detail


def test_missing_interpreter_warns_once_and_runs_here(rt_session):
    events = Events()
    script = SCRIPT.format(exe="/no/such/python3.6")
    result = rt_session.execute(script, events)
    [row] = result.table.to_pylist()
    assert row["exe"] == sys.executable
    assert len(events.messages) == 1 and "/no/such/python3.6" in events.messages[0]


def test_interpreter_without_pyjava_is_a_clear_error(rt_session, tmp_path):
    bare = make_venv(tmp_path / "bare", lend_packages=False)
    with pytest.raises(ByzerRuntimeError) as caught:
        rt_session.execute(SCRIPT.format(exe=bare), Events())
    assert str(bare) in caught.value.message
    assert "pyjava" in caught.value.message
