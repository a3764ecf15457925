"""The %%byzer / %byzer magic in an IPython InteractiveShell."""
import pandas as pd
import pyarrow as pa
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import byzer_kernel.runtime as runtime
from byzer_kernel.lang.errors import InternalError
from byzer_kernel.magics import ByzerMagics, MagicUsageError, PythonVariableError
from byzer_kernel.result_viewer import registry


@pytest.fixture
def ip(tmp_path, monkeypatch):
    """The IPython shell with the extension loaded; each test gets a fresh shared Session, made
    on first use with its BYZER_HOME."""
    monkeypatch.setenv("BYZER_HOME", str(tmp_path))
    runtime.close_shared_session()
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "byzer_kernel")
    magics = next(c for c in shell.configurables if isinstance(c, ByzerMagics))
    magics.displaylimit = ByzerMagics.displaylimit.default_value
    yield shell
    for name in ("df", "rows", "pdf", "arrow_t", "k"):
        shell.user_ns.pop(name, None)
    runtime.close_shared_session()


def run(shell, cell):
    with capture_output() as captured:
        result = shell.run_cell(cell)
    return result, captured


def test_cell_magic_output_variable_gets_every_row_as_pandas(ip):
    ip.user_ns["pdf"] = pd.DataFrame({"x": list(range(30))})
    result, _ = run(ip, "%%byzer -o df --limit 4\nselect x * 2 as y from pdf as doubled;")
    assert result.success
    assert isinstance(ip.user_ns["df"], pd.DataFrame) and len(ip.user_ns["df"]) == 30
    assert ip.user_ns["df"]["y"].tolist()[:3] == [0, 2, 4]
    bundle, metadata = result.result._repr_mimebundle_()
    assert metadata == {"byzer": {"table": "doubled", "rows": 30}}
    assert "showing 4 of 30 rows" in bundle["text/plain"] and "showing 1–4 of 30 rows" in bundle["text/html"]
    kept = registry.get(bundle["application/vnd.byzer.table+json"]["table_id"])[0]
    assert kept is result.result.table  # the viewer holds the result itself, not a copy


def test_line_magic_runs_one_statement(ip):
    result, _ = run(ip, "%byzer select 1 as a as t")
    assert result.success
    assert repr(result.result).splitlines()[-1] == "t: 1 row"
    assert runtime.shared_session().catalog.get("t").to_pylist() == [{"a": 1}]


def test_assignment_shorthand_in_body_and_line(ip):
    result, _ = run(ip, "%%byzer\nrows << select 'a' as c as letters;")
    assert result.success and result.result is None
    assert ip.user_ns["rows"]["c"].tolist() == ["a"]
    result, _ = run(ip, "%byzer df << select 2 as b as two")
    assert result.success and ip.user_ns["df"]["b"].tolist() == [2]


def test_double_brace_interpolation_and_no_ipython_expansion(ip):
    ip.user_ns["k"] = 41
    result, _ = run(ip, "%%byzer -o df\nset x='byzer';\nselect {{k}} + 1 as a, '${x}' as b, '{k}' as c as t;")
    assert result.success
    assert ip.user_ns["df"].to_dict("records") == [{"a": 42, "b": "byzer", "c": "{k}"}]
    result, _ = run(ip, "%byzer -o df select '$k {k}' as c as t")
    assert result.success and ip.user_ns["df"]["c"].tolist() == ["$k {k}"]


def test_undefined_interpolation_is_one_error_and_the_next_cell_runs(ip):
    result, captured = run(ip, "%%byzer\nselect 1 as a as kept;\nselect {{nope}} as a as t;")
    assert not result.success and isinstance(result.error_in_exec, PythonVariableError)
    assert "Python variable `nope` is not defined" in captured.stdout
    assert "line 2:8" in captured.stdout and "Traceback" not in captured.stdout
    result, _ = run(ip, "%byzer select 3 as a as t")
    assert result.success


