"""`criteria load FILE.toml | load-all | list | show SET_CODE | unverified`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ntm.core.cli import CommandError, SubcommandCommand, read_text_file, shape_problem
from ntm.criteria import shape
from ntm.criteria.loader import load_all, load_path, registry
from ntm.criteria.models import CriteriaSet
from ntm.criteria.spec import REGION_NAMES, CriteriaSetSpec, SpecError


def threshold_rows(spec: CriteriaSetSpec, ind) -> list[dict]:
    rows = []
    for t in ind.thresholds:
        row: dict = {}
        if spec.classification == "group":
            row["group"] = t.group
        elif spec.classification == "region":
            row["region"] = t.region
        row.update({"year_from": t.year_from, "year_to": t.year_to, "op": t.op or ind.op})
        if t.ref_set:
            row.update({"value": None, "ref": f"{t.ref_set}/{t.ref_indicator}", "factor": t.factor})
        else:
            row["value"] = t.value
        row.update({"verified": t.verified, "source": t.source})
        rows.append(row)
    return rows


def spec_detail(spec: CriteriaSetSpec, version: int) -> dict:
    return {
        "code": spec.code, "version": version, "name": spec.name, "decision": spec.decision,
        "decision_date": spec.decision_date, "effective_from": spec.effective_from, "amended_by": list(spec.amended_by),
        "years": [spec.year_from, spec.year_to], "unit_level": spec.unit_level, "level": spec.level,
        "level_name": spec.level_name, "requires": spec.requires or None, "classification": spec.classification,
        "province": spec.province or None, "extends": spec.extends or None,
        "overrides": [vars(o) for o in spec.overrides], "source": spec.source, "notes": spec.notes,
        "groups": [{"code": g, "name": n} for g, n in spec.groups],
        "criteria": [
            {
                "code": c.code, "name": c.name, "group": c.group,
                "indicators": [
                    {
                        "code": i.code, "name": i.name, "kind": i.kind, "unit": i.unit, "op": i.op,
                        "field": i.field or None, "numerator": i.numerator or None, "denominator": i.denominator or None,
                        "thresholds": threshold_rows(spec, i),
                    }
                    for i in c.indicators
                ],
            }
            for c in spec.criteria
        ],
    }


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
        "unverified": "Liệt kê mọi ngưỡng chưa xác minh (Markdown, cho docs/criteria.md)",
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
        lines = ["# Ngưỡng chưa xác minh / Unverified thresholds", "",
                 "Sinh bởi `python manage.py criteria unverified` từ các tệp `ntm/criteria/sets/*.toml`.",
                 "Mọi giá trị dưới đây hiển thị là *chưa xác minh* trong ứng dụng. Generated from the set files;",
                 "every value below is shown as *chưa xác minh* (unverified) wherever thresholds appear.", ""]
        for code, spec in sorted(registry().items()):
            rows = [(i, t) for i in spec.indicators() for t in i.thresholds if not t.verified]
            total = sum(len(i.thresholds) for i in spec.indicators())
            lines += [f"## {code} — {spec.decision}", "", f"{len(rows)}/{total} ngưỡng chưa xác minh.", "",
                      "| chỉ tiêu | phân loại | năm | ngưỡng | nguồn |", "|---|---|---|---|---|"]
            for i, t in rows:
                cls = t.region if spec.classification == "region" else (f"nhóm {t.group}" if spec.classification == "group" else "*")
                cls = REGION_NAMES.get(cls, cls)
                value = f"{t.factor}× {t.ref_set}/{t.ref_indicator}" if t.ref_set else t.value
                lines.append(f"| {i.code} {i.name[:60]} | {cls} | {t.year_from}–{t.year_to} | {t.op or i.op} {value} | {t.source} |")
            lines.append("")
        self.stdout.write("\n".join(lines))
