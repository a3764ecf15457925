"""Every runnable example of the language reference (docs/reference/*.md) runs and gives the result its
page shows.

An example is a ```byzer block followed by a ```text block holding what `byzer run` prints for it
(docs/README.md, "How to read the examples"): the messages, then the last table as a text table, or
the error. A block marked ```byzer ray needs Ray and runs in the `ray_session` fixture; a line
`-- next cell` splits a block into cells run one after the other in the same Session, each printing
its own output.
"""
from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from byzer_kernel.display import format_table_text
from byzer_kernel.engine import Session
from byzer_kernel.lang.errors import ByzerError

DOCS = Path(__file__).resolve().parent.parent / "docs"
REFERENCE = DOCS / "reference"
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
CELL_BREAK = re.compile(r"^-- next cell[ \t]*(?:\n|$)", re.MULTILINE)
NO_TABLE = "(no table)"
HOME_SHOWN_AS = "$BYZER_HOME"


def fenced_blocks(text: str):
    """(info string, body, start offset, end offset) of every fenced block of a page."""
    return [(m.group(1).strip(), m.group(2), m.start(), m.end()) for m in FENCE.finditer(text)]


def page_examples(page: Path):
    """(line number, needs Ray, script, expected output) of every ```byzer block of a page."""
    text = page.read_text(encoding="utf-8")
    blocks = fenced_blocks(text)
    examples = []
    for index, (info, body, start, end) in enumerate(blocks):
        words = info.split()
        if not words or words[0] != "byzer":
            continue
        line = text.count("\n", 0, start) + 1
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        # The result must come right after its example: only blank lines may sit between them.
        if following is None or following[0] != "text" or text[end:following[2]].strip():
            raise AssertionError(f"{page.name}:{line}: a ```byzer example needs a ```text result block right after it")
        examples.append((line, "ray" in words[1:], body, following[1]))
    return examples


def all_examples():
    params = []
    for page in sorted(REFERENCE.glob("*.md")):
        for line, needs_ray, script, expected in page_examples(page):
            marks = [pytest.mark.ray] if needs_ray else []
            params.append(pytest.param(page.name, needs_ray, script, expected, id=f"{page.name}:{line}", marks=marks))
    return params


def with_home_hidden(table: pa.Table, home: str) -> pa.Table:
    """String values naming the temporary BYZER_HOME show it as `$BYZER_HOME`, as the pages do."""
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = pc.replace_substring(column, home, HOME_SHOWN_AS)
        columns.append(column)
    return pa.table(columns, schema=table.schema)


def printed_output(session: Session, script: str, with_messages: bool = True) -> str:
    """What `byzer run` prints for the script: its messages, then the last table or the error. A
    script of several cells prints what each cell prints, as a notebook shows it under each cell."""
    lines: list[str] = []
    for cell in CELL_BREAK.split(script):
        try:
            result = session.execute(cell)
        except ByzerError as error:
            lines.append(str(error))
            continue
        if with_messages:
            lines += result.messages
        if result.table is not None:
            lines.append(format_table_text(with_home_hidden(result.table, str(session.home)), limit=None))
    return "\n".join(lines or [NO_TABLE]).replace(str(session.home), HOME_SHOWN_AS)


def normalised(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


@pytest.mark.parametrize("page, needs_ray, script, expected", all_examples())
def test_example(page, needs_ray, script, expected, request, tmp_path, monkeypatch):
    if needs_ray:
        session = request.getfixturevalue("ray_session")
    else:
        monkeypatch.setenv("BYZER_HOME", str(tmp_path))
        session = Session(home=str(tmp_path))
        request.addfinalizer(session.close)
    # With Ray, the messages are connection notices ("... using the embedded local Ray") that depend
    # on the machine; the pages leave them out.
    actual = printed_output(session, script, with_messages=not needs_ray)
    assert normalised(actual) == normalised(expected), f"{page}: the example's output differs:\n{actual}"


def test_every_page_is_listed_in_the_index():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for page in REFERENCE.glob("*.md"):
        assert f"reference/{page.name}" in index, f"docs/README.md does not link {page.name}"


def test_links_between_pages_resolve():
    """Relative links of the docs name files that exist (anchors are not checked)."""
    for page in [DOCS / "README.md", *REFERENCE.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_help_texts_name_existing_pages():
    """The kernel's inspection help points users to pages of docs/ that exist."""
    from byzer_kernel import help_texts, help_topics

    topics = [*help_texts.STATEMENTS.values(), *help_texts.COMMANDS.values(), *help_texts.FORMATS.values(),
              *(help_texts.conf_key(key) for key in help_texts.CONF_KEYS), help_topics.RAY]
    named = {help_topics.DOCS + topic.doc for topic in topics if topic.doc}
    named |= {help_topics.DOCS + page for page in help_topics.ET_PAGES.values()}
    assert named, "the help texts name no page"
    for path in named:
        assert (DOCS.parent / path).exists(), f"the help texts name missing {path}"


def test_the_harness_reads_a_page(tmp_path):
    """An example without its result block is a mistake of the page, not an example to skip."""
    page = tmp_path / "p.md"
    page.write_text("```byzer\nselect 1 as a as t;\n```\n\nprose\n\n```text\nx\n```\n")
    with pytest.raises(AssertionError, match="needs a ```text result block"):
        page_examples(page)
    page.write_text("```byzer ray\nselect 1 as a as t;\n```\n\n```text\nx\n```\n")
    assert page_examples(page) == [(1, True, "select 1 as a as t;\n", "x\n")]
