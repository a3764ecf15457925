"""What `save overwrite` may delete. Spark's overwrite removes the target folder whatever it holds;
in a notebook one slip (`save overwrite t as json.`.``, BYZER_HOME being the notebook folder) would
delete every notebook and data file. So overwrite only replaces what a save could have written.

Rules, checked before anything is deleted:

* Never replaced, whatever the options: `/`, the user's home folder, BYZER_HOME, the working folder
  (the notebook's folder) and every folder above those. A save's output replaces the whole target,
  so replacing one of these can never be what a save meant, and a subfolder always does the job;
  an option to allow it would only be one more way to lose everything.
* Replaced freely: a missing path, an empty folder, a symlink (only the link goes), and a folder
  holding nothing but a save's output: Spark part files `part-*`, `_SUCCESS` and other `_*` files,
  `.crc` and other `.` hidden files, `_*`/`.*` scratch folders and `col=value/` partition folders
  (all holding the same), plus the files listed in `SAVED_FILES_MANIFEST` (what the one-file-per-row
  text save wrote, under names the user chose).
* Anything else (a folder holding other files, or a plain file) is replaced only with
  `where overwriteAnyFolder="true"`.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Optional

from ...lang.errors import ByzerRuntimeError

OVERWRITE_ANY_FOLDER = "overwriteAnyFolder"
# Hidden (so loads skip it, as Spark skips `.` files): the files a one-file-per-row text save wrote.
SAVED_FILES_MANIFEST = ".byzer-saved-files"


def _protected_folders(byzer_home: Path) -> dict[Path, str]:
    """Folders never replaced, each with the reason shown to the user."""
    named = [(Path(byzer_home), "BYZER_HOME"), (Path(os.getcwd()), "the working (notebook) folder")]
    try:
        named.append((Path.home(), "your home folder"))
    except (RuntimeError, KeyError):  # no HOME and no passwd entry: nothing more to protect
        pass
    protected: dict[Path, str] = {}
    for folder, name in named:
        real = folder.expanduser().resolve()
        protected.setdefault(real, name)
        for parent in real.parents:
            protected.setdefault(parent, "the root folder" if parent == parent.parent else f"a folder above {name}")
    return protected


def read_manifest(folder: Path) -> set[str]:
    manifest = folder / SAVED_FILES_MANIFEST
    if not manifest.is_file():
        return set()
    return {line for line in manifest.read_text(encoding="utf-8").splitlines() if line}


def write_manifest(folder: Path, relative_names) -> None:
    """Record files written under user-chosen names (kept across appends) so that a later
    overwrite knows they are a save's output."""
    names = read_manifest(folder) | {str(name) for name in relative_names}
    (folder / SAVED_FILES_MANIFEST).write_text("".join(f"{n}\n" for n in sorted(names)), encoding="utf-8")


def _is_save_file(name: str) -> bool:
    return name.startswith(("part-", "_", ".")) or name.endswith(".crc")


def _is_save_folder(name: str) -> bool:
    """Partition folders `col=value` and Spark's `_temporary` / `.spark-staging-*` scratch."""
    return name.startswith(("_", ".")) or ("=" in name and not name.startswith("="))


def foreign_entry(folder: Path) -> Optional[str]:
    """The first entry (relative path) under `folder` that no save wrote, else None."""
    listed = read_manifest(folder)
    listed_folders = {parent.as_posix() for name in listed for parent in PurePosixPath(name).parents}

    def walk(current: Path, prefix: str) -> Optional[str]:
        for entry in sorted(current.iterdir(), key=lambda p: p.name):
            relative = f"{prefix}{entry.name}"
            if relative in listed:
                continue
            if entry.is_symlink():  # never written by a save
                return relative
            if entry.is_dir():
                if not (_is_save_folder(entry.name) or relative in listed_folders):
                    return relative + "/"
                found = walk(entry, relative + "/")
                if found:
                    return found
            elif not _is_save_file(entry.name):
                return relative
        return None

    return walk(folder, "")


def check_overwrite(target: Path, byzer_home: Path, allow_any_folder: bool = False) -> None:
    """Raise (deleting nothing) unless `save overwrite` may replace `target`; see the module doc."""
    if target.is_symlink() or not target.exists():
        return
    real = target.resolve()
    reason = _protected_folders(byzer_home).get(real)
    if reason is not None:
        raise ByzerRuntimeError(f"save overwrite refuses to replace {target}: it is {reason}, and overwrite "
                                "deletes everything in it; save into a subfolder instead")
    if allow_any_folder:
        return
    hint = f'; to replace it anyway add where {OVERWRITE_ANY_FOLDER}="true"'
    if not target.is_dir():
        raise ByzerRuntimeError(f"save overwrite refuses to replace {target}: it is a file, not the "
                                f"folder of an earlier save{hint}")
    foreign = foreign_entry(target)
    if foreign is not None:
        raise ByzerRuntimeError(f"save overwrite refuses to replace the folder {target}: it holds "
                                f"{foreign}, which is not the output of a save{hint}")
