"""`byzer run` and `byzer plan` on scripts (notebooks are covered by the notebook tests)."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kernelspec_tools import jupyter_path_with_byzer

SCRIPT = """set rows='''
{"a":1,"b":"x"},
{"a":2,"b":"y"}
''';
load jsonStr.`rows` as data;
select a, b from data where a > 1 as out;
"""


def byzer(*args, cwd):
    return subprocess.run([sys.executable, "-m", "byzer_kernel.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_run_prints_the_result_table(tmp_path):
    (tmp_path / "job.byzer").write_text(SCRIPT)
    done = byzer("run", "job.byzer", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "| 2 | y |" in done.stdout and "| 1 | x |" not in done.stdout
    assert done.stdout.rstrip().endswith("1 row")


def test_run_json_and_csv_outputs(tmp_path):
    (tmp_path / "job.byzer").write_text(SCRIPT)
    lines = byzer("run", "job.byzer", "--output", "json", cwd=tmp_path).stdout.splitlines()
    assert [json.loads(line) for line in lines] == [{"a": 2, "b": "y"}]
    assert byzer("run", "job.byzer", "--output", "csv", cwd=tmp_path).stdout.splitlines() == ['"a","b"', '2,"y"']


def test_run_failure_exits_non_zero_with_one_message(tmp_path):
    (tmp_path / "bad.byzer").write_text("select 1 as a as t;\nselect * from nope as u;\n")
    done = byzer("run", "bad.byzer", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("TableNotFound at line 2:1")
    assert "`nope` does not exist" in done.stderr


def test_plan_prints_statements_without_running_them(tmp_path):
    (tmp_path / "job.byzer").write_text(SCRIPT + "save overwrite out as json.`never_written`;\n")
    done = byzer("plan", "job.byzer", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["1:1", "5:1", "6:1", "7:1"]
    assert lines[1].split("\t")[1].startswith("load jsonStr")
    assert not (tmp_path / "never_written").exists()


def test_plan_masks_secret_python_settings(tmp_path):
    (tmp_path / "job.byzer").write_text('!python conf "rayAuthToken=tok-123";\n!python conf "dataMode=data";\n'
                                        "!python env '''HF_HOME=/secret/path''';\n")
    done = byzer("plan", "job.byzer", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ['1:1\t!python conf "rayAuthToken=***"', '2:1\t!python conf "dataMode=data"',
                                        "3:1\t!python env '''HF_HOME=***'''"]


def test_ray_status_prints_the_status_as_text_on_stderr(tmp_path):
    (tmp_path / "status.byzer").write_text("!ray status;\n")
    done = byzer("run", "status.byzer", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == ""
    assert "Ray: not connected (Ray starts on the first run that needs it)" in done.stderr


def test_run_notebook_prints_its_result_tables(tmp_path):
    """The README's first command: the quickstart notebook, headless, on the embedded Ray."""
    notebook = Path(__file__).resolve().parent.parent / "notebooks" / "quickstart.ipynb"
    env = dict(os.environ, JUPYTER_PATH=jupyter_path_with_byzer(tmp_path / "spec"))
    done = subprocess.run([sys.executable, "-m", "byzer_kernel.cli", "run", str(notebook),
                           "--save", str(tmp_path / "out.ipynb")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    seed_table = done.stdout.split("\n\n")[0]
    assert "| 114_jackm   | 57_product  |" in seed_table and "| 105_jackm   | 49_product  |" in seed_table
    assert seed_table.rstrip().endswith("python_output_table: 7 rows")
    assert (tmp_path / "out.ipynb").exists()


# -- messages stay short and clean (issue 8, items 7 and 10) -----------------------------------
MODEL_MODE = ('!python conf "schema=st(field(a,long))";\n!python conf "dataMode=model";\n'
              "run command as Ray.`` where inputTable=\"command\" and outputTable=\"o\" and code='''\n")

PRINTING = MODEL_MODE + """import os, subprocess, sys
print("said by print")
os.write(1, b"written to file descriptor 1\\n")
subprocess.run([sys.executable, "-c", "print('said by a child process')"], check=True)
context.build_result([{"a": 1}, {"a": 2}])
''';
"""


def no_raw_traceback(stderr: str) -> bool:
    """Our own frames (`File "/.../byzer_kernel/..."`) never reach the user; the user's code is `<string>`."""
    return 'File "/' not in stderr and "byzer_kernel/" not in stderr


def test_machine_output_is_alone_on_stdout_and_what_the_code_prints_goes_to_stderr(tmp_path):
    (tmp_path / "prints.byzer").write_text(PRINTING)
    done = byzer("run", "prints.byzer", "--output", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # Writes to file descriptor 1 (and a child's) may land in the driver's log rather than on stderr,
    # depending on where the code runs; on stdout they never land.
    assert done.stdout.splitlines() == ['{"a": 1}', '{"a": 2}']
    assert "said by print" in done.stderr
    done = byzer("run", "prints.byzer", "--output", "csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ['"a"', "1", "2"]
    assert "said by print" in done.stderr


@pytest.mark.parametrize("content, place, words", [
    (b'select 1 as a as t;\nselect "caf\xe9" as b as u;\n', "line 2:12", "byte 0xe9 cannot be decoded"),
    (b'select 1 as a as t;\nselect "\xc3\xa9\xff" as b as u;\n', "line 2:10", "byte 0xff cannot be decoded"),
    (b"\xef\xbb\xbfselect 1 as a as t;\n  \x00\x01\x02", "line 2:3", "a binary file, not a script"),
])
@pytest.mark.parametrize("command", ["run", "plan"])
def test_a_script_that_is_not_utf8_text_is_one_message_with_line_and_column(tmp_path, content, place,
                                                                             words, command):
    (tmp_path / "odd.byzer").write_bytes(content)
    done = byzer(command, "odd.byzer", cwd=tmp_path)
    assert done.returncode == 1
    [message] = done.stderr.splitlines()
    assert message.startswith(f"EncodingError at {place}: odd.byzer ") and words in message


def test_keyboard_interrupt_raised_by_user_code_is_no_raw_traceback(tmp_path):
    (tmp_path / "raises.byzer").write_text(MODEL_MODE + "raise KeyboardInterrupt\n''';\n")
    done = byzer("run", "raises.byzer", cwd=tmp_path)
    assert done.returncode in (1, 130)  # the code's error, or at least an interrupt
    assert no_raw_traceback(done.stderr), done.stderr
    assert "KeyboardInterrupt" in done.stderr or done.stderr.strip() == "interrupted"


def test_ctrl_c_during_a_run_prints_interrupted_and_exits_130(tmp_path):
    (tmp_path / "forever.byzer").write_text(MODEL_MODE + "print('started', flush=True)\nwhile True:\n"
                                                         "    pass\n''';\n")
    process = subprocess.Popen([sys.executable, "-m", "byzer_kernel.cli", "run", "forever.byzer"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "started"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130
    assert stderr.strip().splitlines()[-1] == "interrupted"
    assert no_raw_traceback(stderr), stderr


# A deliberately broken `!broken` command installed through the Session's extension point.
WITH_BROKEN_COMMAND = """
import sys
import byzer_kernel.runtime as runtime
from byzer_kernel import cli

def broken(session, statement, args, events):
    return len(None)

def session_with_broken_command(*args, **kwargs):
    session = made(*args, **kwargs)
    session.commands["broken"] = broken
    return session

made, runtime.create_session = runtime.create_session, session_with_broken_command
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("debug", [False, True])
def test_an_internal_error_is_short_and_debug_shows_its_traceback(tmp_path, debug):
    (tmp_path / "bug.byzer").write_text("select 1 as a as t;\n!broken;\n")
    (tmp_path / "byzer_with_a_bug.py").write_text(WITH_BROKEN_COMMAND)
    done = subprocess.run([sys.executable, "byzer_with_a_bug.py", "run", "bug.byzer",
                           *(["--debug"] if debug else [])],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    message = [line for line in done.stderr.splitlines() if line.startswith("InternalError")]
    assert message == ["InternalError at line 2:1 in `!broken`: TypeError: object of type 'NoneType' has "
                       "no len() (a bug in byzer_kernel; the traceback is in the kernel log)"]
    if debug:
        assert "Traceback (most recent call last):" in done.stderr
        assert "in broken" in done.stderr and "return len(None)" in done.stderr
    else:
        assert done.stderr.splitlines() == message + ["byzer: run again with --debug to see the traceback"]
