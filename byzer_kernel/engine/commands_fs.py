"""`!fs` / `!hdfs` (one command, as in Byzer): Hadoop's file shell on the local file system
(Byzer's HDFSCommand + WowFsShell; docs/spec.md §10.7).

The answer is Byzer's: one row, one column `fileSystem` holding the shell's text; `-ls -F` gives a
table of the entries instead. A failure is the statement's error, in Hadoop's words.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyarrow as pa

from ..lang.errors import UsageError
from .commands_fs_paths import (FsError, FsPaths, content_summary, entry_stat, group_name, human_size,
                                modification_time, permission, user_name)

# command -> (options it takes, least and most paths; None: any number)
COMMANDS = {
    "ls": ({"d", "h", "R", "F"}, 0, None),
    "lsr": ({"d", "h", "F"}, 0, None),
    "count": ({"q", "h"}, 0, None),
    "du": ({"s", "h"}, 0, None),
    "mkdir": ({"p"}, 1, None),
    "rm": ({"f", "r", "R", "skipTrash"}, 1, None),
    "rmr": ({"f", "skipTrash"}, 1, None),
    "rmdir": ({"-ignore-fail-on-non-empty"}, 1, None),
    "cp": ({"f"}, 2, None),
    "mv": (set(), 2, None),
    "cat": (set(), 1, None),
}
USAGE = "\n".join([
    "Usage: !fs [generic options]  (!hdfs is the same command; relative paths are under BYZER_HOME)",
    "\t[-ls [-d] [-h] [-R] [-F] [<path> ...]]", "\t[-count [-q] [-h] <path> ...]",
    "\t[-du [-s] [-h] <path> ...]", "\t[-mkdir [-p] <path> ...]", "\t[-rm [-f] [-r|-R] [-skipTrash] <src> ...]",
    "\t[-rmr <src> ...]", "\t[-rmdir [--ignore-fail-on-non-empty] <dir> ...]", "\t[-cp [-f] <src> ... <dst>]",
    "\t[-mv <src> ... <dst>]", "\t[-cat <src> ...]", "\t[-help]", ""])
CAT_LIMIT = 10 * 1024 * 1024  # a result cell, not a file transfer: `load text` reads big files
LS_JSON_COLUMNS = ["group", "length", "modification_time", "name", "owner", "path", "permission", "replication"]


def fs_command(session, statement, args, events):
    if not args or args[0] in ("-help", "-usage"):
        return "fs", _text(USAGE)
    name = args[0][1:] if args[0].startswith("-") else args[0]
    if not args[0].startswith("-") or name not in COMMANDS:
        raise UsageError(f"`{args[0]}': Unknown command\n{USAGE}")
    allowed, least, most = COMMANDS[name]
    options, paths = _options(name, args[1:], allowed)
    if len(paths) < least or (most is not None and len(paths) > most):
        raise UsageError(f"-{name}: {'not enough' if len(paths) < least else 'too many'} arguments\n{USAGE}")
    shell = FsShell(session, name, options)
    if name in ("ls", "lsr"):
        return "fs", shell.ls(paths, recursive=name == "lsr" or "R" in options)
    return "fs", _text(getattr(shell, name)(paths))


def _options(name: str, args: list, allowed: set) -> tuple[set, list]:
    """Hadoop's CommandFormat: leading `-x` arguments are options, the rest are paths."""
    options = set()
    while args and args[0].startswith("-") and len(args[0]) > 1:
        option = args[0][1:]
        if option not in allowed:
            raise UsageError(f"-{name}: Illegal option -{option}\n{USAGE}")
        options.add(option)
        args = args[1:]
    return options, list(args)


def _text(text: str) -> pa.Table:
    return pa.table({"fileSystem": pa.array([text], pa.string())})


