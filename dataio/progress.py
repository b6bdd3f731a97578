"""Progress of a command-line import: a bar on a terminal (rich), plain lines otherwise.

`import_dataset(..., progress=...)` takes the callback this module makes; `manage.py import`
wraps each of its calls (the check, then the write) in `import_progress` (dataio/command_line.py).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import Progress


@contextmanager
def import_progress(*, name: str, stream: TextIO) -> Iterator[Callable[[int, int], None]]:
    """Yield a `progress(rows done, rows in all)` callback drawing a bar if `stream` is a
    terminal, or printing a line at every tenth of the file (and at its end) if it is not."""
    if stream.isatty():
        # A command's OutputWrapper ends every write with a line end; the bar redraws one line.
        with Progress(console=Console(file=getattr(stream, "_out", stream)), transient=True) as bar:
            row_task = bar.add_task(f"Importing {name}", total=None)
            yield lambda done, total: bar.update(row_task, completed=done, total=total)
        return
    printed = {"tenth": -1}

    def plain(done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if tenth != printed["tenth"]:
            printed["tenth"] = tenth
            stream.write(f"{name}: {done:,} of {total:,} rows checked\n")

    yield plain
