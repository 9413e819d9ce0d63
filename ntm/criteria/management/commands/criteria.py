"""`criteria load FILE.toml | load-all | list | show SET_CODE | unverified`."""

from __future__ import annotations

from pathlib import Path

from ntm.core.cli import CommandError, SubcommandCommand
from ntm.criteria.loader import load_all, load_path, registry
from ntm.criteria.models import CriteriaSet
from ntm.criteria.schemas import spec_detail
from ntm.criteria.spec import REGION_NAMES, SpecError


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
        path = Path(file)
        try:
            result = load_path(path)
        except SpecError as exc:
            raise CommandError("Tệp bộ tiêu chí không hợp lệ:\n" + "\n".join(exc.errors)) from exc
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
