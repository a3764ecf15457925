"""`byzer run` and `byzer plan` on scripts, `byzer --version` (notebooks: test_cli_notebook.py)."""
import io
import json
import os
import re
import signal
import subprocess
import sys

import pytest

from byzer_kernel import __version__
from byzer_kernel.cli_stderr import StatementProgress, StderrEvents
from byzer_kernel.lang import parse
from terminal_stderr import run_with_terminal_stderr, wide_terminal

SCRIPT = """set rows='''
{"a":1,"b":"x"},
{"a":2,"b":"y"}
''';
load jsonStr.`rows` as data;
select a, b from data where a > 1 as out;
"""


def byzer(*args, cwd, stdin=None):
    return subprocess.run([sys.executable, "-m", "byzer_kernel.cli", *args], cwd=cwd, input=stdin,
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


def test_version():
    done = byzer("--version", cwd=None)
    assert done.returncode == 0 and done.stdout == f"byzer {__version__}\n"


def test_run_reads_standard_input_with_parameters_kept_exactly(tmp_path):
    script = "select '${said}' as said, \"${owner_name}\" as owner_name, '${empty}' as empty as t;\n"
    said = 'she said "yes" = agreed'
    done = byzer("run", "-", "-p", f"said={said}", "-p", "owner_name=it's mine", "-p", "empty=",
                 "--output", "json", cwd=tmp_path, stdin=script)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"said": said, "owner_name": "it's mine", "empty": ""}
    # A script's own `set` wins; `type="defaultParam"` lets the parameter win.
    script = 'set a = "script"; set b = "script" where type="defaultParam";\nselect "${a}" as a, "${b}" as b as t;'
    done = byzer("run", "-", "-p", "a=param", "-p", "b=param", "--output", "json", cwd=tmp_path, stdin=script)
    assert json.loads(done.stdout) == {"a": "script", "b": "param"}


def test_a_script_error_from_standard_input_names_its_line(tmp_path):
    done = byzer("run", "-", cwd=tmp_path, stdin="select 1 as a as t;\nselect * from nope as u;\n")
    assert done.returncode == 1 and done.stderr.startswith("TableNotFound at line 2:1")


@pytest.mark.parametrize("args, words", [
    (["-p", "name"], "argument -p/--param: expected NAME=VALUE"),
    (["-p", "1st=x"], "argument -p/--param: expected NAME=VALUE"),
    (["--save", "out.ipynb"], "--save writes an executed notebook: it needs a .ipynb file"),
])
def test_a_bad_command_line_is_one_usage_error(tmp_path, args, words):
    (tmp_path / "job.byzer").write_text(SCRIPT)
    done = byzer("run", "job.byzer", *args, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    [error] = [line for line in done.stderr.splitlines() if "error:" in line]
    assert error.startswith("byzer run: error: ") and words in error
    assert "Traceback" not in done.stderr


PROGRESS = """set rows='''
{"a":1}
{"a":2}
{"a":3}
{"a":4}
{"a":5}
{"a":6}
{"a":7}
''';
load jsonStr.`rows` as data;
!python conf "schema=st(field(a,long))";
!python conf "dataMode=data";
run command as Ray.`` where inputTable="data" and outputTable="tenfold" and code='''
from pyjava.api.mlsql import RayContext
ray_context = RayContext.connect(globals(), None)
ray_context.foreach(lambda row: {"a": row["a"] * 10})
''';
"""
RUN_LABEL = r"\r\x1b\[Krun command as Ray\.``: "


def test_progress_is_a_live_line_when_stderr_is_a_terminal(tmp_path):
    """On the embedded Ray, stderr a pseudo-terminal: the run's progress is redrawn in place and
    stays in its final state; stdout is the result alone."""
    (tmp_path / "progress.byzer").write_text(PROGRESS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BYZER_RAY")}
    returncode, stdout, stderr = run_with_terminal_stderr(
        [sys.executable, "-m", "byzer_kernel.cli", "run", "progress.byzer"], cwd=tmp_path, env=env)
    assert returncode == 0, stderr[-3000:]
    assert stdout.rstrip().endswith("| 70 |\n+----+\n7 rows")
    assert re.search(RUN_LABEL + r"running, \d+/\d+ partitions", stderr), stderr[-3000:]
    final = RUN_LABEL + r"done, (\d+)/\1 partitions, 7 rows, ([\d.,]+ rows/s, )?[\d.]+ s\r\n"
    assert re.search(final, stderr), stderr[-3000:]


def test_progress_draws_nothing_off_a_terminal_and_ends_as_the_run_did():
    statement = parse('run command as Ray.`` where inputTable="d" and code="x";').statements[0]
    quiet = io.StringIO()
    events = StderrEvents(quiet)
    events.statement_started(statement)
    events.progress(statement, 1, 2, 3)
    events.progress_ended(statement, True)
    assert quiet.getvalue() == ""
    terminal, writer = wide_terminal()
    try:
        with open(writer, "w", closefd=True) as stream:
            events = StderrEvents(stream)
            events.statement_started(statement)
            events.progress(statement, 1, 2, 3)
            events.progress_ended(statement, False)  # failed or interrupted: the caller knows which
            events.finish("interrupted")
        text = read_all(terminal)
    finally:
        os.close(terminal)
    assert re.match(RUN_LABEL + r"running, 1/2 partitions, 3 rows", text), text
    assert re.search(RUN_LABEL + r"interrupted, 1/2 partitions, 3 rows, .* s\r\n$", text), text


def test_progress_text_phase_counts_rate_and_elapsed():
    statement = parse('run command as Ray.`` where inputTable="d" and code="x";').statements[0]
    progress = StatementProgress(statement, started=100.0, now=130.0)  # Ray took 30 s to start
    progress.update(1, 4, 3000)
    assert progress.text("running", now=132.0) == ("run command as Ray.``: running, 1/4 partitions, 3,000 rows, "
                                                   "1,500 rows/s, 32.0 s")
    progress.update(2, 4, 6)
    assert progress.text("failed", now=134.0) == "run command as Ray.``: failed, 2/4 partitions, 6 rows, 1.5 rows/s, 34.0 s"


def read_all(terminal: int) -> str:
    """What was written to a pseudo-terminal whose writer has closed."""
    chunks = []
    while True:
        try:
            data = os.read(terminal, 65536)
        except OSError:  # EIO: nothing more, the writer is closed
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode()


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
