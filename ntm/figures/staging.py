"""A small server-side store for uploaded workbooks between the import preview and its confirmation:
per user, keyed by a random token (never in the session cookie), size-limited, short-lived.

Files live under `settings.NTM_IMPORT_DIR` (default: the system temp directory), one folder per
user: `<token>.xlsx` and `<token>.json` (what the upload was for). A user keeps at most
`MAX_FILES` uploads, older than `MAX_AGE` are removed on every save."""

from __future__ import annotations

import json
import re
import secrets
import tempfile
import time
from pathlib import Path

from django.conf import settings

MAX_FILES = 5
MAX_AGE = 2 * 3600  # seconds
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _folder(user) -> Path:
    root = Path(getattr(settings, "NTM_IMPORT_DIR", "") or Path(tempfile.gettempdir()) / "ntm-imports")
    folder = root / str(int(user.pk))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def save(user, data: bytes, meta: dict) -> str:
    """Keep `data` for `user`; returns the token."""
    folder = _folder(user)
    _prune(folder)
    token = secrets.token_urlsafe(18)
    (folder / f"{token}.xlsx").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps({**meta, "saved": time.time()}), encoding="utf-8")
    return token


def load(user, token: str) -> tuple[bytes, dict] | None:
    """The file and its meta, or None (unknown token, another user's, expired)."""
    if not token or not _TOKEN.match(token):
        return None
    folder = _folder(user)
    data_path, meta_path = folder / f"{token}.xlsx", folder / f"{token}.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if time.time() - float(meta.get("saved", 0)) > MAX_AGE:
            discard(user, token)
            return None
        return data_path.read_bytes(), meta
    except (OSError, ValueError):
        return None


def discard(user, token: str) -> None:
    if token and _TOKEN.match(token):
        folder = _folder(user)
        for suffix in (".xlsx", ".json"):
            (folder / f"{token}{suffix}").unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
    now = time.time()
    for i, meta in enumerate(entries):
        if now - meta.stat().st_mtime > MAX_AGE or i < len(entries) - (MAX_FILES - 1):
            meta.unlink(missing_ok=True)
            meta.with_suffix(".xlsx").unlink(missing_ok=True)
