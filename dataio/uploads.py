"""The upload size limit, enforced while the body streams in.

Django's own handlers keep a whole upload (in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE, then in
a temporary file) before any form sees its size. `SizeLimitedUploadHandler` sits first in
FILE_UPLOAD_HANDLERS and counts each file's bytes as they arrive: once a file passes
DJANGO_IMPORT_MAX_UPLOAD_MB it drops what the later handlers kept and stores nothing more, and
the view receives an empty stand-in that still reports the size sent, so the import form refuses
it with its usual message ("The file is 31.2 MB; files over 25 MB are refused."). The rest of
the body is still read, and thrown away as it comes, so the browser gets that page rather than
a reset connection; a proxy in front (README, "Running in production") refuses far larger
bodies before they reach the application at all.
"""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


def upload_limit_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024


class RefusedUpload(SimpleUploadedFile):
    """An upload over the limit: no content, only the size that was sent."""

    def __init__(self, *, name: str, content_type: str, size: int):
        super().__init__(name, b"", content_type=content_type)
        self.size = size
        self.over_upload_limit = True


class SizeLimitedUploadHandler(FileUploadHandler):
    """Passes each chunk on until the file passes the limit; from then on only counts."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.limit = upload_limit_bytes()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received <= self.limit:
            return raw_data
        if self.received - len(raw_data) <= self.limit:  # just passed it: free what was kept so far
            self.drop_kept_parts()
        return None  # later handlers never see the rest

    def drop_kept_parts(self) -> None:
        for handler in self.request.upload_handlers if self.request is not None else []:
            kept = getattr(handler, "file", None)
            if handler is not self and kept is not None:
                kept.close()  # a temporary file is deleted on close; an in-memory one freed

    def file_complete(self, file_size: int) -> RefusedUpload | None:
        if self.received <= self.limit:
            return None  # the next handler (memory or temporary file) completes it
        return RefusedUpload(name=self.file_name, content_type=self.content_type, size=self.received)
