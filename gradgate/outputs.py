"""The files one ``gradgate`` command writes, and the list of them it prints at the end.

Every file is written through a temporary file that replaces the target only when complete
(:mod:`autograd.utils.atomic`), so a failure never leaves an empty or half-written file behind.

>>> import tempfile
>>> out = Outputs(Path(tempfile.mkdtemp()))
>>> _ = out.save("note.txt", "a note", lambda p: p.write_text("hi"))
>>> [(p.name, what) for p, what in out.files]
[('note.txt', 'a note')]
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograd.utils import atomic_path, write_atomic

from .errors import UsageError

DEFAULT_OUT = "gradgate-out"

NO_DOT = ("note: Graphviz's `dot` program is not installed, so only the .gv sources were "
          "written (no SVGs, no HTML player); install Graphviz (e.g. `sudo apt-get install "
          "graphviz` or `brew install graphviz`) to get the pictures")


def writable_folder(folder: Path, option: str) -> Path:
    """``folder``, created if needed; a UsageError naming ``option`` when it cannot be
    written to. Commands call it before any work, so a bad path costs nothing.

    >>> import tempfile
    >>> writable_folder(Path(tempfile.mkdtemp()) / "new", "--out").is_dir()
    True
    >>> writable_folder(Path(__file__) / "sub", "--out")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    UsageError: --out ...: cannot write there (Not a directory)
    """
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{option} {folder}: cannot write there (a file, not a folder)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"{option} {folder}: cannot write there ({err.strerror})") from None
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{option} {folder}: cannot write there (permission denied)")
    return folder


def writable_file(path: Path, option: str) -> Path:
    """``path`` when a file can be written there (its folder made if needed), else a
    UsageError naming ``option``.

    >>> import tempfile
    >>> writable_file(Path(tempfile.mkdtemp()), "--player")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    UsageError: --player ...: is a folder; give a file name
    """
    if path.is_dir():
        raise UsageError(f"{option} {path}: is a folder; give a file name")
    writable_folder(path.parent, option)
    return path


class Outputs:
    """Files written by one command, with what each holds; renders graphs with ``dot``.

    When ``dot`` is missing only the ``.gv`` sources are written and one note says how to
    install Graphviz.

    >>> Outputs(Path("results")).files
    []
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: list[tuple[Path, str]] = []
        self.missing_dot = False

    def path(self, name: str) -> Path:
        """``folder / name``, creating the folder.

        >>> import tempfile
        >>> Outputs(Path(tempfile.mkdtemp()) / "new").path("a.csv").parent.is_dir()
        True
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / name

    def add(self, path: Path, what: str) -> Path:
        """List ``path`` (already written) with a description of what it holds.

        >>> Outputs(Path(".")).add(Path("w.npz"), "weights").name
        'w.npz'
        """
        self.files.append((path, what))
        return path

    def save(self, name: str, what: str, write: Callable[[Path], Any]) -> Path:
        """Write ``folder / name`` with ``write(path)`` (through a temporary file) and list it.

        >>> import tempfile
        >>> out = Outputs(Path(tempfile.mkdtemp()))
        >>> out.save("h.csv", "history", lambda p: p.write_text("epoch\\n")).read_text()
        'epoch\\n'
        """
        path = self.path(name)
        with atomic_path(path) as tmp:
            write(tmp)
        return self.add(path, what)

    def graph(self, graph: Any, target: Path, what: str) -> list[Path]:
        """Write ``graph``'s DOT source next to ``target`` and render ``target`` (its suffix
        names the format: .svg, .png, .pdf; .gv/.dot write the source only)."""
        import graphviz

        target.parent.mkdir(parents=True, exist_ok=True)
        fmt = target.suffix.lower().lstrip(".")
        source = target if fmt in ("gv", "dot") else target.with_suffix(".gv")
        data = None
        if fmt not in ("gv", "dot"):
            try:  # first: past its time budget a picture becomes its coarser view
                data = graph.pipe(format=fmt)
            except graphviz.ExecutableNotFound:
                self.missing_dot = True
        write_atomic(source, graph.source)
        written = [self.add(source, f"DOT source: {what}")]
        if data is not None:
            write_atomic(target, data)
            written.append(self.add(target, what))
        return written

    def player(self, player: Any, target: Path, what: str) -> list[Path]:
        """Write an HTML player (``viz.step(f)``, ``viz.train_player(...)``: anything with
        ``save_html``); it needs ``dot`` for its picture, and is skipped with the install
        note when that is missing."""
        import graphviz

        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            player.save_html(target)
        except graphviz.ExecutableNotFound:
            self.missing_dot = True
            return []
        return [self.add(target, what)]

    def report(self) -> None:
        """Print the install note if ``dot`` was missing, then every file with its size.

        >>> Outputs(Path(".")).report()  # nothing written: nothing printed
        """
        if self.missing_dot:
            print(NO_DOT)
        if not self.files:
            return
        print(f"files written ({len(self.files)}) under {self.folder.resolve()}:")
        width = max(len(str(p)) for p, _ in self.files)
        for p, what in self.files:
            print(f"  {str(p):<{width}}  {_size(p):>8}  {what}")


def _size(path: Path) -> str:
    n = path.stat().st_size if path.exists() else 0
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} kB" if n < 1024**2 else \
        f"{n / 1024**2:.1f} MB"
