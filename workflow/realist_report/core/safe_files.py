"""Guards for untrusted input files: size limits and zip archives that cannot escape or explode."""

from __future__ import annotations

import re
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from realist_report.core.errors import InputFileError

MB = 1024 * 1024
#: Defaults generous for real QDA projects (text plus a few media files), small for attacks.
DEFAULT_MAX_MEMBER_BYTES = 200 * MB
DEFAULT_MAX_TOTAL_BYTES = 1024 * MB
DEFAULT_MAX_RATIO = 100.0
DEFAULT_MAX_MEMBERS = 10_000
#: Below this size a high compression ratio is harmless (short repetitive text compresses well).
RATIO_FLOOR_BYTES = 1 * MB
CHUNK_BYTES = 64 * 1024

_DRIVE = re.compile(r"^[A-Za-z]:")


def check_file_size(path: str | Path, max_bytes: int) -> int:
    """Refuse a missing or oversized file before anything reads it into memory; return its size."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(p, "file not found (or not a regular file)")
    size = p.stat().st_size
    if size > max_bytes:
        raise InputFileError(p, f"file too large: {size:,} bytes, the limit is {max_bytes:,} bytes")
    return size


def unsafe_member_reason(name: str) -> str | None:
    """Say why a member name could write outside an extraction folder (zip-slip), else None."""
    if not name or "\x00" in name:
        return "empty name or NUL byte"
    if "\\" in name:
        return "backslash in the name (Windows path trick)"
    if name.startswith("/"):
        return "absolute path"
    if _DRIVE.match(name):
        return "drive letter"
    if ".." in PurePosixPath(name).parts:
        return "'..' component (zip-slip)"
    return None


class SafeZipFile(zipfile.ZipFile):
    """A ZipFile whose read() streams in chunks and stops at the size and ratio limits.

    Use read() (not open()) for untrusted members: only read() enforces the limits.
    """

    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES
    max_ratio: float = DEFAULT_MAX_RATIO
    max_members: int = DEFAULT_MAX_MEMBERS
    bytes_read: int = 0

    def read(self, name: str | zipfile.ZipInfo, pwd: bytes | None = None) -> bytes:
        """Read one member, refusing it as soon as it outgrows a limit, whatever its header says."""
        info = name if isinstance(name, zipfile.ZipInfo) else self._info(name)
        chunks: list[bytes] = []
        size = 0
        try:
            with self.open(info, pwd=pwd) as handle:
                while chunk := handle.read(CHUNK_BYTES):
                    size += len(chunk)
                    self._check_growth(info, size)
                    chunks.append(chunk)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            ValueError,
            RuntimeError,
            NotImplementedError,
        ) as exc:
            raise InputFileError(
                self.filename,
                f"member '{info.filename}' is corrupt or does not match its header ({exc})",
            ) from exc
        self.bytes_read += size
        return b"".join(chunks)

    def _info(self, name: str) -> zipfile.ZipInfo:
        """Look a member up, naming the archive when it is absent."""
        try:
            return self.getinfo(name)
        except KeyError as exc:
            raise InputFileError(self.filename, f"member '{name}' not found") from exc

    def _check_growth(self, info: zipfile.ZipInfo, size: int) -> None:
        """Raise once the bytes actually decompressed break the member, total or ratio limit."""
        where = f"member '{info.filename}'"
        if size > self.max_member_bytes:
            raise InputFileError(
                self.filename,
                f"{where} too large while reading: over {self.max_member_bytes:,} bytes "
                "(possible zip bomb)",
            )
        if self.bytes_read + size > self.max_total_bytes:
            raise InputFileError(
                self.filename,
                f"archive too large while reading: over {self.max_total_bytes:,} bytes "
                "in total (possible zip bomb)",
            )
        if size > RATIO_FLOOR_BYTES and size / max(info.compress_size, 1) > self.max_ratio:
            raise InputFileError(
                self.filename,
                f"zip bomb: {where} expands more than {self.max_ratio:g} times its compressed size",
            )
        if size > info.file_size:
            raise InputFileError(
                self.filename,
                f"{where} is larger than its header declares (lying header, possible zip bomb)",
            )


def open_zip_safely(
    path: str | Path,
    *,
    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    max_ratio: float = DEFAULT_MAX_RATIO,
    max_members: int = DEFAULT_MAX_MEMBERS,
) -> SafeZipFile:
    """Open an untrusted zip only after every member passes the path, size and ratio checks."""
    check_file_size(path, max_total_bytes)
    try:
        archive = SafeZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise InputFileError(
            path, f"not a valid zip archive (corrupt or truncated): {exc}"
        ) from exc
    archive.max_member_bytes = max_member_bytes
    archive.max_total_bytes = max_total_bytes
    archive.max_ratio = max_ratio
    archive.max_members = max_members
    archive.bytes_read = 0
    try:
        _check_members(path, archive.infolist(), archive)
    except InputFileError:
        archive.close()
        raise
    return archive


def _check_members(path: str | Path, infos: list[zipfile.ZipInfo], archive: SafeZipFile) -> None:
    """Refuse the whole archive when any member's name or declared sizes are dangerous."""
    _check_count(path, infos, archive)
    seen: set[str] = set()
    total = 0
    for info in infos:
        _check_member(path, info, archive)
        if info.filename in seen:
            raise InputFileError(
                path, f"member '{info.filename}' appears twice (ambiguous archive)"
            )
        seen.add(info.filename)
        total += info.file_size
    if total > archive.max_total_bytes:
        raise InputFileError(
            path,
            f"archive too large: members declare {total:,} bytes uncompressed, the limit is "
            f"{archive.max_total_bytes:,} bytes (possible zip bomb)",
        )


def _check_count(path: str | Path, infos: list[zipfile.ZipInfo], archive: SafeZipFile) -> None:
    """Refuse archives with more members than any QDA project needs."""
    limit = archive.max_members
    if len(infos) > limit:
        raise InputFileError(path, f"too many members: {len(infos):,}, the limit is {limit:,}")


def _check_member(path: str | Path, info: zipfile.ZipInfo, archive: SafeZipFile) -> None:
    """Refuse one member for an unsafe path, a symlink, encryption or declared bomb sizes."""
    name = info.filename
    reason = unsafe_member_reason(name)
    if reason:
        raise InputFileError(path, f"unsafe path in member '{name}': {reason}")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise InputFileError(path, f"unsafe path in member '{name}': symbolic link")
    if info.flag_bits & 0x1:
        raise InputFileError(path, f"member '{name}' is encrypted; export it without a password")
    if info.file_size > archive.max_member_bytes:
        raise InputFileError(
            path,
            f"member '{name}' too large: declares {info.file_size:,} bytes, the limit is "
            f"{archive.max_member_bytes:,} bytes (possible zip bomb)",
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_FLOOR_BYTES and ratio > archive.max_ratio:
        raise InputFileError(
            path,
            f"zip bomb: member '{name}' declares a compression ratio of {ratio:,.0f} "
            f"(limit {archive.max_ratio:g})",
        )
