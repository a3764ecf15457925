"""`byzer run NOTEBOOK.ipynb`: the notebook's code cells run in order on the notebook's own kernel
(through nbclient, as `nbconvert --execute` runs them), and after each cell what a person would see
under it is printed on stdout as text: what the cell printed (notices such as `!println`, warnings),
displays (the cluster status, progress in its final state, charts) and result tables, each as its
`text/plain`, in the order the notebook shows them.

A failing cell stops the run: its outputs are printed, then on stderr its number (code cells counted
from 1, in the order they appear; Markdown cells are not counted), its first line and the error as
the kernel gave it (a Byzer error's headline carries the line:col inside the cell). `-p name=value`
parameters become session variables in the kernel before the first cell; `--save` writes the
executed notebook, outputs included, whether the run succeeded or not.
"""
from __future__ import annotations

import asyncio
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Optional, TextIO

from .cli_stderr import LiveLine
from .lang.errors import bounded

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FIRST_LINE_LIMIT = 80
INTERRUPT_GRACE_SECONDS = 30  # after Ctrl-C, time the kernel gets to stop the running cell


class ParameterError(Exception):
    """`-p` parameters cannot be set on this notebook's kernel."""


def run_notebook(path: Path, save: Optional[Path], timeout: int, parameters: dict) -> int:
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="byzer-run-") as sockets:
        client = _headless_client_class()(notebook, timeout=timeout, config=_kernel_config(sockets),
                                          resources={"metadata": {"path": str(path.parent.resolve())}})
        try:
            return _run_cells(client, notebook, parameters)
        except ParameterError as error:
            print(f"byzer: {error}", file=sys.stderr)
            return 1
        finally:
            client.live.clear()
            if save:
                client.set_widgets_metadata()  # widget views in the saved notebook find their state
                nbformat.write(notebook, save)


def _run_cells(client, notebook, parameters: dict) -> int:
    printer = OutputPrinter(sys.stdout)
    with client.setup_kernel():
        client.prepare(parameters)
        for number, index, cell in numbered_code_cells(notebook):
            try:
                failure = client.run_cell(cell, index, number)
            except KeyboardInterrupt:  # what the cell showed until then is worth seeing
                printer.print_cell(cell, with_errors=False)
                raise
            printer.print_cell(cell, with_errors=failure is None)
            if failure is not None:
                print(failure, file=sys.stderr)
                return 1
    return 0


def _kernel_config(sockets: str):
    """The kernel is ours alone: it talks over local sockets in a folder of ours (not TCP ports,
    and not the notebook's folder, where the kernel runs)."""
    from traitlets.config import Config

    return Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "kernel")}})


def numbered_code_cells(notebook):
    """(number, index, cell) of every code cell: numbers count code cells from 1; the index is the
    cell's place among all cells."""
    number = 0
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            number += 1
            yield number, index, cell


def first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= FIRST_LINE_LIMIT else line[:FIRST_LINE_LIMIT - 1] + "…"
    return ""


def failure_text(number: int, cell, reason: str) -> str:
    return bounded(f"byzer: cell {number} failed (code cells counted from 1): {first_line(cell.source)}\n"
                   f"{reason.rstrip()}")


