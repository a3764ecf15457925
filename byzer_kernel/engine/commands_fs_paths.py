"""Paths for `!fs`/`!hdfs`: where an argument points, how it is shown, what may not be removed.

Byzer's file shell (WowFsCommand.redefineBaseDir) roots every path in the user's home and refuses
`..`. Here a relative path resolves under BYZER_HOME and may not climb out of it; an absolute path
(or `~/...`) is taken as written, since the user named it on purpose (docs/spec.md §10.7).
"""
from __future__ import annotations

import glob
import os
import stat
from datetime import datetime
from pathlib import Path

from ..lang.errors import ByzerRuntimeError
from .formats.overwrite_guard import _protected_folders

GLOB_CHARACTERS = "*?["


class FsError(ByzerRuntimeError):
    """A file shell failure, worded as Hadoop's shell words it: "rm: `path': Is a directory"."""

    def __init__(self, command: str, shown: str, what: str):
        super().__init__(f"{command}: `{shown}': {what}")


class FsPaths:
    def __init__(self, session, command: str):
        self.home = Path(os.path.normpath(session.home))
        self.command = command  # the shell command without its dash, for messages: "ls", "rm"

    def resolve(self, argument: str) -> Path:
        """The path an argument names; a relative one may not leave BYZER_HOME."""
        path = Path(argument).expanduser()
        if path.is_absolute():
            return Path(os.path.normpath(path))
        full = Path(os.path.normpath(self.home / path))
        if full != self.home and self.home not in full.parents:
            raise FsError(self.command, argument, f"outside BYZER_HOME ({self.home}); a relative path stays "
                          "under BYZER_HOME, give an absolute path to reach other folders")
        return full

    def expand(self, argument: str, must_exist: bool = True) -> list:
        """The paths an argument names: a glob's matches (sorted) or the one path."""
        path = self.resolve(argument)
        if any(c in argument for c in GLOB_CHARACTERS):
            matches = sorted(Path(p) for p in glob.glob(str(path)))
            if not matches and must_exist:
                raise FsError(self.command, argument, "No such file or directory")
            return matches
        if must_exist and not os.path.lexists(path):
            raise FsError(self.command, argument, "No such file or directory")
        return [path]

    def shown(self, path: Path) -> str:
        """Under BYZER_HOME relative to it (as Byzer's cleanPath shows paths under the home), else absolute."""
        if path == self.home:
            return "."
        if self.home in path.parents:
            return path.relative_to(self.home).as_posix()
        return str(path)

    def refuse_protected(self, path: Path, action: str) -> None:
        """Never remove or replace `/`, the home folder, BYZER_HOME, the working folder or a folder
        above them (the rule `save overwrite` follows, engine/formats/overwrite_guard.py)."""
        if path.is_symlink():
            return  # only the link is touched
        reason = _protected_folders(self.home).get(path.resolve())
        if reason is not None:
            raise FsError(self.command, self.shown(path), f"refusing to {action} it: it is {reason}")


# -- what -ls shows of one entry -----------------------------------------------------------------

def entry_stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except OSError:  # a dangling link: show the link itself
        return path.lstat()


def permission(mode: int) -> str:
    """Hadoop's `drwxr-xr-x` without its first letter (the caller puts d or -)."""
    return stat.filemode(mode)[1:]


def user_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def group_name(gid: int) -> str:
    try:
        import grp

        return grp.getgrgid(gid).gr_name
    except (ImportError, KeyError):
        return str(gid)


def modification_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")  # Hadoop's yyyy-MM-dd HH:mm


def human_size(size: int) -> str:
    """Hadoop's TraditionalBinaryPrefix.long2String(size, "", 1): 512, 2 K, 1.5 M."""
    for power, symbol in ((5, "P"), (4, "T"), (3, "G"), (2, "M"), (1, "K")):
        unit = 1024 ** power
        if size >= unit:
            return f"{size // unit} {symbol}" if size % unit == 0 else f"{size / unit:.1f} {symbol}"
    return str(size)


def content_summary(path: Path) -> tuple[int, int, int]:
    """(directories, files, bytes) under path, the folder itself counted, as Hadoop's
    getContentSummary counts; links are not followed."""
    if not path.is_dir() or path.is_symlink():
        return 0, 1, entry_stat(path).st_size
    folders, files, size = 1, 0, 0
    for root, dirs, names in os.walk(path):
        folders += len(dirs)
        for name in names:
            files += 1
            try:
                size += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return folders, files, size
