"""Reading JSON written by someone else (an uploaded file, a file given to the CLI) with a
Vietnamese answer for each way it can be broken. Pure."""

from __future__ import annotations

import json
from typing import Any

# json's own messages (CPython 3.12), in Vietnamese.
_MESSAGES = {
    "Expecting property name enclosed in double quotes": "cần tên thuộc tính trong ngoặc kép",
    "Expecting value": "thiếu giá trị hoặc giá trị không hợp lệ",
    "Expecting ',' delimiter": "thiếu dấu phẩy",
    "Expecting ':' delimiter": "thiếu dấu hai chấm",
    "Unterminated string starting at": "chuỗi chưa đóng ngoặc kép",
    "Invalid control character at": "ký tự điều khiển trong chuỗi",
    "Invalid \\escape": "ký tự thoát (\\) không hợp lệ",
    "Invalid \\uXXXX escape": "mã \\uXXXX không hợp lệ",
    "Extra data": "còn dữ liệu thừa sau phần JSON",
}
TOO_DEEP = "lồng nhau quá sâu (hàng nghìn tầng ngoặc)"


def describe(exc: json.JSONDecodeError) -> str:
    """ "dòng 3, cột 7: thiếu dấu phẩy" """
    return f"dòng {exc.lineno}, cột {exc.colno}: {_MESSAGES.get(exc.msg, exc.msg)}"


class JSONTextError(ValueError):
    """The text is not usable JSON; the message is Vietnamese (without the file's name).
    `line`/`col` locate a syntax error (None otherwise), `reason` is the message without them."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None, reason: str = ""):
        super().__init__(message)
        self.line, self.col, self.reason = line, col, reason or message


def _no_constant(name: str) -> Any:
    raise JSONTextError(f"có giá trị {name}, không phải là số (JSON chỉ cho phép số hữu hạn)")


def loads(text: str, allow_constants: bool = False) -> Any:
    """json.loads that raises JSONTextError (Vietnamese) for every failure: a syntax error (line
    and column), nesting too deep (RecursionError), and — unless allow_constants — the non-JSON
    words NaN, Infinity, -Infinity that Python's json would otherwise accept."""
    try:
        return json.loads(text, parse_constant=None if allow_constants else _no_constant)
    except json.JSONDecodeError as exc:
        raise JSONTextError(describe(exc), exc.lineno, exc.colno, _MESSAGES.get(exc.msg, exc.msg)) from exc
    except RecursionError as exc:
        raise JSONTextError(TOO_DEEP) from exc
