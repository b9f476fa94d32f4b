"""Receiving an upload without holding it in memory (docs/decisions/upload-safety.md).

The media endpoint installs `MediaUploadHandler` before it reads the body: a request whose
Content-Length is over the largest limit is refused before a byte is read; a file is
streamed to a temporary file on disk, and refused as soon as it passes the limit of the
type its first bytes announce (10 MB for pictures and anything unknown, 200 MB for
videos), so a client that sends no length, or lies about it, is cut off too.
"""

from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from . import media

# Room for the form's other fields and the multipart boundaries around the largest file,
# with a poster picture beside a video.
MULTIPART_SLACK_BYTES = 64 * 1024
LARGEST_REQUEST_BYTES = media.VIDEO_MAX_BYTES + media.IMAGE_MAX_BYTES + MULTIPART_SLACK_BYTES


class MediaUploadHandler(FileUploadHandler):
    def handle_raw_input(self, _input_data, _meta, content_length, _boundary, encoding=None):
        if content_length and content_length > LARGEST_REQUEST_BYTES:
            raise media.too_large("file", media.VIDEO_MAX_BYTES)

    def new_file(
        self,
        field_name,
        file_name,
        content_type,
        content_length,
        charset=None,
        content_type_extra=None,
    ):
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        # The client's file name is never used: not for storage, not in a log line.
        self.file = TemporaryUploadedFile("upload", "application/octet-stream", 0, None)
        self.received = 0
        self.limit: int | None = None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.limit is None:
            sniffed = media.sniff(raw_data[: media.HEAD_BYTES])
            self.limit = sniffed.max_bytes if sniffed else media.IMAGE_MAX_BYTES
        self.received += len(raw_data)
        if self.received > self.limit:
            self.file.close()
            raise media.too_large(self.field_name, self.limit)
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> TemporaryUploadedFile:
        self.file.seek(0)
        self.file.size = file_size
        return self.file
