"""The driver process: the user's Python and the Ray driver run apart from the kernel, in a
process group of their own; a driver that dies is one error and the next run starts another."""
import os
import subprocess
import sys

import psutil
import pytest

from seed import SEED

pytestmark = pytest.mark.ray


def test_the_driver_and_its_ray_run_in_their_own_process_group(ray_session):
    from byzer_kernel.runtime.driver_client import driver

    ray_session.execute(SEED)  # the embedded Ray serves it
    process = psutil.Process(driver().process.pid)
    group = os.getpgid(process.pid)
    assert group != os.getpgrp()  # Ctrl-C sent to the kernel's group never reaches it
    ray_processes = [p for p in process.children(recursive=True) if "ray" in " ".join(p.cmdline())]
    assert any("raylet" in " ".join(p.cmdline()) for p in ray_processes)
    # Some Ray processes (workers) lead groups of their own; none is in the kernel's group.
    assert group in {os.getpgid(p.pid) for p in ray_processes}
    assert os.getpgrp() not in {os.getpgid(p.pid) for p in ray_processes}


KILLED_DRIVER = """
import os, signal, sys, time
from byzer_kernel.runtime import create_session
from byzer_kernel.runtime.driver_client import driver
from byzer_kernel.lang.errors import PythonCodeError

session = create_session(home=sys.argv[1])
session.execute("select 1 as a as kept;")
code = '''
import os, signal
os.kill(os.getpid(), signal.SIGKILL)
'''
try:
    session.execute('!python conf "schema=st(field(a,long))";\\n'
                    "run command as Ray.`` where inputTable=\\"kept\\" and outputTable=\\"o\\" "
                    "and code='''" + code + "''';")
except PythonCodeError as error:
    print("ERROR:", error.message)
print("KEPT:", session.table("kept").to_pylist())
again = session.execute("run command as Ray.`` where inputTable=\\"kept\\" and outputTable=\\"o\\" "
                        "and code='''context.build_result([{\\"a\\": 2}])''';")
print("AGAIN:", again.table.to_pylist())
"""


def test_a_driver_that_dies_is_one_error_and_the_next_run_starts_another(tmp_path):
    done = subprocess.run([sys.executable, "-c", KILLED_DRIVER, str(tmp_path)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    assert "process running the code ended" in lines["ERROR"] and "SIGKILL" in lines["ERROR"]
    assert lines["KEPT"] == "[{'a': 1}]"
    assert lines["AGAIN"] == "[{'a': 2}]"


def test_byzer_run_says_it_is_starting_ray_and_keeps_stdout_for_the_result(tmp_path):
    (tmp_path / "seed.byzer").write_text(SEED)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BYZER_RAY", "RAY_"))}
    done = subprocess.run([sys.executable, "-m", "byzer_kernel.cli", "run", "seed.byzer"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert "starting Ray…" in done.stderr.splitlines()
    assert "starting Ray" not in done.stdout and "55_jackm" in done.stdout


def test_secrets_never_enter_the_kernels_environment_nor_its_output(ray_session):
    result = ray_session.execute(
        '!python conf "rayAuthToken=tok-5e3c1";\n'
        '!python env "BYZER_TEST_SECRET=val-9a7b";\n'
        '!python conf "schema=st(field(seen,string))";\n'
        "run command as Ray.`` where inputTable=\"command\" and outputTable=\"o\" and code='''\n"
        "import os\n"
        "context.build_result([{\"seen\": str(os.environ.get(\"BYZER_TEST_SECRET\") == \"val-9a7b\")}])\n"
        "''';")
    assert result.table.to_pylist() == [{"seen": "True"}]  # the code sees its env item
    assert "tok-5e3c1" not in repr(result.messages)
    assert "BYZER_TEST_SECRET" not in os.environ and "RAY_AUTH_TOKEN" not in os.environ
    shown = ray_session.execute('!python conf "rayAuthToken=tok-5e3c1";').table.to_pylist()
    assert "tok-5e3c1" not in repr(shown)
    ray_session.python_conf.pop("rayAuthToken")