def test_double_braces_in_python_code_are_left_to_python(ip):
    ip.user_ns["k"] = 99
    cell = ("%%byzer --plan\nselect {{k}} as a as t;\n"
            "run t as Ray.`` where code=\'\'\'print(f\"{{k}} {{undefined_here}}\")\'\'\' as out;")
    result, _ = run(ip, cell)
    assert result.success  # {{undefined_here}} is Python's business, not a missing variable
    lines = repr(result.result).splitlines()
    assert lines[0] == "1:1\tselect 99 as a as t"
    assert "code=\'\'\'print(f\"{{k}} {{undefined_here}}\")\'\'\'" in lines[1] and "99" not in lines[1]
    result, _ = run(ip, "%%byzer --plan\n#%python\n#%output=out_{{k}}\nprint(f\"{{k}}\")\n")
    assert result.success
    plan = repr(result.result)
    assert 'print(f"{{k}}")' in plan and 'print(f"99")' not in plan
    assert "out_99" in plan  # a #%key=value header line is Byzer text: interpolated


def test_interpolation_skips_code_blocks_ray_macro_and_python_cells():
    from byzer_kernel.magics import interpolate

    namespace = {"x": 99, "table": "t"}
    byzer = ("set py=\'\'\'skip\'\'\'; select {{x}} as a as {{table}};\n"
             "run {{table}} as Ray.`` where inputTable=\"{{table}}\" and code=\'\'\'print(f\"{{x}}\")\'\'\';\n"
             "!ray on {{table}} \'\'\'print(f\"{{x}}\")\'\'\' named o; select \'{{x}}\' as s as u;")
    assert interpolate(byzer, namespace) == (
        "set py=\'\'\'skip\'\'\'; select 99 as a as t;\n"
        "run t as Ray.`` where inputTable=\"t\" and code=\'\'\'print(f\"{{x}}\")\'\'\';\n"
        "!ray on t \'\'\'print(f\"{{x}}\")\'\'\' named o; select \'99\' as s as u;")
    cell = "#%python\n#%input={{table}}\nd = {{}}\nprint(f\"{{x}}\")"
    assert interpolate(cell, namespace) == "#%python\n#%input=t\nd = {{}}\nprint(f\"{{x}}\")"
    with pytest.raises(PythonVariableError, match="`nope` is not defined"):  # Byzer text still checked
        interpolate("select {{nope}} as a as t; run t as Ray.`` where code=\'\'\'{{x}}\'\'\';", namespace)


def test_dataframes_and_arrow_tables_are_tables_by_name(ip):
    ip.user_ns["pdf"] = pd.DataFrame({"x": [1, 2, 3]})
    ip.user_ns["arrow_t"] = pa.table({"x": [10, 20]})
    result, _ = run(ip, "%%byzer -o df\nselect (select sum(x) from pdf) as p, (select sum(x) from arrow_t) as q as s;")
    assert result.success and ip.user_ns["df"].to_dict("records") == [{"p": 6, "q": 30}]
    ip.user_ns["pdf"] = pd.DataFrame({"x": [100]})  # the table follows its variable
    result, _ = run(ip, "%byzer -o df select sum(x) as p from pdf as s")
    assert ip.user_ns["df"]["p"].tolist() == [100]
    run(ip, "%byzer select 7 as x as pdf")  # a table made in Byzer wins over the variable
    ip.user_ns["pdf"] = pd.DataFrame({"x": [1]})
    result, _ = run(ip, "%byzer -o df select x from pdf as s")
    assert ip.user_ns["df"]["x"].tolist() == [7]


def test_help_describes_every_option(ip):
    help_text = ip.find_line_magic("byzer").__doc__  # what `%byzer?` shows
    assert "%byzer [-o VAR] [--limit N] [--plan]" in help_text
    for words in ("-o VAR, --output VAR", "--limit N", "--plan", "VAR <<", "%byzer status"):
        assert words in help_text


def test_options_stop_where_the_statement_starts(ip):
    result, _ = run(ip, "%byzer --limit 1 -o df select -1 as a, '--plan  -o x' as b as t")
    assert result.success and ip.user_ns["df"].to_dict("records") == [{"a": -1, "b": "--plan  -o x"}]


def test_unknown_option_is_one_error(ip):
    result, captured = run(ip, "%%byzer --bogus\nselect 1 as a as t;")
    assert isinstance(result.error_in_exec, MagicUsageError)
    assert captured.stdout.strip() == (
        "UsageError: unknown option --bogus (options: -o VAR, --limit N, --plan, --each, VAR <<)")
    result, _ = run(ip, "%byzer --limit many select 1 as a as t")
    assert "--limit needs a whole number" in str(result.error_in_exec)