def error_output_text(output) -> str:
    """An `error` output as the notebook shows it: its traceback lines (for a Byzer error, the
    headline and its detail), without terminal colours."""
    lines = output.get("traceback") or [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
    return ANSI_ESCAPE.sub("", "\n".join(lines))


def output_text(output) -> Optional[str]:
    """The text a person reads of one output; None for outputs that show nothing (a cleared notice)."""
    kind = output.get("output_type")
    if kind == "stream":
        text = _joined(output.get("text"))
    elif kind in ("display_data", "execute_result"):
        text = _joined(output.get("data", {}).get("text/plain"))
    elif kind == "error":
        text = error_output_text(output)
    else:
        return None
    return text if text and text.strip() else None


def _joined(text) -> str:
    return "".join(text) if isinstance(text, list) else (text or "")


class OutputPrinter:
    """Prints outputs as blocks separated by a blank line; consecutive printed text of one cell
    stays one block, as the notebook shows it."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.printed = False

    def print_cell(self, cell, with_errors: bool = True) -> None:
        blocks: list[str] = []
        previous_stream = False
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and not with_errors:
                continue  # the failing cell's error goes to stderr with the cell's number
            text = output_text(output)
            if text is None:
                continue
            is_stream = output.get("output_type") == "stream"
            if is_stream and previous_stream:
                blocks[-1] += text
            else:
                blocks.append(text)
            previous_stream = is_stream
        for block in blocks:
            self.stream.write(("\n" if self.printed else "") + block.rstrip("\n") + "\n")
            self.printed = True
        self.stream.flush()


def parameter_code(parameters: dict, language: str) -> str:
    """Code that sets the parameters in the kernel's Byzer session; values travel as Python
    literals (repr), so quotes, backslashes and line breaks arrive as given."""
    code = f'__import__("byzer_kernel.cli", fromlist=["cli"]).set_shared_parameters({parameters!r})'
    if language == "byzer":
        return "%%python\n" + code
    if language == "python":  # a Python notebook using %%byzer: the magic shares the same session
        return code
    raise ParameterError(f"-p needs a Byzer or Python kernel; this notebook's kernel runs {language or 'an unknown language'}")


def _headless_client_class():
    """NotebookClient subclass, made on first use so that `byzer run SCRIPT` never imports nbclient."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from nbclient.util import ensure_async, run_sync

    class HeadlessClient(NotebookClient):
        """Runs cells one by one; on a terminal, a display a running cell keeps updating (the
        "starting Ray… N s" notice, progress) is shown as a live line on stderr."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.live = LiveLine(sys.stderr)

        def prepare(self, parameters: dict) -> None:
            """Read the kernel's language (as `execute()` does) and set the parameters."""
            reply = self.wait_for_reply(self.kc.kernel_info())
            language_info = (reply or {}).get("content", {}).get("language_info")
            if language_info:
                self.nb.metadata["language_info"] = language_info
            if not parameters:
                return
            code = parameter_code(parameters, (language_info or {}).get("name", ""))
            reply = self.wait_for_reply(self.kc.execute(code, silent=True, store_history=False))
            content = (reply or {}).get("content", {})
            if content.get("status") != "ok":
                raise ParameterError("the -p parameters could not be set: "
                                     f"{content.get('ename', 'no answer')}: {content.get('evalue', '')}")

        def run_cell(self, cell, index: int, number: int) -> Optional[str]:
            """Run one cell; None when it ran, else the failure's text naming the cell."""
            try:
                error = run_sync(self._async_run_cell)(cell, index)
            except KeyboardInterrupt:
                self.interrupt_running_cell()
                raise
            finally:
                self.live.clear()
            if error is None:
                return None
            if isinstance(error, CellExecutionError):
                errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
                reason = error_output_text(errors[-1]) if errors else "the kernel reported an error"
            elif isinstance(error, CellTimeoutError):
                reason = f"TimeoutError: the cell ran longer than {self.timeout} s (--timeout)"
            elif isinstance(error, DeadKernelError):
                reason = "DeadKernelError: the kernel died while the cell ran"
            else:
                raise error
            return failure_text(number, cell, reason)

        async def _async_run_cell(self, cell, index: int):
            """The cell's failure is returned, not raised: after a Ctrl-C this task is finished
            by `interrupt_running_cell`, and nobody would be there to catch it."""
            self.running_cell = asyncio.current_task()
            try:
                await self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1)
                return None
            except Exception as error:
                return error

        def interrupt_running_cell(self) -> None:
            """Ctrl-C: the kernel interrupts the cell (its error then lands in the cell's outputs)
            before it is shut down, so that a run is stopped rather than cut off and the kernel
            does not answer into closed sockets. A second Ctrl-C stops waiting."""
            try:
                run_sync(self._async_interrupt_running_cell)()
            except Exception:  # the kernel did not stop in time, or is gone: shutting it down follows
                pass

        async def _async_interrupt_running_cell(self) -> None:
            await ensure_async(self.km.interrupt_kernel())
            running = getattr(self, "running_cell", None)
            if running is not None and not running.done():
                await asyncio.wait([running], timeout=INTERRUPT_GRACE_SECONDS)

        def process_message(self, msg, cell, cell_index):
            content = msg.get("content") or {}
            if (msg.get("msg_type") in ("display_data", "update_display_data")
                    and (content.get("transient") or {}).get("display_id")):
                self.live.show(_joined(content.get("data", {}).get("text/plain")))
            return super().process_message(msg, cell, cell_index)

    return HeadlessClient
