"""`byzer run` and `byzer plan` on scripts (notebooks are covered by the notebook tests)."""
import json
import subprocess
import sys

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
    assert done.stderr.strip().startswith("Error at line 2:1")
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


def test_run_notebook_prints_its_result_tables(tmp_path):
    """The README's first command: the quickstart notebook, headless, on the embedded Ray."""
    from pathlib import Path

    notebook = Path(__file__).resolve().parent.parent / "notebooks" / "quickstart.ipynb"
    done = subprocess.run([sys.executable, "-m", "byzer_kernel.cli", "run", str(notebook),
                           "--save", str(tmp_path / "out.ipynb")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    seed_table = done.stdout.split("\n\n")[0]
    assert "| 114_jackm   | 57_product  |" in seed_table and "| 105_jackm   | 49_product  |" in seed_table
    assert seed_table.rstrip().endswith("python_output_table: 7 rows")
    assert (tmp_path / "out.ipynb").exists()
