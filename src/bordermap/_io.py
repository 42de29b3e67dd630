"""Atomic file output: a reader never sees a half-written file, and one command's files change together.

:func:`write_all` writes every file of a command to a temporary file beside it
first, then renames them in a row, so a failure (or Ctrl-C, or SIGTERM) while
writing leaves every previous output as it was and no temporary file behind.
A temporary file left by a run that was killed outright (SIGKILL, a power cut)
is swept by the next run that writes in that folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator, Sequence

from . import settings
from .errors import OutputError

#: The temporary files this module makes: ``.NAME.RANDOM.tmp`` (mkstemp's 8 random characters).
_TMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename.

    If anything fails the previous file at ``path`` is left as it was and no
    temporary file remains.
    """
    write_all([(Path(path), data)])


def write_all(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write every file as one transaction, as far as the OS allows.

    All temporary files are written and synced first; only when every one is
    complete are they renamed over their targets, one after another. A failure
    before the renames changes nothing; SIGINT and SIGTERM while writing remove
    the temporary files before the process stops.
    """
    paths = [Path(p) for p, _ in files]
    if len({p.resolve() for p in paths}) != len(paths):
        dupes = sorted({str(p) for p in paths if paths.count(p) > 1})
        raise OutputError(dupes[0] if dupes else paths[0], "two outputs of this command have the same name")
    for folder in dict.fromkeys(p.parent for p in paths):
        sweep_stale(folder)
    temps: list[str] = []
    backups: dict[Path, str] = {}  # target -> a hard link to its previous version, to roll back to
    done: list[Path] = []
    with _cleanup_on_signal():
        try:
            for path, data in files:
                temps.append(_write_temp(Path(path), data))
            for path in paths:
                backups.update(_backup(path))
            for tmp, path in zip(list(temps), paths):
                try:
                    os.replace(tmp, path)
                except OSError as exc:
                    raise OutputError(path, exc.strerror or str(exc)) from None
                temps.remove(tmp)
                done.append(path)
            done = []  # committed
        finally:
            for path in reversed(done):  # a rename failed part-way: put the previous versions back
                with contextlib.suppress(OSError):
                    if path in backups:
                        os.replace(backups.pop(path), path)
                    else:
                        os.unlink(path)
            for tmp in [*temps, *backups.values()]:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


def _backup(path: Path) -> dict[Path, str]:
    """A hard link to the file now at ``path`` (none if there is none, or the file system has no links)."""
    if not path.is_file():
        return {}
    name = path.parent / f".{path.name}.{os.urandom(4).hex()}.tmp"
    try:
        os.link(path, name)
    except OSError:
        return {}
    return {path: str(name)}


def _write_temp(path: Path, data: bytes) -> str:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(path, exc.strerror or str(exc)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(path, exc.strerror or str(exc)) from None
        raise
    return tmp


@contextlib.contextmanager
def _cleanup_on_signal() -> Iterator[None]:
    """SIGTERM raises SystemExit (SIGINT already raises KeyboardInterrupt), so ``finally`` blocks run."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def sweep_stale(folder: Path, older_than: float | None = None) -> list[Path]:
    """Remove this module's temporary files older than ``older_than`` seconds from ``folder``; return them."""
    age = settings.STALE_TMP_SECONDS if older_than is None else older_than
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not _TMP.match(entry.name):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False) and now - entry.stat(follow_symlinks=False).st_mtime > age:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks so large inputs stay cheap."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
