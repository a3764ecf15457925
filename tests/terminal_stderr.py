"""Run a command whose stderr is a pseudo-terminal (so that it draws its live lines there) and
collect what it wrote, without depending on how long it takes."""
import os
import select
import subprocess
import termios
import threading


def run_with_terminal_stderr(args, timeout: float = 600, **popen_args):
    """(returncode, stdout, stderr) of `args`, stdout a pipe and stderr a pseudo-terminal."""
    terminal, child_end = wide_terminal()
    chunks: list = []
    try:
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=child_end, text=True, **popen_args)
    finally:
        os.close(child_end)
    # Read while the command runs (a full terminal buffer would block it); stop once it has exited
    # and nothing more is waiting. Processes it started may keep the terminal open: they are not waited for.
    reader = threading.Thread(target=_read, args=(terminal, process, chunks), daemon=True)
    reader.start()
    try:
        stdout = process.communicate(timeout=timeout)[0]
    finally:
        process.kill()
        reader.join(timeout=30)
        os.close(terminal)
    return process.returncode, stdout, b"".join(chunks).decode("utf-8", "replace")


def wide_terminal(columns: int = 200) -> tuple:
    """A pseudo-terminal (its two ends) that says it is `columns` wide, so that lines are not cut."""
    terminal, child_end = os.openpty()
    termios.tcsetwinsize(child_end, (50, columns))
    return terminal, child_end


def _read(terminal: int, process, chunks: list) -> None:
    while True:
        readable, _, _ = select.select([terminal], [], [], 0.2)
        if not readable:
            if process.poll() is not None:
                return
            continue
        try:
            data = os.read(terminal, 65536)
        except OSError:  # EIO: every writer has closed its end
            return
        if not data:
            return
        chunks.append(data)
