"""Evaluate without the UI.

    evaluate --set SET --region R|--group N [--flag dbkk] --year Y --values FILE.json --format json
    evaluate --unit CODE [--legacy] --year Y --format json
"""

from __future__ import annotations

import re

from django.core.management.base import CommandError

from ntm.core.cli import NtmCommand, dump, read_json_file, read_text_file
from ntm.criteria.evaluate import Classification, EvaluationError, evaluate, ladder
from ntm.criteria.loader import registry
from ntm.criteria.spec import REGIONS
from ntm.evaluations.services import evaluate_stored_unit
from ntm.units.models import Unit
from ntm.units.schemas import find_unit

MAX_ERRORS = 50


def read_values(path: str, known: set[str]) -> dict[str, float | bool]:
    """A JSON object of indicator codes or raw field names → numbers or true/false.
    Every way the file can be unusable gets a Vietnamese CommandError (ntm.core.cli.read_json_file)."""
    data = read_json_file(path, "tệp số liệu")
    text = read_text_file(path, "tệp số liệu")
    if not isinstance(data, dict):
        raise CommandError(f"{path}: cần một đối tượng JSON {{\"mã chỉ tiêu hoặc trường\": giá trị}}")
    first_line: dict[str, int] = {}
    for n, ln in enumerate(text.splitlines(), 1):  # one pass: where each key is written
        for key in re.findall(r'"((?:[^"\\]|\\.)*)"\s*:', ln):
            first_line.setdefault(key, n)
    errors = []
    for key, value in data.items():
        line = first_line.get(key, "?")
        if len(errors) >= MAX_ERRORS:
            errors.append(f"{path}: … còn lỗi khác (chỉ hiện {MAX_ERRORS} lỗi đầu)")
            break
        if key not in known:
            errors.append(f"{path}:{line}: '{key[:60]}' không phải mã chỉ tiêu hay trường số liệu của bộ này")
        elif value is not None and not isinstance(value, (int, float, bool)):
            shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:39] + "…"
            errors.append(f"{path}:{line}: giá trị của '{key}' phải là số hoặc true/false, không phải {shown}")
    if errors:
        raise CommandError("\n".join(errors))
    return data


class Command(NtmCommand):
    help = "Đánh giá theo bộ tiêu chí: từ tệp số liệu, hoặc cho một đơn vị đã lưu"

    def add_arguments(self, parser):
        parser.add_argument("--set", dest="set_code")
        parser.add_argument("--region", choices=REGIONS)
        parser.add_argument("--group", type=int, choices=[1, 2, 3])
        parser.add_argument("--flag", action="append", default=[], help="vd. dbkk (xã đặc biệt khó khăn)")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--values")
        parser.add_argument("--unit")
        parser.add_argument("--legacy", action="store_true")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **o):
        try:
            result = self._unit(o) if o["unit"] else self._values(o)
        except EvaluationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(dump(result) if o["format"] == "json" else self._text(result))

    def _values(self, o) -> dict:
        if not o["set_code"] or not o["values"]:
            raise CommandError("Cần --set và --values (hoặc --unit CODE)")
        specs = registry()
        if o["set_code"] not in specs:
            raise CommandError(f"Không có bộ tiêu chí '{o['set_code']}'. Xem: manage.py criteria list")
        chain = ladder(specs, o["set_code"])
        known = {k for s in chain for i in s.indicators() for k in (i.code, *i.fields)}
        values = read_values(o["values"], known)
        cls = Classification(region=o["region"], group=o["group"], flags=frozenset(o["flag"]))
        return evaluate(specs, o["set_code"], cls, o["year"], values).as_dict()

    def _unit(self, o) -> dict:
        try:
            unit = find_unit(o["unit"], o["legacy"])
        except Unit.DoesNotExist as exc:
            raise CommandError(str(exc)) from exc
        return evaluate_stored_unit(unit, o["year"])

    def _text(self, r: dict) -> str:
        if r.get("error"):
            return f"{r['unit']['name']} {r['year']}: không đánh giá được — {r['error']}"
        lines = [f"{r.get('unit', {}).get('name', '') if r.get('unit') else ''} {r['year']} — bộ {r['set']}".strip(),
                 f"Mức đạt: {r['level'] or 'chưa đạt'}; tiêu chí đạt: {r['criteria_met']}/{r['criteria_total']}"]
        for c in r["criteria"]:
            mark = {True: "✔", False: "✘", None: "?"}[c["met"]]
            lines.append(f"  {mark} {c['code']}. {c['name']}")
        return "\n".join(lines)
