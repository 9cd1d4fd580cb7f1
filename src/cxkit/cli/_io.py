"""Reading inputs and writing outputs safely, for every command.

* inputs are read with a size limit, never modified; ``-`` is standard input;
* outputs are written to a temporary file in the destination folder (mode 0600) and renamed into
  place, so a failure never leaves a partial file; an existing file is replaced only with
  ``--force``; an output that is one of the inputs is refused.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxkit.errors import CxkitError, InputError, InputTooLargeError, OutputError

if TYPE_CHECKING:
    from cxkit import cxf

__all__ = [
    "add_max_size",
    "check_folder_output",
    "check_output",
    "is_binary",
    "load_cxf",
    "read_input",
    "read_source",
    "same_file",
    "write_folder",
    "write_output",
]


def read_input(name: str, max_size: int) -> bytes:
    """The bytes of file ``name`` (``-`` = standard input), at most ``max_size`` bytes."""
    if name == "-":
        data = sys.stdin.buffer.read(max_size + 1)
    else:
        path = Path(name)
        try:
            with path.open("rb") as fh:
                info = os.fstat(fh.fileno())
                if stat.S_ISDIR(info.st_mode):
                    raise InputError("is a folder, not a file", location=name)
                if info.st_size > max_size:
                    raise _too_large(name, info.st_size, max_size)
                data = fh.read(max_size + 1)
        except FileNotFoundError:
            raise InputError("no such file", location=name) from None
        except IsADirectoryError:
            raise InputError("is a folder, not a file", location=name) from None
        except PermissionError:
            raise InputError("permission denied", location=name) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", location=name) from None
    if len(data) > max_size:
        raise _too_large(name, None, max_size)
    return data


def read_source(name: str, max_size: int) -> bytes | Path:
    """An export to read: the bytes of file *name* (:func:`read_input`), or the :class:`Path` of
    a folder — some formats are a folder (a password store); their readers walk it."""
    if name != "-" and Path(name).is_dir():
        return Path(name)
    return read_input(name, max_size)


def load_cxf(name: str, max_size: int) -> cxf.Document:
    """Read and decode a CXF file; errors name the file."""
    from cxkit import cxf  # here: reading a file (cxkit detect) needs no CXF layer

    data = read_input(name, max_size)
    try:
        return cxf.decode(data, max_size=max_size)
    except CxkitError as exc:
        exc.location = f"{name}: {exc.location}" if exc.location else name
        raise


def _too_large(name: str, size: int | None, limit: int) -> InputTooLargeError:
    what = f"{size:,} bytes" if size is not None else "larger than the limit"
    return InputTooLargeError(
        f"{what}, over the limit of {limit:,} bytes",
        location=name,
        hint="pass --max-size with a larger number of bytes if the file is really this large",
    )


def add_max_size(parser: argparse.ArgumentParser, default: int) -> None:
    """The ``--max-size`` option every command that reads a file has."""
    parser.add_argument(
        "--max-size",
        type=int,
        default=default,
        metavar="BYTES",
        help=f"refuse larger input files (default: {default:,} bytes)",
    )
    add_max_elements(parser)


class _RaiseLimits(argparse.Action):
    """``--raise-limits``: KeePass KDF/payload ceilings 16x, no inflation ratio, and 100x
    ``--max-elements``, for a file the user trusts (README "Resource bounds")."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        from cxkit.cxf._lenient import max_elements, set_max_elements
        from cxkit.kdbx._crypto import RAISED_LIMITS, set_default_limits

        set_default_limits(RAISED_LIMITS)
        set_max_elements(max(max_elements(), 1_000_000))
        setattr(namespace, self.dest, True)


def add_max_elements(parser: argparse.ArgumentParser) -> None:
    """``--max-elements`` (the CXF decoder's limit on damaged arrays) and ``--raise-limits``
    (issue #17)."""
    parser.add_argument(
        "--raise-limits",
        action=_RaiseLimits,
        nargs=0,
        default=False,
        help="for a file you trust: KeePass key-derivation and size ceilings 16x higher, no "
        "compression-ratio limit, 1,000,000 --max-elements",
    )
    parser.add_argument(
        "--max-elements",
        type=_max_elements,
        metavar="N",
        help="longest damaged CXF array read element by element (default: 10,000); one input "
        "may hold 100 x N items and credentials (default: 1,000,000)",
    )


