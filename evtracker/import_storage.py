"""Where an uploaded import file waits between the preview and the confirm (or cancel)."""

import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from import_export.tmp_storages import BaseStorage


class PrivateFolderStorage(BaseStorage):
    """A folder of our own (not the shared system temp folder), so abandoned previews can be
    found and removed without touching anything else."""

    def save(self, data) -> None:
        folder = Path(settings.IMPORT_TMP_DIR)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.name = self.name or uuid.uuid4().hex
        mode = "wb" if isinstance(data, bytes) else "w"
        # newline="": line ends inside a cell (CR LF in a pasted text) are data, kept as they are.
        with open(
            self.path, mode, encoding=None if mode == "wb" else self.encoding, newline=None if mode == "wb" else ""
        ) as handle:
            handle.write(data)

    def read(self):
        binary = "b" in self.read_mode
        with open(
            self.path, self.read_mode, encoding=None if binary else self.encoding, newline=None if binary else ""
        ) as handle:
            return handle.read()

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    @property
    def path(self) -> Path:
        # The name comes back from the browser: keep only a bare file name.
        return Path(settings.IMPORT_TMP_DIR) / os.path.basename(self.name)


def import_files_purge(*, older_than_hours: float) -> list[Path]:
    """Remove waiting import files older than the given age; return what was removed."""
    folder = Path(settings.IMPORT_TMP_DIR)
    cutoff = time.time() - older_than_hours * 3600
    removed = []
    for path in folder.glob("*") if folder.is_dir() else []:
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
