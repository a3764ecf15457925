"""Shift+Tab help and completion over a real Session (issue 14, deliverable 6): help reads cleanly
as plain text and as Markdown and links to the language reference; every example in the help runs;
completion offers columns after a table or alias and ranks columns, tables and keywords before
functions; a complete_request sent as the kernel starts, and `%%byzer` cells of a Python kernel.
The rest of the kernel's protocol side is in test_kernel.py."""
import re
from pathlib import Path

import pytest
from jupyter_client.manager import KernelManager, start_new_kernel

from byzer_kernel import help_texts, help_topics
from byzer_kernel import kernel_help as kh
from kernel_cells import complete as kernel_complete, run_cell
from kernelspec_tools import jupyter_path_with_byzer

ROOT = Path(__file__).resolve().parents[1]
SETUP = ("set rows = '''{\"name\": \"Ana\", \"age\": 31, \"city\": \"Oslo\"}\n"
         "{\"name\": \"Bo\", \"age\": 27, \"city\": \"Rome\"}''';\n"
         "load jsonStr.`rows` as people;\n"
         "select 1 as id, 'x' as label as counts;\n"
         "save overwrite people as csv.`people.csv` where header=\"true\";\n")


@pytest.fixture
def people(session):
    session.execute(SETUP)
    return session


def complete(session, code: str, marker: str = "|"):
    """(matches, kinds) at the `|` in code (or at its end)."""
    cursor = code.index(marker) if marker in code else len(code)
    matches, begin, kinds = kh.byzer_matches(code.replace(marker, ""), cursor, session)
    return matches, kinds


def inspect(session, code: str, marker: str = "|") -> dict:
    cursor = code.index(marker) if marker in code else len(code)
    return kh.inspect_data(code.replace(marker, ""), cursor, session)


# -- completion ------------------------------------------------------------------------------------

def test_columns_after_an_alias_or_a_table_name(people):
    assert complete(people, "select p.| from people as p")[0] == ["age", "city", "name"]
    assert complete(people, "select p.na| from people p")[0] == ["name"]
    assert complete(people, "select people.c| from people")[0] == ["city"]
    joined = "select c.|, p.name from counts c join people as p on c.id = p.age"
    assert complete(people, joined)[0] == ["id", "label"]
    assert complete(people, "select a from people as t;\nselect * from counts c join people p on p.|")[0] == [
        "age", "city", "name"]


def test_select_and_where_positions_offer_the_querys_columns_first(people):
    matches, kinds = complete(people, "select | from people")
    assert matches[:3] == ["age", "city", "name"] and kinds[:3] == ["column"] * 3
    assert matches[3:5] == ["people", "counts"] and kinds[3:5] == ["table", "table"]
    assert "function" not in kinds  # no prefix: the ~380 functions would bury everything else
    matches, kinds = complete(people, "select * from people where c")
    assert matches[0] == "city" and kinds[0] == "column"
    order = [kinds.index(kind) for kind in ("column", "table", "keyword", "function")]
    assert order == sorted(order), kinds  # columns, tables, keywords, then functions
    assert "count" in matches and "concat" in matches


def test_tables_after_from_join_desc_and_run(people):
    for code in ("select * from pe", "select * from counts join pe", "!desc pe", "run pe"):
        assert complete(people, code) == (["people"], ["table"]), code


def test_a_statements_first_word_is_a_keyword_and_words_stay_in_their_statement(people):
    assert complete(people, "sel") == (["select"], ["keyword"])
    assert complete(people, "select 1 as a as t; lo") == (["load"], ["keyword"])
    assert complete(people, "!py") == (["!pyInclude", "!python"], ["command", "command"])


def test_variables_set_in_the_cell_complete_inside_a_reference(people):
    code = "set folder = \"x\";\nset fmt = \"y\";\nload csv.`${f"
    assert complete(people, code) == (["folder", "fmt"], ["variable", "variable"])


def test_completion_metadata_gives_each_match_its_kind(people):
    matches, begin, kinds = kh.byzer_matches("select * from pe", 16, people)
    metadata = kh.completion_metadata(matches, kinds, begin, 16)
    assert metadata["_jupyter_types_experimental"] == [{"start": 14, "end": 16, "text": "people", "type": "table"}]


def test_completion_asked_as_the_kernel_starts_waits_for_its_session(tmp_path, monkeypatch):
    """A complete_request sent before the kernel is even ready (it waits in the kernel's socket)
    comes before the kernel's warm-up has made the Session: it is answered from that Session once
    it is made, so the built-in ETs are offered, not only `Ray`."""
    monkeypatch.setenv("JUPYTER_PATH", jupyter_path_with_byzer(tmp_path / "spec"))
    monkeypatch.setenv("BYZER_HOME", str(tmp_path))
    manager = KernelManager(kernel_name="byzer")
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        assert kernel_complete(client, "run t as DataS")["matches"] == ["DataSummary"]
        assert set(kernel_complete(client, "run command as R")["matches"]) == {"Ray", "RateSampler"}
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_byzer_magic_cells_of_a_python_kernel_complete_as_byzer(tmp_path, monkeypatch):
    """IPython alone completes a `%%byzer` cell as Python (`pexpect` after `from pe`)."""
    monkeypatch.setenv("BYZER_HOME", str(tmp_path))
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        run_cell(client, "%load_ext byzer_kernel")
        run_cell(client, "%%byzer\nselect 1 as id, 'Ana' as name, 'Oslo' as nation as people;")
        reply = kernel_complete(client, "%%byzer\nselect * from people where na")
        assert reply["matches"] == ["name", "nation", "named_struct", "nanvl"]
        assert [m["type"] for m in reply["metadata"]["_jupyter_types_experimental"]] == [
            "column", "column", "function", "function"]
        assert reply["cursor_start"] == len("%%byzer\nselect * from people where ")
        assert kernel_complete(client, "%%byzer\nselect * from pe")["matches"] == ["people"]
        assert kernel_complete(client, "%%byzer --each\nrun people as DataS")["matches"] == ["DataSummary"]
        assert "print" in kernel_complete(client, "pri")["matches"]  # Python cells stay IPython's
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_statement_bounds_ignore_semicolons_in_quotes_and_comments():
    code = "set a = '''x;y''';\n-- a comment; here\nselect 'a;b' as c from t"
    start, end = kh.statement_bounds(code, len(code))
    assert code[start:end].strip().startswith("-- a comment; here\nselect")


