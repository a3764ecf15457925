"""`include` and `!pyInclude` (docs/spec.md §12.2): project/local/http targets, notebooks, nesting,
errors that name the included file and the include statement, cycles."""
import functools
import http.server
import json
import threading

import pytest

from byzer_kernel.lang.errors import ByzerError, ByzerSyntaxError, UsageError


@pytest.fixture
def project(session, tmp_path, monkeypatch):
    """A project folder as the engine's working directory (include project. paths are relative to it)."""
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.setattr(session, "project_dir", folder)
    return folder


@pytest.fixture
def http_files(tmp_path):
    """A plain http.server on 127.0.0.1 and a free port, serving a folder; stopped by its handle."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_project_include_of_a_file_that_itself_includes(session, project):
    (project / "src").mkdir()
    (project / "src" / "b.byzer").write_text(
        'set inner = "from b";\n!if \'\'\' :inner == "from b" \'\'\';\n  select "${inner}" as v as b_table;\n!fi;\n')
    (project / "a.byzer").write_text("include project.`src/b.byzer`;\nselect v, \"${outer}\" as o from b_table as a_table;")
    result = session.execute('set outer = "cell";\ninclude project.`./a.byzer`;\nselect * from a_table as out;')
    assert result.table.to_pylist() == [{"v": "from b", "o": "cell"}]
    assert result.messages == ["!if at 2:1 of src/b.byzer: took the `!if` branch at 2:1 of src/b.byzer"]


def test_included_sets_are_seen_by_the_cell_as_if_written_there(session, project):
    (project / "vars.byzer").write_text('set table_name = "t_from_vars";\nset greeting = "hi";')
    result = session.execute('include project.`vars.byzer`;\nselect "${greeting}" as g as `${table_name}`;')
    assert result.table_name == "t_from_vars" and result.table.to_pylist() == [{"g": "hi"}]


def test_local_include_is_relative_to_byzer_home_and_its_options_become_sets(session, tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "hello.byzer").write_text('select "${who}" as greeting as hello')
    result = session.execute('include local.`lib/hello.byzer` where who="world";')
    assert result.table.to_pylist() == [{"greeting": "world"}]


def test_http_include_from_a_local_server(session, http_files):
    folder, base = http_files
    (folder / "remote.byzer").write_text("select 42 as answer as remote_table;")
    (folder / "outer.byzer").write_text(f"include http.`{base}/remote.byzer`;\nselect answer + 1 as a from remote_table as t;")
    assert session.execute(f"include http.`{base}/outer.byzer`;").table.to_pylist() == [{"a": 43}]


def test_http_include_of_a_missing_file_is_one_error(session, http_files):
    _, base = http_files
    with pytest.raises(ByzerError) as info:
        session.execute(f"select 1 as a as kept;\ninclude http.`{base}/missing.byzer`;")
    assert str(info.value).startswith(f"Error at line 2:1 in `include http.`{base}/missing.byzer``: include target")
    assert "HTTP 404" in str(info.value)


def test_byzer_notebook_cells_are_included_markdown_skipped(session, project):
    notebook = {"id": "1", "name": "nb", "user": "byzer", "cell_list": [
        {"id": "1", "content": "--%markdown# Title\nsome *text*"},
        {"id": "2", "content": "-- load the data\nselect 1 as a as nb_t"},  # no ';' at the end, as cells are
        {"id": "3", "content": "select a + 1 as b from nb_t as nb_u"},
    ]}
    (project / "nb.bznb").write_text(json.dumps(notebook))
    assert session.execute("include project.`nb.bznb`;").table.to_pylist() == [{"b": 2}]
    # #N: one cell, counted as Byzer Notebook counts them (every cell)
    assert session.execute("include project.`nb.bznb#2`;").table_name == "nb_t"


def test_jupyter_notebook_byzer_cells(session, project):
    byzer_kernel_notebook = {"metadata": {"kernelspec": {"name": "byzer", "language": "byzer"}}, "cells": [
        {"cell_type": "markdown", "source": ["# title"]},
        {"cell_type": "code", "source": ["select 5 as x ", "as jt"]},
    ]}
    python_notebook = {"metadata": {"kernelspec": {"name": "python3", "language": "python"}}, "cells": [
        {"cell_type": "code", "source": "import os\nprint(1)"},
        {"cell_type": "code", "source": "%%byzer\nselect x * 2 as y from jt as jt2"},
    ]}
    (project / "byzer.ipynb").write_text(json.dumps(byzer_kernel_notebook))
    (project / "python.ipynb").write_text(json.dumps(python_notebook))
    result = session.execute("include project.`byzer.ipynb`;\ninclude project.`python.ipynb`;")
    assert result.table.to_pylist() == [{"y": 10}]


def test_an_error_inside_an_included_file_names_the_file_and_the_include(session, project):
    (project / "bad.byzer").write_text("select 1 as a as ok_in_file;\nselect * from nope as broken;\n")
    with pytest.raises(ByzerError) as info:
        session.execute("select 1 as a as kept;\ninclude project.`bad.byzer`;")
    assert str(info.value).startswith("TableNotFound at line 2:1 in `include project.`bad.byzer``: bad.byzer line 2:1 "
                                      "in `select * from nope as broken`: table `nope` does not exist")
    assert {"kept", "ok_in_file"} <= set(session.catalog.names())


def test_a_syntax_error_in_an_included_file_runs_nothing(session, project):
    (project / "syntax.byzer").write_text("select 1 as a as ok;\nload as;\n")
    with pytest.raises(ByzerSyntaxError) as info:
        session.execute("select 1 as a as before;\ninclude project.`syntax.byzer`;")
    error = info.value
    assert error.span.line == 2
    assert error.message.startswith("syntax.byzer line 2:6: expected a format name after 'load'")
    assert "load as;" in error.detail
    assert "before" not in session.catalog


def test_a_missing_target_is_one_error(session, project):
    with pytest.raises(ByzerError) as info:
        session.execute("include project.`nowhere.byzer`;")
    assert "include target `nowhere.byzer` does not exist" in str(info.value) and info.value.span.line == 1


def test_include_cycles_are_an_error(session, project):
    (project / "one.byzer").write_text("include project.`two.byzer`;")
    (project / "two.byzer").write_text("select 1 as a as t;\ninclude project.`one.byzer`;")
    with pytest.raises(UsageError) as info:
        session.execute("include project.`one.byzer`;")
    assert "include cycle:" in str(info.value) and "one.byzer -> " in str(info.value)
    assert "t" not in session.catalog


def test_branches_spanning_an_include_must_balance_in_the_whole_script(session, project):
    (project / "opens.byzer").write_text("!if ''' 1 == 1 ''';\nselect 1 as a as t;")
    with pytest.raises(ByzerSyntaxError) as info:
        session.execute("include project.`opens.byzer`;")
    assert "opens.byzer line 1:1" in str(info.value) and "is never closed" in str(info.value)


def test_py_include_reads_python_into_a_table_as_byzer_does(session, project, tmp_path):
    (project / "src").mkdir()
    (project / "src" / "model.py").write_text("print('hello from a file')\n")
    result = session.execute("!pyInclude project 'src/model.py' named rawModel;")
    assert result.table_name == "rawModel"
    assert json.loads(result.table.column("value")[0].as_py()) == {"content": "print('hello from a file')\n"}
    (tmp_path / "home_code.py").write_text("x = 1\n")
    result = session.execute("!pyInclude local 'home_code.py' named fromHome;")
    assert json.loads(result.table.to_pylist()[0]["value"])["content"] == "x = 1\n"


def test_py_include_of_a_missing_file(session, project):
    with pytest.raises(ByzerError) as info:
        session.execute("!pyInclude project 'src/none.py' named t;")
    assert "include target `src/none.py` does not exist" in str(info.value)


def test_py_table_is_what_the_ray_et_reads_as_code(session, project):
    from byzer_kernel.runtime.ray_et import resolve_code  # the code='''py.NAME''' reader of `run ... as Ray`

    (project / "job.py").write_text("from pyjava.api.mlsql import RayContext\n")
    session.execute("!pyInclude project 'job.py' named jobCode;")
    assert resolve_code(session, "py.jobCode") == "from pyjava.api.mlsql import RayContext\n"
