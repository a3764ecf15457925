"""The Byzer kernel: an IPythonKernel whose cells run through the %%byzer magic (docs/design.md §4.3), so
widgets, comms, `display()` and `%config` work as in any IPython kernel.

A cell starting with `%%python` runs its Python in the same process; any other cell starting with
`%` is an IPython magic cell (`%config ...`, `%byzer status`); everything else is Byzer, including
Byzer Notebook `#%python` cells, which the Session rewrites as Byzer Notebook does.
"""
from __future__ import annotations

import asyncio
import inspect
import sys
import threading

from ipykernel.ipkernel import IPythonKernel
from ipykernel.zmqshell import ZMQInteractiveShell
from traitlets import Type

from . import __version__
from . import kernel_help as help_

LANGUAGE_INFO = {
    "name": "byzer",
    "version": __version__,
    "mimetype": "text/x-byzer",
    "file_extension": ".byzer",
    "codemirror_mode": "byzer",
    "pygments_lexer": "sql",
}


def python_cell(code: str):
    """The Python source of a `%%python` cell, the cell itself for other IPython cells, else None."""
    stripped = code.lstrip()
    first, _, rest = stripped.partition("\n")
    if first.strip() == "%%python":
        return rest
    if stripped.startswith("%"):
        return code
    return None


class ByzerShell(ZMQInteractiveShell):
    """Runs the Byzer cell being executed as `%%byzer` while history keeps the text as written."""

    byzer_cell = None

    def transform_cell(self, raw_cell):
        if self.byzer_cell is not None and raw_cell == self.byzer_cell:
            raw_cell = "%%byzer\n" + raw_cell
        return super().transform_cell(raw_cell)


class ByzerKernel(IPythonKernel):
    shell_class = Type(ByzerShell)
    implementation = "byzer_kernel"
    implementation_version = __version__
    language_info = LANGUAGE_INFO
    banner = f"Byzer kernel {__version__}: Byzer SQL on DuckDB, Python on Ray (%%python cells run Python)"
    help_links = [{"text": "Byzer-lang", "url": "https://docs.byzer.org/"}]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from .magics import load_ipython_extension

        load_ipython_extension(self.shell)
        start_warm_up()

    async def do_execute(self, code, silent, store_history=True, user_expressions=None,
                         allow_stdin=False, *, cell_meta=None, cell_id=None):
        python = python_cell(code)
        if python is None and code.strip():
            # The same path as %%byzer: history, Out[n], errors and display all come from IPython.
            self.shell.byzer_cell = code
        try:
            return await super().do_execute(python if python is not None else code, silent, store_history,
                                            user_expressions, allow_stdin, cell_meta=cell_meta,
                                            cell_id=cell_id)
        finally:
            self.shell.byzer_cell = None
            start_driver_after_first_cell()

    async def do_complete(self, code, cursor_pos):
        if python_cell(code) is not None:
            return await _maybe_await(super().do_complete(code, cursor_pos))
        block = help_.python_block_at(code, cursor_pos)
        if block is not None:
            start, source = block
            special = help_.python_context_matches(source, cursor_pos - start)
            if special is not None:
                return _reply(special[0], start + special[1], cursor_pos)
            reply = await _maybe_await(super().do_complete(source, cursor_pos - start))
            reply["cursor_start"] += start
            reply["cursor_end"] += start
            return reply
        matches, begin, kinds = help_.byzer_matches(code, cursor_pos, await self._session_for_help())
        return _reply(matches, begin, cursor_pos, help_.completion_metadata(matches, kinds, begin, cursor_pos))

    async def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        if python_cell(code) is not None:
            return await _maybe_await(super().do_inspect(code, cursor_pos, detail_level, omit_sections))
        data = help_.inspect_data(code, cursor_pos, await self._session_for_help())
        return {"status": "ok", "found": bool(data), "data": data, "metadata": {}}

    async def do_is_complete(self, code):
        if python_cell(code) is not None:
            return await _maybe_await(super().do_is_complete(code))
        return help_.is_complete(code)

    async def do_history(self, hist_access_type, output, raw, session=0, start=0, stop=None,
                         n=None, pattern=None, unique=False):
        reply = await _maybe_await(super().do_history(hist_access_type, output, raw, session, start,
                                                      stop, n, pattern, unique))
        # IPython answers a range of the current session with session 0; the protocol wants its number.
        current = self.shell.history_manager.session_number
        reply["history"] = [(s or current, *rest) for s, *rest in reply.get("history", [])]
        return reply

    async def do_shutdown(self, restart):
        from .widgets import stop_refreshing

        stop_refreshing()
        if self._session_if_started() is not None:
            sys.modules["byzer_kernel.runtime"].close_shared_session()
        return await _maybe_await(super().do_shutdown(restart))

    async def _session_for_help(self):
        """The Session completion and inspection read: the one the warm-up makes, once it is made.
        A request that comes before (the kernel answers requests while the warm-up imports) waits
        for it, off the event loop; answered without it, it would miss the session's ETs."""
        if not _warm_up_session_made.is_set():
            await asyncio.get_running_loop().run_in_executor(None, _warm_up_session_made.wait, WARM_UP_WAIT)
        return self._session_if_started()

    def _session_if_started(self):
        """The Session cells already made, else None: help never starts one (nor Ray)."""
        runtime = sys.modules.get("byzer_kernel.runtime")
        # None too while the warm-up thread is still importing the runtime: no Session exists yet.
        current_session = getattr(runtime, "current_session", None)
        return current_session() if current_session is not None else None


_warm_up_started = threading.Event()
_warm_up_session_made = threading.Event()
# How long completion and inspection wait for the warm-up's Session (seconds): a few on a loaded
# machine; past that they answer with what the kernel knows without one.
WARM_UP_WAIT = 60


def start_warm_up() -> None:
    """Arrow, DuckDB and sqlglot load in the background while the kernel starts (never Ray)."""
    if not _warm_up_started.is_set():
        _warm_up_started.set()
        threading.Thread(target=_warm_up, name="byzer-warm-up", daemon=True).start()


def _warm_up() -> None:
    try:
        from .runtime import shared_session

        session = shared_session()
        _warm_up_session_made.set()
        session.warm_up()
    except Exception:  # the first cell reports any real problem itself
        pass
    finally:
        _warm_up_session_made.set()  # made or failed: help waits no longer


_driver_started = threading.Event()


def start_driver_after_first_cell() -> None:
    """The Python driver process (not Ray) starts once the first cell is done, while the user
    reads it: started with the kernel, it would compete with the first cell for the CPU."""
    if not _driver_started.is_set():
        _driver_started.set()
        threading.Thread(target=_start_driver, name="byzer-driver-start", daemon=True).start()


def _start_driver() -> None:
    try:
        from .runtime.driver_client import prestart

        prestart()
    except Exception:  # the first Python cell reports any real problem itself
        pass


async def _maybe_await(value):
    return await value if inspect.isawaitable(value) else value


def _reply(matches, cursor_start, cursor_end, metadata=None):
    return {"status": "ok", "matches": matches, "cursor_start": cursor_start, "cursor_end": cursor_end,
            "metadata": metadata or {}}

