"""Checks on a file's bytes before a parser expands them, so hostile input is refused cheaply.

Grain: one received file (bytes already in memory, bounded by MHSIP_MAX_FILE_BYTES at
discovery). Each check raises `FileRejected` with a sentence a trust data lead can act on, never
quoting a cell. Why here and not in the parsers: an encrypted workbook, a UTF-16 CSV or a zip bomb
makes the parser fail late, with an opaque error, or after inflating gigabytes. A workbook is a
zip, so its declared sizes are checked first and then its deflate streams are inflated with a
running cap (a zip can lie about its sizes); nothing is kept, only counted.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Final

from transforms.errors import FileRejected

ZIP_MAGIC: Final = b"PK\x03\x04"
OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML and legacy .xls
_ENCRYPTED_STREAM: Final = "EncryptionInfo".encode("utf-16-le")
_RATIO_FLOOR: Final = 1 << 20  # members under 1 MiB cannot hurt, whatever their ratio
_CHUNK: Final = 1 << 20
_DATA_LIKE: Final = re.compile(r"\d{6,}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}")
MIB: Final = 1 << 20


@dataclass(frozen=True)
class ReadLimits:
    """How far one file may expand in memory (bytes), and the largest believable zip ratio.

    Defaults hold national-scale monthly extracts (tens of MB) with a wide margin; real workbook
    XML compresses 10-50 to 1, a deflate bomb about 1000 to 1.
    """

    max_uncompressed_bytes: int = 256 * MIB
    max_compression_ratio: int = 200
    max_columns: int = 500  # a header wider than this is refused before the rows are read


def check_columns(count: int, file_name: str, limits: ReadLimits) -> None:
    """Refuse a header of more than `limits.max_columns` columns before its rows are parsed
    (a 100,000-column header costs tens of seconds to read and is never a real extract)."""
    if count > limits.max_columns:
        raise FileRejected(
            "too_many_columns",
            f"{file_name} has a header of {count:,} columns, more than the {limits.max_columns:,}"
            " accepted (MHSIP_MAX_COLUMNS); it was not read. Send the agreed columns only.",
        )


DEFAULT_LIMITS: Final = ReadLimits()


def check_text_bytes(content: bytes, file_name: str, encoding: str) -> None:
    """Refuse bytes that are not single-byte-based text before decoding (CSV trusts)."""
    head = content[:4096]
    if content.startswith((ZIP_MAGIC, OLE_MAGIC)):
        what = "an Excel workbook or zip" if content.startswith(ZIP_MAGIC) else "an Excel file"
        raise FileRejected(
            "file_unreadable",
            f"{file_name} is {what} (binary), but this trust is set up to send CSV text. Save "
            "it as CSV, or ask us to change the trust's format.",
        )
    wide = _wide_encoding(head)
    if wide:
        raise FileRejected(
            "file_unreadable",
            f"{file_name} is {wide} text, but this trust is set up for {encoding}. Save it as "
            f"CSV with {encoding} encoding (in Excel: 'CSV UTF-8').",
        )
    if b"\x00" in head:
        raise FileRejected(
            "file_unreadable",
            f"{file_name} is a binary file, not CSV text; it may be corrupt or another format "
            "renamed to .csv. Export the extract again as CSV.",
        )


def _wide_encoding(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    if len(head) >= 8:
        odd, even = head[1::2], head[0::2]
        if odd.count(0) >= 0.9 * len(odd) or even.count(0) >= 0.9 * len(even):
            return "UTF-16"
    return None


def check_workbook(content: bytes, file_name: str, limits: ReadLimits) -> None:
    """Refuse what is not an .xlsx zip, is encrypted, or would inflate beyond the limits."""
    if content.startswith(OLE_MAGIC):
        why = (
            "is password-protected (encrypted)"
            if _ENCRYPTED_STREAM in content
            else "is an old-style Excel 97-2003 (.xls) file"
        )
        raise FileRejected(
            "file_unreadable",
            f"{file_name} {why}, so it cannot be read. Save it as an Excel workbook (.xlsx) "
            "without a password and send it again.",
        )
    if not content.startswith(ZIP_MAGIC):
        raise FileRejected(
            "file_unreadable",
            f"{file_name} is not an Excel .xlsx workbook (an .xlsx file is a zip archive and "
            "this is not one); it may be another format renamed to .xlsx.",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
        _check_declared(members, file_name, limits)
        inflated = 0
        for member in members:
            inflated += _inflated_size(content, member, limits.max_uncompressed_bytes - inflated)
            if inflated > limits.max_uncompressed_bytes:
                raise _too_large(file_name, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, struct.error, ValueError, OSError):
        raise FileRejected(
            "file_unreadable",
            f"{file_name} could not be opened as an Excel workbook (.xlsx); it may be corrupt "
            "or truncated. Please export it again.",
        ) from None


def _check_declared(members: list[zipfile.ZipInfo], file_name: str, limits: ReadLimits) -> None:
    if any(m.flag_bits & 0x1 for m in members):
        raise FileRejected(
            "file_unreadable",
            f"{file_name} is password-protected (encrypted), so it cannot be read. Save it "
            "without a password and send it again.",
        )
    if sum(m.file_size for m in members) > limits.max_uncompressed_bytes:
        raise _too_large(file_name, limits)
    for m in members:
        if m.file_size > _RATIO_FLOOR and (
            m.file_size > limits.max_compression_ratio * max(m.compress_size, 1)
        ):
            raise _too_large(file_name, limits)


def _inflated_size(content: bytes, member: zipfile.ZipInfo, budget: int) -> int:
    """Bytes the member really inflates to, counting no further than just past `budget`."""
    if member.compress_type == zipfile.ZIP_STORED:
        return member.compress_size
    if member.compress_type != zipfile.ZIP_DEFLATED:
        return member.file_size  # calamine refuses other methods; declared size checked above
    start = member.header_offset
    if content[start : start + 4] != ZIP_MAGIC:
        raise zipfile.BadZipFile("no local header where the directory points")
    name_len, extra_len = struct.unpack("<HH", content[start + 26 : start + 30])
    data_at = start + 30 + name_len + extra_len
    pending = content[data_at : data_at + member.compress_size]
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    total = 0
    try:
        while pending and not inflater.eof and total <= budget:
            total += len(inflater.decompress(pending, _CHUNK))
            pending = inflater.unconsumed_tail
        return total + (len(inflater.flush()) if total <= budget else 0)
    except zlib.error:
        return total  # corrupt stream: calamine reports it as unreadable


def _too_large(file_name: str, limits: ReadLimits) -> FileRejected:
    return FileRejected(
        "file_too_large",
        f"{file_name} would expand to more than {limits.max_uncompressed_bytes // MIB} MiB "
        f"(or more than {limits.max_compression_ratio} times its compressed size) when unzipped, "
        "so it was not opened. Send the month's extract only, without padding or embedded files.",
    )


def check_expanded_size(size: int, file_name: str, limits: ReadLimits) -> None:
    """Refuse a columnar file whose own metadata declares more data than the limit."""
    if size > limits.max_uncompressed_bytes:
        raise _too_large(file_name, limits)


def header_looks_like_data(names: list[str]) -> bool:
    """True when a header cell holds a date or a long number: the header row is a data row."""
    return any(_DATA_LIKE.search("".join(name.split())) for name in names)
