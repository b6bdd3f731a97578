"""Where an uploaded import file waits for its jobs: the preview, then the confirm (or cancel)."""

import os
import re
import stat
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from import_export.tmp_storages import BaseStorage

# `<user id>-<random hex>`: whose file it is travels with its name (dataio/admin.py).
WAITING_FILE_NAME = re.compile(r"(?P<user>[0-9]+)-[0-9a-f]{32}")


def waiting_file_name(*, user_id: int) -> str:
    return f"{user_id}-{uuid.uuid4().hex}"


def waiting_file_owner(name: str) -> int | None:
    """The id of the user who uploaded the waiting file `name`, or None if it is not such a name."""
    match = WAITING_FILE_NAME.fullmatch(name)
    return int(match["user"]) if match else None


def private_folder() -> Path:
    """DJANGO_IMPORT_TMP_DIR, created if missing, and refused unless it is a real folder owned by
    this process's user with mode 0700: anyone else who can write there (a folder another local
    user made in /tmp, world-writable, or a symbolic link) could swap a file between its preview
    and its confirm, or have the purge delete files elsewhere."""
    folder = Path(settings.IMPORT_TMP_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(folder)
    problem = ""
    if stat.S_ISLNK(info.st_mode):
        problem = "is a symbolic link"
    elif not stat.S_ISDIR(info.st_mode):
        problem = "is not a folder"
    elif info.st_uid != os.geteuid():
        problem = f"belongs to user id {info.st_uid}, not to this process's user (id {os.geteuid()})"
    elif stat.S_IMODE(info.st_mode) != 0o700:
        problem = f"has mode {stat.S_IMODE(info.st_mode):04o}, not 0700"
    if problem:
        raise ImproperlyConfigured(
            f"DJANGO_IMPORT_TMP_DIR {folder} {problem}; uploads wait only in a folder of the app's own user "
            "with mode 0700. Remove it (it is created as needed) or set DJANGO_IMPORT_TMP_DIR to another folder."
        )
    return folder


class PrivateFolderStorage(BaseStorage):
    """A folder of our own (not the shared system temp folder), so abandoned previews can be
    found and removed without touching anything else."""

    def save(self, data) -> None:
        self.name = self.name or uuid.uuid4().hex
        mode = "wb" if isinstance(data, bytes) else "w"
        # newline="": line ends inside a cell (CR LF in a pasted text) are data, kept as they are.
        with open(
            self.path, mode, encoding=None if mode == "wb" else self.encoding, newline=None if mode == "wb" else ""
        ) as handle:
            handle.write(data)

    def save_upload(self, upload) -> None:
        """Write an uploaded file chunk by chunk, as it came (a job reads it later)."""
        with open(self.path, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)

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
        return private_folder() / os.path.basename(self.name)


def purge_import_files(*, older_than_hours: float) -> list[Path]:
    """Remove waiting import files older than the given age; return what was removed. Only files
    named as uploads are (`<user id>-<hex>`), so a folder set by mistake loses nothing else."""
    if not Path(settings.IMPORT_TMP_DIR).is_dir():
        return []
    cutoff = time.time() - older_than_hours * 3600
    removed = []
    for path in private_folder().iterdir():
        if waiting_file_owner(path.name) is not None and path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
