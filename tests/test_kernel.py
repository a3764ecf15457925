"""The `byzer` kernel over the Jupyter protocol (jupyter_kernel_test), plus Byzer specifics:
one error message naming the statement, %%python cells, completion in code blocks, %config."""
import os
import tempfile
import unittest

import jupyter_kernel_test as jkt

from kernelspec_tools import jupyter_path_with_byzer

TABLE_1 = "+---+\n| a |\n+---+\n| 1 |\n+---+\nt: 1 row"


# A %%python cell: a deliberately broken `!broken` command, and a handler keeping what reaches the
# kernel's own log.
BREAK_A_COMMAND_AND_KEEP_THE_KERNEL_LOG = """%%python
import logging
from byzer_kernel.runtime import shared_session

kernel_log_records = []

class KeepRecords(logging.Handler):
    def emit(self, record):
        kernel_log_records.append(record)

get_ipython().kernel.log.addHandler(KeepRecords())

def broken(session, statement, args, events):
    return len(None)

shared_session().commands["broken"] = broken
"""


class ByzerKernelTests(jkt.KernelTests):
    kernel_name = "byzer"
    language_name = "byzer"
    file_extension = ".byzer"

    code_hello_world = "%%python\nprint('hello, world')"
    code_stderr = "%%python\nimport sys\nprint('to stderr', file=sys.stderr)"
    code_generate_error = "select * from no_such_table as t;"
    code_execute_result = [{"code": "select 1 as a as t;", "mime": "text/plain", "result": TABLE_1}]
    # (widget outputs are checked in test_widgets.py: this harness does not know comm messages)
    code_display_data = [{"code": "%%python\nfrom IPython.display import HTML, display\n"
                                  "display(HTML('<b>x</b>'))", "mime": "text/html"}]
    code_history_pattern = "select 1 as a as t*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "load"
    code_page_something = "%%python\nprint?"
    code_clear_output = "%%python\nfrom IPython.display import clear_output\nclear_output()"
    completion_samples = [
        {"text": "sel", "matches": ["select"]},
        {"text": "!py", "matches": ["!pyInclude", "!python"]},
        {"text": "!f", "matches": ["!fi", "!fs"]},
        {"text": '!python conf "data', "matches": ["dataMode="]},
        {"text": "run command as R", "matches": ["Ray", "RateSampler"]},
        {"text": "run t as DataS", "matches": ["DataSummary"]},
    ]
    complete_code_samples = ["select 1 as a as t;", "set code='''a;\nb''';", "select 1 as a as t; -- done"]
    incomplete_code_samples = ["select 1 as a as t", "set code='''a;", "%%python\nfor i in range(3):"]

    @classmethod
    def setUpClass(cls):
        cls._spec_dir = tempfile.TemporaryDirectory()
        cls._home = tempfile.TemporaryDirectory()
        cls._saved_env = {k: os.environ.get(k) for k in ("BYZER_HOME", "JUPYTER_PATH")}
        os.environ["BYZER_HOME"] = cls._home.name
        os.environ["JUPYTER_PATH"] = jupyter_path_with_byzer(cls._spec_dir.name)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        for key, value in cls._saved_env.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
        cls._spec_dir.cleanup()
        cls._home.cleanup()

    # -- Byzer specifics --------------------------------------------------------------------
    def run_cell(self, code):
        self.flush_channels()
        return self.execute_helper(code)

    def test_error_names_statement_and_line_then_next_cell_runs(self):
        reply, outputs = self.run_cell("select 5 as a as kept;\nselect * from nope as x;")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual([m["msg_type"] for m in outputs], ["error"])
        traceback = "\n".join(outputs[0]["content"]["traceback"])
        self.assertIn("line 2:1", traceback)
        self.assertIn("`select * from nope as x`", traceback)
        self.assertNotIn("Traceback", traceback)
        reply, outputs = self.run_cell("select a + 1 as b from kept as t2;")
        self.assertEqual(reply["content"]["status"], "ok")
        result = [m for m in outputs if m["msg_type"] == "execute_result"][0]
        self.assertIn("| 6 |", result["content"]["data"]["text/plain"])

    def test_an_internal_error_is_one_short_message_and_its_traceback_goes_to_the_kernel_log(self):
        reply, _ = self.run_cell(BREAK_A_COMMAND_AND_KEEP_THE_KERNEL_LOG)
        self.assertEqual(reply["content"]["status"], "ok")
        reply, outputs = self.run_cell("select 5 as a as before_the_bug;\n!broken;")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual([m["msg_type"] for m in outputs], ["error"])  # nothing else in the cell
        error = outputs[0]["content"]
        self.assertEqual(error["ename"], "InternalError")
        self.assertEqual(error["traceback"], [
            "InternalError at line 2:1 in `!broken`: TypeError: object of type 'NoneType' has no len() "
            "(a bug in byzer_kernel; the traceback is in the kernel log)"])
        reply, outputs = self.run_cell("%%python\nimport logging\n"
                                       "[record] = [r for r in kernel_log_records if r.name == 'byzer_kernel']\n"
                                       "print(record.levelname, logging.Formatter().format(record))")
        printed = "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream")
        self.assertTrue(printed.startswith("ERROR InternalError at line 2:1"), outputs)
        self.assertIn("return len(None)", printed)
        reply, outputs = self.run_cell("select a from before_the_bug as t;")
        self.assertEqual(reply["content"]["status"], "ok")

    def test_syntax_error_is_one_error(self):
        reply, outputs = self.run_cell("set a='x';\nselct 1;")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual([m["msg_type"] for m in outputs], ["error"])
        self.assertIn("SyntaxError at line 2:1", outputs[0]["content"]["traceback"][0])

    def test_python_cells_share_the_namespace_with_byzer_cells(self):
        reply, _ = self.run_cell("%%python\nimport pandas as pd\nframe = pd.DataFrame({'v': [1, 2]})")
        self.assertEqual(reply["content"]["status"], "ok")
        reply, outputs = self.run_cell("select sum(v) as s from frame as t;")
        self.assertEqual(reply["content"]["status"], "ok")
        result = [m for m in outputs if m["msg_type"] == "execute_result"][0]
        self.assertIn("| 3 |", result["content"]["data"]["text/plain"])
        self.assertIn("<table", result["content"]["data"]["text/html"])

    def test_config_display_limit_and_footer(self):
        self.run_cell("%%python\nimport pandas as pd\nfive = pd.DataFrame({'v': range(5)})")
        self.run_cell("%config ByzerMagics.displaylimit = 2")
        try:
            reply, outputs = self.run_cell("select v from five as t;")
            data = [m for m in outputs if m["msg_type"] == "execute_result"][0]["content"]["data"]
            self.assertTrue(data["text/plain"].endswith("t: showing 2 of 5 rows"))
            self.assertIn("showing 1–2 of 5 rows", data["text/html"])
        finally:
            self.run_cell("%config ByzerMagics.displaylimit = 20")

    def complete(self, code, cursor_pos=None):
        self.flush_channels()
        self.kc.complete(code, cursor_pos)
        return self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)["content"]

    def test_completion_of_tables_conf_keys_and_ray_context(self):
        self.run_cell("select 1 as a as my_table;")
        self.assertIn("my_table", self.complete("select * from my_")["matches"])
        self.assertIn("schema=", self.complete('!python conf "sch')["matches"])
        code = ("run command as Ray.`` where inputTable=\"t\" and code='''\n"
                "ray_context = RayContext.connect(globals(), None)\nray_context.fo")
        reply = self.complete(code)
        self.assertEqual(reply["matches"], ["foreach"])
        self.assertEqual(reply["cursor_start"], len(code) - 2)
        python = self.complete("run command as Ray.`` where code='''\nimport o", len(
            "run command as Ray.`` where code='''\nimport o"))
        self.assertIn("os", python["matches"])

    def test_completion_offers_only_formats_the_engine_can_load_or_save(self):
        from byzer_kernel.engine.formats import known_formats, savable_formats

        loadable = self.complete("load ")["matches"]
        self.assertEqual(loadable, known_formats())
        self.assertIn("jsonStr", loadable)
        self.assertFalse({"avro", "hbase"} & set(loadable))  # the engine cannot load these
        self.assertIn("jdbc", loadable)
        savable = self.complete("select 1 as a as t;\nsave overwrite t as ")["matches"]
        self.assertEqual(savable, savable_formats())
        self.assertNotIn("jsonStr", savable)  # in-memory formats only load
        self.assertEqual(self.complete("load pa")["matches"], ["parquet"])

    def test_inspect_conf_key_and_table(self):
        self.run_cell("select 1 as a, 'x' as b as inspected;")
        self.flush_channels()
        code = '!python conf "schema=st(field(a,long))";'
        self.kc.inspect(code, code.index("schema") + 2)
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)["content"]
        self.assertTrue(reply["found"])
        self.assertTrue(reply["data"]["text/plain"].startswith("schema (!python conf key): The schema of the table"))
        self.kc.inspect("select * from inspected", 17)
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)["content"]
        self.assertTrue(reply["data"]["text/plain"].startswith("inspected (table): 1 row, 2 columns."))
        self.assertIn("| `a` | int |", reply["data"]["text/markdown"])

    def test_inspect_gives_clean_text_and_markdown_linking_the_reference(self):
        self.flush_channels()
        self.kc.inspect("load jsonStr.`x` as t;", 2)
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)["content"]
        plain, markdown = reply["data"]["text/plain"], reply["data"]["text/markdown"]
        self.assertTrue(plain.startswith("load (statement): "))
        self.assertNotIn("**", plain)
        self.assertNotIn("SPEC", plain + markdown)
        self.assertTrue(plain.endswith("Docs: docs/reference/load.md"))
        self.assertIn("```byzer\nload FORMAT.`PATH`", markdown)
        self.assertIn("[docs/reference/load.md](docs/reference/load.md)", markdown)

    def test_completion_of_columns_after_an_alias_with_kinds_and_ranking(self):
        self.run_cell("select 1 as id, 'x' as label, 2 as level as ranked;")
        code = "select r. from ranked as r"
        reply = self.complete(code, len("select r."))
        self.assertEqual(reply["matches"], ["id", "label", "level"])
        self.assertEqual(reply["cursor_start"], len("select r."))
        reply = self.complete("select * from ranked where l")
        self.assertEqual(reply["matches"][:2], ["label", "level"])
        kinds = [entry["type"] for entry in reply["metadata"]["_jupyter_types_experimental"]]
        self.assertEqual(kinds[:2], ["column", "column"])
        self.assertLess(kinds.index("keyword"), kinds.index("function"))
        self.assertIn("length", reply["matches"])


if __name__ == "__main__":
    unittest.main()
