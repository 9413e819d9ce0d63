"""Shared bits for management commands: JSON output, reading the files users give, and
Vietnamese errors without tracebacks.

Every command of NTM derives from `NtmCommand` (or `SubcommandCommand`): from the command line a
`CommandError` prints "Lỗi: <message>" on stderr and exits 1 — no traceback (`--traceback`
still shows one, for developers). A file given on the command line is read with
`read_text_file` / `read_json_file`, which answer each way a file can be unusable in Vietnamese:
missing, a directory, not a regular file, unreadable, too large (MAX_INPUT_BYTES), binary (NUL
bytes), not UTF-8, not JSON (line and column), nested too deeply, NaN/Infinity.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from . import jsontext

MAX_INPUT_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 32  # nesting of tables/arrays/objects in a file a command reads (criteria files use 5)


def dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def read_text_file(path: str | Path, what: str = "tệp") -> str:
    """The UTF-8 text of a regular file (a byte-order mark is dropped), or CommandError."""
    p = Path(path)
    try:
        if not p.exists():
            raise CommandError(f"{path}: không tìm thấy {what}")
        if p.is_dir():
            raise CommandError(f"{path}: là một thư mục, không phải {what}")
        if not p.is_file():
            raise CommandError(f"{path}: không phải tệp thường (thiết bị, đường ống…), không đọc được")
        size = p.stat().st_size
        if size > MAX_INPUT_BYTES:
            mb = f"{size / 1024 / 1024:.1f}".replace(".", ",")
            raise CommandError(f"{path}: tệp quá lớn ({mb} MB; tối đa {MAX_INPUT_BYTES // 1024 // 1024} MB)")
        raw = p.read_bytes()
    except PermissionError as exc:
        raise CommandError(f"{path}: không có quyền đọc tệp") from exc
    except OSError as exc:
        raise CommandError(f"{path}: không đọc được tệp ({exc.strerror or exc})") from exc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CommandError(f"{path}: tệp mã hoá UTF-16; hãy lưu lại với mã hoá UTF-8")
    if not raw.strip():
        raise CommandError(f"{path}: tệp rỗng")
    if b"\x00" in raw:
        raise CommandError(f"{path}: tệp nhị phân (có byte 0), không phải văn bản")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: tệp không phải UTF-8 (byte thứ {exc.start + 1}); hãy lưu lại với mã hoá UTF-8") from exc


def read_json_file(path: str | Path, what: str = "tệp") -> Any:
    """A JSON file's content (finite numbers only, at most MAX_DEPTH deep), or CommandError."""
    text = read_text_file(path, what)
    try:
        data = jsontext.loads(text)
    except jsontext.JSONTextError as exc:
        where = f"{path}:{exc.line}:{exc.col}" if exc.line else f"{path}"
        raise CommandError(f"{where}: JSON không hợp lệ: {exc.reason}") from exc
    problem = shape_problem(data)
    if problem:
        raise CommandError(f"{path}: {problem}")
    return data


def depth(data: Any) -> int:
    """Nesting depth of lists/dicts, computed without recursion (so any depth can be measured)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            stack.extend((child, level + 1) for child in node)
    return deepest


def shape_problem(data: Any) -> str | None:
    """What makes parsed data unusable whatever the command: nesting too deep, a float that is
    not finite (TOML's nan/inf, JSON's 1e400). None if fine."""
    if depth(data) > MAX_DEPTH:
        return f"dữ liệu lồng nhau quá sâu (hơn {MAX_DEPTH} tầng)"
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, float) and not math.isfinite(node):
            return "có giá trị nan, không phải là số" if math.isnan(node) else "có số vô hạn (inf, hoặc quá lớn như 1e400)"
    return None


class NtmCommand(BaseCommand):
    """A command whose errors are Vietnamese lines, never tracebacks (from the command line)."""

    def execute(self, *args, **options):
        try:
            try:
                return super().execute(*args, **options)
            except RecursionError as exc:
                raise CommandError("dữ liệu lồng nhau quá sâu, không đọc được") from exc
        except CommandError as exc:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            self.stderr.write(f"Lỗi: {exc}")
            sys.exit(exc.returncode)


class SubcommandCommand(NtmCommand):
    """A command with subcommands (`units show`, `criteria load`…), each a `handle_<name>` method."""

    subcommands: dict[str, str] = {}

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, help_text in self.subcommands.items():
            p = sub.add_parser(name, help=help_text, called_from_command_line=True)
            p.add_argument("--format", choices=["json", "text"], default="text")
            getattr(self, f"arguments_{name.replace('-', '_')}", lambda _p: None)(p)

    def handle(self, *args, **options):
        from . import requestid

        handler = getattr(self, f"handle_{options['subcommand'].replace('-', '_')}")
        with requestid.activity("cli"):
            result = handler(**options)
        if result is None:
            return
        if options["format"] == "json":
            self.stdout.write(dump(result))
        else:
            self.stdout.write(self.as_text(options["subcommand"], result))

    def as_text(self, subcommand: str, result: Any) -> str:
        return dump(result)


__all__ = ["NtmCommand", "SubcommandCommand", "CommandError", "dump", "read_text_file", "read_json_file", "shape_problem",
           "user_named"]


def user_named(username: str | None):
    """The account a command acts as (`--as USER`); CommandError when it does not exist."""
    from django.contrib.auth import get_user_model

    if not username:
        raise CommandError("Cần --as TÊN_ĐĂNG_NHẬP: mọi thay đổi được ghi nhật ký theo người thực hiện")
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise CommandError(f"Không có tài khoản đang hoạt động “{username}”")
    return user
