"""The uploaded files of a backup: MEDIA_ROOT into one tar with every file's SHA-256, and back."""

from __future__ import annotations

import hashlib
import shutil
import tarfile
import tempfile
from pathlib import Path

CHUNK = 1024 * 1024
MEDIA_TAR = "media.tar"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """Reads a file into the tar and hashes the very bytes it hands over."""

    def __init__(self, f):
        self.f = f
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.f.read(size)
        self.digest.update(data)
        return data


def media_files(root: Path):
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path.relative_to(root).as_posix(), path


def write_media_tar(root: Path, target: Path) -> dict[str, dict]:
    files = {}
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, path in media_files(root):
            info = tar.gettarinfo(str(path), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with path.open("rb") as f:
                reader = _HashingReader(f)
                tar.addfile(info, reader)
            files[name] = {"size": info.size, "sha256": reader.digest.hexdigest()}
    return files


def media_inventory(root: Path) -> dict[str, dict]:
    """Every file under `root` with its size and SHA-256."""
    return {name: {"size": path.stat().st_size, "sha256": sha256_of(path)} for name, path in media_files(root)}


def folder_is_empty(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def check_media_tar(path: Path, expected: dict[str, dict]) -> list[str]:
    problems = []
    seen = set()
    try:
        with tarfile.open(path, "r:") as tar:
            for member in tar:
                name = member.name
                if not member.isfile():
                    problems.append(f"{MEDIA_TAR}: {name}: not a regular file")
                    continue
                seen.add(name)
                if name not in expected:
                    problems.append(f"{MEDIA_TAR}: {name}: not in the manifest")
                    continue
                digest = hashlib.sha256()
                f = tar.extractfile(member)
                while chunk := f.read(CHUNK):
                    digest.update(chunk)
                if member.size != expected[name]["size"] or digest.hexdigest() != expected[name]["sha256"]:
                    problems.append(f"{MEDIA_TAR}: {name}: SHA-256 differs from the manifest (altered)")
    except (tarfile.TarError, OSError, EOFError) as exc:
        return [*problems, f"{MEDIA_TAR}: unreadable ({exc})"]
    problems += [f"{MEDIA_TAR}: {name}: missing" for name in sorted(set(expected) - seen)]
    return problems


def replace_media(tar_path: Path, media_root: Path) -> None:
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Unpacked beside the target first (same file system), moved in only once complete.
    staging = Path(tempfile.mkdtemp(prefix=f".{media_root.name}.restoring-", dir=media_root.parent))
    try:
        with tarfile.open(tar_path, "r:") as tar:
            tar.extractall(staging, filter="data")  # no absolute paths, no "..", no links out
        media_root.mkdir(exist_ok=True)
        for old in list(media_root.iterdir()):
            shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
        for new in staging.iterdir():
            new.rename(media_root / new.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
