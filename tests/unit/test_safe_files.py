"""Untrusted zips and files are refused with a clear InputFileError, never a bare traceback."""

from __future__ import annotations

import struct
import warnings
import zipfile
from pathlib import Path

import pytest
from realist_report.core.errors import InputFileError
from realist_report.core.safe_files import check_file_size, open_zip_safely, unsafe_member_reason

MB = 1024 * 1024


def make_zip(path: Path, members: dict[str, bytes], **info_attrs: int) -> Path:
    """Write a deflated zip whose member names are taken literally (no sanitising)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            for key, value in info_attrs.items():
                setattr(info, key, value)
            archive.writestr(info, data)
    return path


def refused(path: Path, *words: str, **limits: float) -> InputFileError:
    """Open (and read every member of) an archive, expecting a refusal naming the file."""
    with pytest.raises(InputFileError) as caught, open_zip_safely(path, **limits) as archive:
        for name in archive.namelist():
            archive.read(name)
    message = str(caught.value)
    assert str(path) in message
    for word in words:
        assert word in message, message
    return caught.value


def test_a_normal_archive_opens_and_reads(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "ok.qdpx", {"project.qde": b"<Project/>", "sources/a.txt": b"hi"})
    with open_zip_safely(path) as archive:
        assert archive.read("sources/a.txt") == b"hi"
        assert archive.bytes_read == 2


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "sources/../../evil.txt", "/abs.txt", "C:/evil.txt", "c:evil.txt", "a\\..\\b"],
)
def test_zip_slip_names_are_refused(tmp_path: Path, name: str) -> None:
    path = make_zip(tmp_path / "slip.qdpx", {"project.qde": b"<Project/>", name: b"x"})
    error = refused(path, "unsafe path", name)
    assert error.path == str(path)


def test_symlink_members_are_refused(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "link.qdpx", {"sources/a.txt": b"/etc/passwd"}, external_attr=0o120777 << 16
    )
    refused(path, "unsafe path", "symbolic link")


def test_unsafe_member_reason_accepts_ordinary_names() -> None:
    assert unsafe_member_reason("sources/ABC-1.txt") is None
    assert unsafe_member_reason("project.qde") is None
    assert unsafe_member_reason("dots..in..name.txt") is None


def test_zip_bomb_is_refused_by_declared_ratio(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "bomb.qdpx", {"project.qde": bytes(50 * MB)})
    assert path.stat().st_size < 200_000
    refused(path, "zip bomb", "project.qde")


def test_oversized_member_is_refused_before_reading(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "big.qdpx", {"sources/a.txt": bytes(2 * MB)})
    refused(path, "too large", "sources/a.txt", max_member_bytes=MB, max_ratio=1e9)


def test_oversized_archive_total_is_refused(tmp_path: Path) -> None:
    members = {f"sources/{i}.txt": bytes(600_000) for i in range(2)}
    path = make_zip(tmp_path / "total.qdpx", members)
    refused(path, "too large", max_total_bytes=MB, max_ratio=1e9)


def test_the_cap_is_enforced_while_reading(tmp_path: Path) -> None:
    """Even when the header check passed, decompression stops at the member limit."""
    path = make_zip(tmp_path / "stream.qdpx", {"sources/a.txt": bytes(3 * MB)})
    with open_zip_safely(path, max_ratio=1e9) as archive:
        archive.max_member_bytes = MB
        with pytest.raises(InputFileError, match="too large while reading"):
            archive.read("sources/a.txt")


def test_the_total_is_enforced_while_reading(tmp_path: Path) -> None:
    members = {f"sources/{i}.txt": bytes(700_000) for i in range(2)}
    path = make_zip(tmp_path / "stream_total.qdpx", members)
    with open_zip_safely(path, max_ratio=1e9) as archive:
        archive.max_total_bytes = MB
        archive.read("sources/0.txt")
        with pytest.raises(InputFileError, match="archive too large while reading"):
            archive.read("sources/1.txt")


def _patch_central_size(path: Path, new_size: int) -> None:
    """Rewrite the uncompressed size in the central directory: a header that lies."""
    data = bytearray(path.read_bytes())
    at = data.rfind(b"PK\x01\x02")
    data[at + 24 : at + 28] = struct.pack("<I", new_size)
    path.write_bytes(bytes(data))


def test_a_member_whose_header_lies_about_its_size_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "liar.qdpx", {"project.qde": bytes(3 * MB)})
    _patch_central_size(path, 1000)
    with zipfile.ZipFile(path) as plain:
        assert plain.getinfo("project.qde").file_size == 1000
    refused(path, "project.qde", "does not match its header")


def test_a_truncated_archive_is_refused(tmp_path: Path) -> None:
    good = make_zip(tmp_path / "good.qdpx", {"project.qde": b"<Project/>" * 100})
    cut = tmp_path / "truncated.qdpx"
    cut.write_bytes(good.read_bytes()[:60])
    refused(cut, "not a valid zip archive")


def test_corrupt_member_data_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "corrupt.qdpx", {"project.qde": ("<Project/>" * 500).encode()})
    data = bytearray(path.read_bytes())
    start = 30 + len("project.qde")
    for i in range(start, start + 20):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    refused(path, "corrupt")


def test_not_a_zip_at_all_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.qdpx"
    path.write_text("this is not a zip")
    refused(path, "not a valid zip archive")


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "many.qdpx", {f"sources/{i}.txt": b"x" for i in range(6)})
    refused(path, "too many members", max_members=5)


def test_duplicate_member_names_are_refused(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = make_zip(tmp_path / "dup.qdpx", {"project.qde": b"<a/>"})
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("project.qde", b"<b/>")
    refused(path, "appears twice")


def test_check_file_size(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"x" * 100)
    assert check_file_size(path, 100) == 100
    with pytest.raises(InputFileError, match="too large"):
        check_file_size(path, 99)
    with pytest.raises(InputFileError, match="not found"):
        check_file_size(tmp_path / "missing.txt", 99)