def test_missing_table_and_syntax_error_keep_the_session(ip):
    run(ip, "%byzer select 1 as a as before")
    result, captured = run(ip, "%%byzer\nselect 2 as a as t2;\nselect * from missing_table as x;")
    assert not result.success
    assert "line 2:1" in captured.stdout and "missing_table" in captured.stdout
    result, captured = run(ip, "%%byzer\nselect 1 as a as t;\nselct 1;")
    assert not result.success and "SyntaxError at line 2:1" in captured.stdout
    session = runtime.shared_session()
    assert session.catalog.get("before") is not None and session.catalog.get("t2") is not None


def test_an_internal_error_is_one_short_message_and_the_session_goes_on(ip):
    def broken(session, statement, args, events):
        return len(None)  # a bug: TypeError

    runtime.shared_session().commands["broken"] = broken
    result, captured = run(ip, "%%byzer\nselect 4 as a as kept;\n!broken;")
    assert isinstance(result.error_in_exec, InternalError)
    assert captured.stdout.strip() == ("InternalError at line 2:1 in `!broken`: TypeError: object of type "
                                       "'NoneType' has no len() (a bug in byzer_kernel; the traceback is in "
                                       "the kernel log)")
    assert "Traceback" not in captured.stdout + captured.stderr
    result, _ = run(ip, "%byzer -o df select a from kept as t")
    assert result.success and ip.user_ns["df"]["a"].tolist() == [4]


def test_config_display_limit(ip):
    ip.user_ns["pdf"] = pd.DataFrame({"x": list(range(10))})
    ip.run_line_magic("config", "ByzerMagics.displaylimit = 3")
    result, _ = run(ip, "%byzer select x from pdf as t")
    assert repr(result.result).splitlines()[-1] == "t: showing 3 of 10 rows"
    ip.run_line_magic("config", "ByzerMagics.displaylimit = 0")
    result, _ = run(ip, "%byzer select x from pdf as t")
    assert repr(result.result).splitlines()[-1] == "t: 10 rows"


def test_each_shows_the_table_of_every_statement_in_order(ip):
    """`--each` (JupyterLab's Run Byzer File): one cell, so a `set` is seen by what follows it,
    and every table shown as it is made, each with its name and the viewer's data."""
    result, captured = run(ip, '%%byzer --each --limit 2\nset n="3";\nselect id from range(${n}) as a;\n'
                               '!python conf "dataMode=data";\nselect id * 2 as twice from a as b;')
    assert result.success and result.result is None  # the last table is shown once, not as Out too
    shown = [output.data for output in captured.outputs]
    assert [data["text/plain"].splitlines()[-1] for data in shown] == [
        "a: showing 2 of 3 rows", "python conf: dataMode=data", "b: showing 2 of 3 rows"]
    viewer = shown[2]["application/vnd.byzer.table+json"]
    assert viewer["name"] == "b" and viewer["rows"] == [[0], [2]] and viewer["total_rows"] == 3


def test_plan_prints_statements_without_running(ip):
    result, _ = run(ip, "%%byzer --plan\nset a='1';\nselect 1 as a as planned;")
    text = repr(result.result)
    assert text.splitlines()[0].startswith("1:1") and "select" in text.splitlines()[1]
    assert runtime.shared_session().catalog.get("planned") is None


def test_python_conf_is_compact_and_images_render(ip):
    result, _ = run(ip, '%byzer !python conf "schema=st(field(a,long))"')
    assert repr(result.result) == "python conf: schema=st(field(a,long))"
    result, _ = run(ip, "%byzer select 'aGk=' as content, 'image' as mime as img")
    assert result.result._repr_mimebundle_()[0]["image/png"] == "aGk="


def test_status_without_ray_is_text(ip):
    result, captured = run(ip, "%byzer status")
    assert result.success
    assert any("Ray: not connected" in o.data["text/plain"] for o in captured.outputs)


def test_magic_and_kernel_share_the_session(ip):
    assert runtime.current_session() is None  # asking never makes one
    magics = next(c for c in ip.configurables if isinstance(c, ByzerMagics))
    assert magics.session is runtime.shared_session() is runtime.current_session()
