"""`criteria load FILE.toml | load-all | list | show SET_CODE | unverified`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ntm.core.cli import CommandError, SubcommandCommand, read_text_file, shape_problem
from ntm.criteria import shape
from ntm.criteria.loader import load_all, load_path, registry
from ntm.criteria.models import CriteriaSet
from ntm.criteria.schemas import spec_detail, threshold_rows
from ntm.criteria.spec import REGION_NAMES, TRUST, TRUST_LABELS, SpecError

# tomllib's messages (Python 3.12), in Vietnamese.
TOML_MESSAGES = {
    "Cannot overwrite a value": "khoá hoặc bảng bị khai báo hai lần",
    "Expected '=' after a key in a key/value pair": "thiếu dấu = sau tên khoá",
    "Expected ']' at the end of a table declaration": "thiếu ] ở cuối tên bảng",
    "Expected ']]' at the end of an array declaration": "thiếu ]] ở cuối tên mảng bảng",
    "Invalid date or datetime": "ngày giờ không hợp lệ",
    "Invalid initial character for a key part": "tên khoá bắt đầu bằng ký tự không hợp lệ",
    "Invalid statement": "dòng không hợp lệ",
    "Invalid value": "giá trị không hợp lệ (văn bản cần ngoặc kép)",
    "Unclosed array": "mảng chưa đóng ngoặc ]",
    "Unclosed inline table": "bảng trên một dòng chưa đóng ngoặc }",
    "Unterminated string": "chuỗi chưa đóng ngoặc kép",
    "Illegal character": "ký tự không được phép",
}


def toml_error(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    """ "FILE:4:22: lỗi cú pháp TOML: chuỗi chưa đóng ngoặc kép" """
    found = re.match(r"^(.*?)(?: '.*')? \(at line (\d+), column (\d+)\)$", str(exc))
    if not found:
        return f"{path}: lỗi cú pháp TOML: {exc}"
    message, line, col = found.groups()
    return f"{path}:{line}:{col}: lỗi cú pháp TOML: {TOML_MESSAGES.get(message, message)}"


class Command(SubcommandCommand):
    help = "Bộ tiêu chí: nạp (kiểm tra và lưu phiên bản mới), liệt kê, xem"
    subcommands = {
        "load": "Kiểm tra một tệp TOML và lưu thành phiên bản mới (đã công bố thì không sửa được)",
        "load-all": "Nạp mọi tệp trong ntm/criteria/sets (bỏ qua tệp không đổi)",
        "list": "Liệt kê các bộ tiêu chí đã nạp",
        "show": "Xem một bộ: tiêu chí, chỉ tiêu, ngưỡng và nguồn",
        "unverified": "Liệt kê mọi ngưỡng không đọc được trong quyết định (thứ cấp, chưa xác minh) và số đếm theo bộ",
    }

    def arguments_load(self, p):
        p.add_argument("file")

    def arguments_show(self, p):
        p.add_argument("set_code")

    def handle_load(self, file, **_):
        """Checks, in order: the file (exists, regular, size, text, UTF-8), TOML syntax, nesting
        and finite numbers, each key's type (criteria.shape), then the meaning (spec.build_spec);
        only a file that passes all is stored (in one transaction)."""
        path = Path(file)
        text = read_text_file(path, "tệp bộ tiêu chí")
        try:
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise SpecError([toml_error(path, exc)]) from exc
            problems = shape.problems(data) or [p for p in [shape_problem(data)] if p]
            errors = [f"{path}: {p}" for p in problems]
            if errors:
                raise SpecError(errors)
            result = load_path(path)
        except SpecError as exc:
            raise CommandError("Tệp bộ tiêu chí không hợp lệ:\n" + "\n".join(exc.errors)) from exc
        except RecursionError as exc:
            raise CommandError(f"Tệp bộ tiêu chí không hợp lệ:\n{path}: dữ liệu lồng nhau quá sâu") from exc
        return {"code": result.code, "version": result.version, "created": result.created}

    def handle_load_all(self, **_):
        try:
            results = load_all()
        except SpecError as exc:
            raise CommandError("Tệp bộ tiêu chí không hợp lệ:\n" + "\n".join(exc.errors)) from exc
        return [{"code": r.code, "version": r.version, "created": r.created} for r in results]

    def handle_list(self, **_):
        latest = {}
        for row in CriteriaSet.objects.filter(published=True).order_by("code", "version"):
            latest[row.code] = row
        return [
            {"code": r.code, "version": r.version, "name": r.name, "decision": r.decision, "unit_level": r.unit_level,
             "level": r.level, "requires": r.requires or None, "years": [r.year_from, r.year_to],
             "classification": r.classification, "province": r.province or None,
             "criteria": r.criteria.count()}
            for r in sorted(latest.values(), key=lambda r: (r.unit_level, r.year_from, r.code))
        ]

    def handle_show(self, set_code, **_):
        spec = registry().get(set_code)
        if spec is None:
            raise CommandError(f"Không có bộ tiêu chí '{set_code}'. Xem: manage.py criteria list")
        version = CriteriaSet.objects.filter(code=set_code, published=True).order_by("-version").first().version
        return spec_detail(spec, version)

    def handle_unverified(self, **options):
        """Every threshold row not read in a decision: its trust state (secondary / unverified),
        with counts per set. JSON with --format json; Markdown (for docs/criteria.md) otherwise."""
        sets = []
        for code, spec in sorted(registry().items()):
            rows = []
            counts = {t: 0 for t in TRUST}
            for ind in spec.indicators():
                for t, row in zip(ind.thresholds, threshold_rows(spec, ind), strict=True):
                    counts[t.trust] += 1
                    if t.trust != "decision":
                        rows.append({"indicator": ind.code, "name": ind.name, **row})
            sets.append({"code": code, "decision": spec.decision, "province": spec.province or None,
                         "counts": counts, "total": sum(counts.values()), "rows": rows})
        return {"trust_states": {t: TRUST_LABELS[t] for t in TRUST}, "sets": sets}

    def as_text(self, subcommand, result):
        if subcommand != "unverified":
            return super().as_text(subcommand, result)
        lines = ["# Ngưỡng không đọc trong quyết định / Thresholds not read in a decision", "",
                 "Sinh bởi `python manage.py criteria unverified` từ các bộ đã nạp. *thứ cấp* = trích từ nguồn thứ cấp",
                 "(trang hỏi đáp pháp luật, văn bản tỉnh, báo); *chưa xác minh* = không đọc được ở đâu.", "",
                 "| bộ | quyết định | đọc trong quyết định | thứ cấp | chưa xác minh | tổng |", "|---|---|---|---|---|---|"]
        for s in result["sets"]:
            c = s["counts"]
            lines.append(f"| {s['code']} | {s['decision']} | {c['decision']} | {c['secondary']} | {c['unverified']} | {s['total']} |")
        for s in result["sets"]:
            lines += ["", f"## {s['code']} — {s['decision']}", "",
                      "| chỉ tiêu | phân loại | năm | ngưỡng | tin cậy | nguồn |", "|---|---|---|---|---|---|"]
            for r in s["rows"]:
                cls = r.get("region") or (f"nhóm {r['group']}" if "group" in r else "*")
                cls = REGION_NAMES.get(cls, cls)
                value = f"{r['factor']}× {r.get('ref') or r.get('past')}" if r["value"] is None else r["value"]
                when = f" khi {r['when']['field']} {r['when']['op']} {r['when']['value']:g}" if "when" in r else ""
                lines.append(f"| {r['indicator']} {r['name'][:60]} | {cls} | {r['year_from']}–{r['year_to']} | "
                             f"{r['op']} {value}{when} | {TRUST_LABELS[r['trust']]} | {r['source']} |")
        return "\n".join(lines)
