"""What a file really is: sniffed from its first bytes, checked against its name and an allow-list.

Our own checks rather than a magic-number library: the allow-list is six types, and a DOCX is
only a DOCX if the zip holds word/document.xml, which generic sniffers do not look for.
"""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("PDF", "application/pdf", ("pdf",))
JPEG = FileKind("JPEG", "image/jpeg", ("jpg", "jpeg"))
PNG = FileKind("PNG", "image/png", ("png",))
HEIC = FileKind("HEIC", "image/heic", ("heic", "heif"))
DOCX = FileKind("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",))
TXT = FileKind("TXT", "text/plain", ("txt",))
ALLOWED_KINDS = (PDF, JPEG, PNG, HEIC, DOCX, TXT)
ALLOWED_LABELS = "PDF, JPEG, PNG, HEIC, DOCX or TXT"


def _is_docx(upload: UploadedFile) -> bool:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def _is_text(upload: UploadedFile) -> bool:
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def sniff(upload: UploadedFile) -> FileKind | None:
    """The allowed kind the file's content shows it to be, or None."""
    upload.seek(0)
    head = upload.read(32)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return HEIC
    if head.startswith(b"PK\x03\x04") and _is_docx(upload):
        return DOCX
    if _is_text(upload):
        return TXT
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def validate_upload(upload: UploadedFile) -> FileKind:
    """Accept one file, or raise a ValidationError that names the file and says what to do."""
    name = upload.name or "the file"
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"“{name}” is {_megabytes(upload.size)}; each file must be {_megabytes(limit)} or smaller."
        )
    if upload.size == 0:
        raise ValidationError(f"“{name}” is empty.")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = next((kind for kind in ALLOWED_KINDS if extension in kind.extensions), None)
    if claimed is None:
        raise ValidationError(f"“{name}” is not a type we accept. Attach a {ALLOWED_LABELS} file.")
    if sniff(upload) != claimed:
        raise ValidationError(f"“{name}” is not really a {claimed.label} file: its contents do not match its name.")
    return claimed
