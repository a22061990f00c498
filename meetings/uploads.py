"""Upload handling: stream every file to disk and stop early when it is over the size limit."""

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Writes each uploaded file to a temporary file chunk by chunk (memory stays flat for a
    2 GB upload) and skips a file as soon as it passes AIZUCHI_MAX_UPLOAD_BYTES.

    Skipped names are kept on the request so the view can tell the user which file was too big.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._received = 0

    def receive_data_chunk(self, raw_data, start):
        self._received += len(raw_data)
        if self._received > settings.AIZUCHI_MAX_UPLOAD_BYTES:
            oversized = getattr(self.request, "oversized_uploads", [])
            oversized.append(self.file_name)
            self.request.oversized_uploads = oversized
            self.file.close()  # the temporary file is deleted on close
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)