class FsShell:
    def __init__(self, session, name: str, options: set):
        self.paths, self.options, self.name = FsPaths(session, name), options, name

    def _size(self, size: int) -> str:
        return human_size(size) if "h" in self.options else str(size)

    # -- reading ---------------------------------------------------------------------------------
    def ls(self, arguments: list, recursive: bool) -> pa.Table:
        lines, entries = [], []
        for argument in arguments or ["."]:
            for path in self.paths.expand(argument):
                if path.is_dir() and "d" not in self.options:
                    self._list_folder(path, recursive, lines, entries)
                else:
                    self._ls_lines([path], lines, entries)
        if "F" in self.options:
            return pa.table({column: pa.array([e[column] for e in entries], pa.string())
                             for column in LS_JSON_COLUMNS})
        return _text("".join(line + "\n" for line in lines))

    def _list_folder(self, folder: Path, recursive: bool, lines: list, entries: list) -> None:
        children = sorted(folder.iterdir(), key=lambda p: p.name)
        if not recursive and "F" not in self.options:
            lines.append(f"Found {len(children)} items")
        self._ls_lines(children, lines, entries)
        if recursive:
            for child in children:
                if child.is_dir() and not child.is_symlink():
                    self._list_folder(child, recursive, lines, entries)

    def _ls_lines(self, paths: list, lines: list, entries: list) -> None:
        """WowLs.processPath's line, its column widths fitted to these entries as adjustColumnWidths does."""
        rows = []
        for path in paths:
            info = entry_stat(path)
            folder = path.is_dir()
            rows.append({"d": "d" if folder else "-", "permission": permission(info.st_mode),
                         "replication": "-" if folder else "1", "owner": user_name(info.st_uid),
                         "group": group_name(info.st_gid), "length": self._size(0 if folder else info.st_size),
                         "modification_time": modification_time(info.st_mtime),
                         "path": self.paths.shown(path), "name": path.name})
        widths = {key: max([minimum] + [len(r[key]) for r in rows])
                  for key, minimum in (("replication", 3), ("length", 10), ("owner", 0), ("group", 0))}
        for r in rows:
            lines.append(f"{r['d']}{r['permission']} {r['replication']:>{widths['replication']}} "
                         f"{r['owner']:<{widths['owner']}} {r['group']:<{widths['group']}} "
                         f"{r['length']:>{widths['length']}} {r['modification_time']} {r['path']} {r['name']}")
            entries.append({**{k: r[k] for k in LS_JSON_COLUMNS}, "permission": r["d"] + r["permission"]})

    def count(self, arguments: list) -> str:
        """Hadoop's ContentSummary line: DIR_COUNT FILE_COUNT CONTENT_SIZE PATHNAME."""
        out = []
        for argument in arguments or ["."]:
            for path in self.paths.expand(argument):
                folders, files, size = content_summary(path)
                quota = f"{'none':>12} {'inf':>15} {'none':>15} {'inf':>15} " if "q" in self.options else ""
                out.append(f"{quota}{folders:>12} {files:>12} {self._size(size):>18} {self.paths.shown(path)}")
        return "".join(line + "\n" for line in out)

    def du(self, arguments: list) -> str:
        """Hadoop's du: size, disk space consumed (one copy here) and path of each entry of a
        folder, or of the path itself with -s."""
        out = []
        for argument in arguments or ["."]:
            for path in self.paths.expand(argument):
                items = (sorted(path.iterdir(), key=lambda p: p.name)
                         if path.is_dir() and "s" not in self.options else [path])
                for item in items:
                    size = self._size(content_summary(item)[2])
                    out.append(f"{size:<10}  {size:<10}  {self.paths.shown(item)}")
        return "".join(line + "\n" for line in out)

    def cat(self, arguments: list) -> str:
        chunks, total = [], 0
        for argument in arguments:
            for path in self.paths.expand(argument):
                if path.is_dir():
                    raise FsError("cat", self.paths.shown(path), "Is a directory")
                total += path.stat().st_size
                if total > CAT_LIMIT:
                    raise FsError("cat", self.paths.shown(path), f"more than {CAT_LIMIT // 1024 // 1024} MB to "
                                  "show; read big files with `load text.`path` as t;`")
                chunks.append(path.read_bytes().decode("utf-8", errors="replace"))
        return "".join(chunks)

    # -- writing ---------------------------------------------------------------------------------
    def mkdir(self, arguments: list) -> str:
        for argument in arguments:
            path = self.paths.resolve(argument)
            if path.exists():
                if not path.is_dir():
                    raise FsError("mkdir", argument, "Is not a directory")
                if "p" not in self.options:
                    raise FsError("mkdir", argument, "File exists")
                continue
            if not path.parent.is_dir() and "p" not in self.options:
                raise FsError("mkdir", argument, "No such file or directory")
            path.mkdir(parents=True, exist_ok=True)
        return ""

    def rm(self, arguments: list) -> str:
        recursive = self.name == "rmr" or {"r", "R"} & self.options
        out = []
        for argument in arguments:
            for path in self.paths.expand(argument, must_exist="f" not in self.options):
                if not os.path.lexists(path):
                    continue
                shown = self.paths.shown(path)
                if path.is_dir() and not path.is_symlink():
                    if not recursive:
                        raise FsError("rm", shown, "Is a directory")
                    self.paths.refuse_protected(path, "delete")
                    shutil.rmtree(path)
                else:
                    path.unlink()
                out.append(f"Deleted {shown}")
        return "".join(line + "\n" for line in out)

    rmr = rm

    def rmdir(self, arguments: list) -> str:
        for argument in arguments:
            for path in self.paths.expand(argument):
                if not path.is_dir():
                    raise FsError("rmdir", self.paths.shown(path), "Is not a directory")
                if any(path.iterdir()):
                    if "-ignore-fail-on-non-empty" in self.options:
                        continue
                    raise FsError("rmdir", self.paths.shown(path), "Directory is not empty")
                self.paths.refuse_protected(path, "delete")
                path.rmdir()
        return ""

    def cp(self, arguments: list) -> str:
        for source, target in self._pairs(arguments):
            if os.path.lexists(target):
                if "f" not in self.options:
                    raise FsError("cp", self.paths.shown(target), "File exists")
                self.paths.refuse_protected(target, "replace")
            if source.is_dir():
                shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
            else:
                shutil.copy2(source, target)
        return ""

    def mv(self, arguments: list) -> str:
        for source, target in self._pairs(arguments):
            if os.path.lexists(target):
                raise FsError("mv", self.paths.shown(target), "File exists")
            self.paths.refuse_protected(source, "move")
            shutil.move(source, target)
        return ""

    def _pairs(self, arguments: list) -> list:
        """(source, target) per source, as Hadoop's CommandWithDestination: into the destination
        when it is a folder; several sources need one."""
        sources = [path for argument in arguments[:-1] for path in self.paths.expand(argument)]
        destination = self.paths.resolve(arguments[-1])
        into = destination.is_dir()
        if len(sources) > 1 and not into:
            raise FsError(self.name, arguments[-1], "Is not a directory")
        if not into and not destination.parent.is_dir():
            raise FsError(self.name, arguments[-1], "No such file or directory")
        pairs = []
        for source in sources:
            target = destination / source.name if into else destination
            if source.is_dir() and (target == source or source in target.parents):
                raise FsError(self.name, self.paths.shown(source),
                              f"cannot {self.name} it into itself ({self.paths.shown(target)})")
            pairs.append((source, target))
        return pairs