def _max_elements(text: str) -> int:
    """argparse type of ``--max-elements``: sets the CXF decoder's limit for this run."""
    from cxkit.cxf._lenient import set_max_elements

    try:
        value = int(text)
        set_max_elements(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a whole number of at least 1") from None
    return value


def check_output(name: str, *, force: bool = False, inputs: Iterable[str] = ()) -> None:
    """Refuse an output that would overwrite without ``--force``, is an input, is a folder or
    lies in a folder that does not exist. Commands call it before any work, so that nothing is
    computed (or decrypted) for an output that cannot be written."""
    if name == "-":
        return
    path = Path(name)
    for other in inputs:
        if other and other != "-" and same_file(path, Path(other)):
            raise OutputError(
                "the output is the same file as an input; inputs are never modified",
                location=name,
                hint="choose another output name",
            )
    if path.is_dir():
        raise OutputError("is a folder", location=name, hint="give a file name")
    if (path.exists() or path.is_symlink()) and not force:
        raise OutputError("already exists", location=name, hint="pass --force to replace it")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError("the folder does not exist", location=name)


def write_output(
    name: str, data: bytes, *, force: bool = False, inputs: Iterable[str] = ()
) -> None:
    """Write ``data`` to ``name`` atomically with mode 0600 (``-`` = standard output; binary
    data — a KDBX database, a zip — is refused when standard output is a terminal)."""
    if name == "-":
        if is_binary(data) and sys.stdout.isatty():
            raise OutputError(
                "binary output is not written to a terminal",
                location="standard output",
                hint="redirect it (-o - > FILE, or | another command) or give a file with -o",
            )
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    check_output(name, force=force, inputs=inputs)
    path = Path(name)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"cannot write: {exc.strerror}", location=name) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def is_binary(data: bytes) -> bool:
    """Whether *data* is not text a terminal shows: not UTF-8, or with control characters
    other than tab, line feed and carriage return."""
    try:
        text = data[:65536].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(data[:65536]) - 3:  # not a character cut at the sample's end
            return True
        text = data[: exc.start].decode("utf-8")
    return any(ord(c) < 32 and c not in "\t\n\r" for c in text)


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name the same existing file."""
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_folder_output(name: str, *, inputs: Iterable[str] = ()) -> None:
    """Refuse a folder DEST (a format that is a folder) that is a file, or lies in a folder that
    does not exist; an existing folder is fine (files are added, never replaced)."""
    if name == "-":
        return
    path = Path(name)
    for other in inputs:
        if other and other != "-" and same_file(path, Path(other)):
            raise OutputError(
                "the output is the same as an input; inputs are never modified", location=name
            )
    if path.exists() and not path.is_dir():
        raise OutputError("exists and is not a folder", location=name)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError("the folder above it does not exist", location=name)


def write_folder(name: str, data: bytes) -> list[str]:
    """Add the files of the zip *data* (what a folder format's writer returns) to folder *name*
    — made if missing; new folders 0700, files 0600 — refusing before writing anything when a
    file exists already with other content (the error names the file, never its content; a
    file with the same content is left alone). ``-``: the zip to standard output. Returns the
    paths written."""
    import zipfile

    if name == "-":
        write_output(name, data)
        return []
    root = Path(name)
    check_folder_output(name)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        todo = []
        for info in members:
            parts = info.filename.split("/")
            if info.filename.startswith("/") or any(p in ("", ".", "..") for p in parts):
                raise OutputError(f"an unsafe path: {info.filename[:80]}", location=name)
            target = root.joinpath(*parts)
            if target.exists() or target.is_symlink():
                if target.is_file() and target.read_bytes() == archive.read(info):
                    continue
                raise OutputError(
                    f"{info.filename} already exists; nothing was written",
                    location=name,
                    hint="write to a new sub-folder (files are never replaced)",
                )
            todo.append((info, target))
        written: list[str] = []
        try:
            root.mkdir(mode=0o700, parents=True, exist_ok=True)
            for info, target in todo:
                for parent in reversed(target.relative_to(root).parents[:-1]):
                    (root / parent).mkdir(mode=0o700, exist_ok=True)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(archive.read(info))
                written.append(info.filename)
        except OSError as exc:
            raise OutputError(
                f"cannot write: {exc.strerror} ({len(written)} files were written)", location=name
            ) from None
    return written
