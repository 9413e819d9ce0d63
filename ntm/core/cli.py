"""Shared bits for management commands: JSON output and Vietnamese errors without tracebacks."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError


def dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


class SubcommandCommand(BaseCommand):
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


__all__ = ["SubcommandCommand", "CommandError", "dump", "user_named"]


def user_named(username: str | None):
    """The account a command acts as (`--as USER`); CommandError when it does not exist."""
    from django.contrib.auth import get_user_model

    if not username:
        raise CommandError("Cần --as TÊN_ĐĂNG_NHẬP: mọi thay đổi được ghi nhật ký theo người thực hiện")
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise CommandError(f"Không có tài khoản đang hoạt động “{username}”")
    return user