# -- help -------------------------------------------------------------------------------------------

def every_static_topic():
    return [*help_texts.STATEMENTS.values(), *help_texts.COMMANDS.values(), *help_texts.FORMATS.values(),
            *(help_texts.conf_key(key) for key in help_texts.CONF_KEYS), help_topics.RAY]


@pytest.mark.parametrize("topic", every_static_topic(), ids=lambda topic: f"{topic.kind}:{topic.title}")
def test_help_is_clean_plain_text_and_markdown_with_a_link_to_an_existing_page(topic):
    plain, markdown = help_topics.plain(topic), help_topics.markdown(topic)
    assert "**" not in plain and "```" not in plain and "](" not in plain
    assert not re.search(r"`[^`\s]+`", plain.split("\n\n")[0].replace(".`", "")), plain  # no code spans left
    assert plain.startswith(f"{topic.title} ({topic.kind}): ")
    page = f"docs/reference/{topic.doc}"
    assert plain.endswith(f"Docs: {page}") and (ROOT / page).exists()
    assert f"[{page}]({page})" in markdown
    assert markdown.count("```") % 2 == 0
    for code in re.findall(r"```byzer\n(.*?)\n```", markdown, re.S):
        assert code in "\n".join(topic.syntax) or code == topic.example


def test_no_help_text_points_outside_the_repository():
    sources = [ROOT / "byzer_kernel" / name for name in ("help_texts.py", "help_topics.py", "kernel_help.py")]
    for path in [*sources, ROOT / "README.md", *ROOT.glob("docs/**/*.md")]:
        text = path.read_text(encoding="utf-8")
        assert "SPEC §" not in text and "../shared" not in text, path


# Examples that need a service the tests do not have: Rest calls a public HTTP API.
EXAMPLES_NEEDING_A_SERVICE = {"Rest"}


@pytest.mark.parametrize("topic", [t for t in every_static_topic()
                                   if t.example and t.title not in EXAMPLES_NEEDING_A_SERVICE],
                         ids=lambda topic: f"{topic.kind}:{topic.title}")
def test_every_help_example_runs(people, topic):
    people.execute(topic.example)


def test_inspect_a_statement_format_and_conf_key(people):
    data = inspect(people, "load|")
    assert set(data) == {"text/plain", "text/markdown"}
    assert data["text/plain"].startswith("load (statement): Reads data")
    assert "```byzer\nload FORMAT.`PATH`" in data["text/markdown"]
    jdbc = inspect(people, "load jd|bc.`shop.items` as items;")["text/plain"]
    assert jdbc.startswith("jdbc (format)") and "directQuery" in jdbc and "docs/reference/jdbc.md" in jdbc
    conf = inspect(people, '!python conf "sche|ma=st(field(a,long))";')["text/plain"]
    assert conf.startswith("schema (!python conf key)")


def test_inspect_an_et_shows_its_doc_and_every_parameter(people):
    data = inspect(people, "run people as DataSum|mary.`` as t;")
    et = people.ets["DataSummary"]
    assert data["text/plain"].startswith(f"DataSummary (ET): {et.doc[:40]}")
    for param in et.params:
        assert f"| `{param.name}` |" in data["text/markdown"]
    assert "docs/reference/et-eda.md" in data["text/plain"]


def test_inspect_a_function_shows_its_arguments_and_sparks_reference(people):
    data = inspect(people, "select subs|tring(name, 1, 2) from people")
    assert data["text/plain"].startswith("substring(text, position[, size]) (function)")
    assert "https://spark.apache.org/docs/3.3.4/api/sql/index.html#substring" in data["text/markdown"]


def test_inspect_tables_and_columns_with_spark_types(people):
    table = inspect(people, "select * from peo|ple")["text/plain"]
    assert table.startswith("people (table): 2 rows, 3 columns.")
    assert re.search(r"^  age\s+bigint$", table, re.M) and re.search(r"^  name\s+string$", table, re.M)
    column = inspect(people, "select p.ag|e from people as p")["text/plain"]
    assert column.startswith("age (column): A column of people: bigint.")
    assert inspect(people, "select label from counts where la|bel = 'x'")["text/plain"].startswith("label (column)")


def test_inspect_commands_known_unknown_and_macros(people):
    assert inspect(people, "!de|sc people;")["text/plain"].startswith("!desc (command)")
    assert "did you mean !show?" in inspect(people, "!shw| tables;")["text/plain"]
    people.execute("set greet = '''select \"hi {0}\" as g as t;''' where scope=\"session\";")
    assert inspect(people, "!gre|et Ana;")["text/plain"].startswith("!greet (macro)")


def test_inspect_a_secret_variable_hides_its_value(people):
    people.execute("set dbPassword = \"hunter2\" where scope=\"session\";")
    data = inspect(people, "select '${dbPass|word}' as p as t;")
    assert data["text/plain"].startswith("dbPassword (variable)") and "hunter2" not in str(data)


def test_inspect_nothing_known_is_not_found(people):
    assert inspect(people, "select zzz_nothing| from people") == {}
    assert inspect(people, "   |") == {}
