"""`recompute [--province CODE] [--year YYYY ...] [--legacy|--current] [--stale]`: bring stored
evaluations up to date by hand. Idempotent: a second run changes nothing.

`recompute --queue [...]` splits the work into one task per province on the task queue (run by every
`manage.py db_worker`, on any machine sharing the database) and prints the job; `--resume JOB` queues
again the provinces of a job that are not done; `--wait` follows the job until it ends."""

from __future__ import annotations

import time

from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError

from ntm.core import requestid
from ntm.core.cli import dump
from ntm.evaluations.models import Evaluation, LevelChange, RecomputeJob
from ntm.evaluations.recompute import recompute_all, recompute_units, stale_pairs


class Command(BaseCommand):
    help = "Tính lại kết quả đánh giá đã lưu (một tỉnh, một số năm, hoặc cả nước); chạy lại không đổi gì"

    def add_arguments(self, parser):
        parser.add_argument("--province", help="mã tỉnh, vd. 38")
        parser.add_argument("--year", type=int, action="append", dest="years")
        scheme = parser.add_mutually_exclusive_group()
        scheme.add_argument("--legacy", action="store_true", help="chỉ đơn vị trước 01/07/2025")
        scheme.add_argument("--current", action="store_true", help="chỉ đơn vị hiện hành")
        parser.add_argument("--stale", action="store_true", help="chỉ những đơn vị-năm có số liệu mới hơn kết quả")
        parser.add_argument("--queue", action="store_true",
                            help="xếp vào hàng đợi, mỗi tỉnh một việc (các tiến trình db_worker chạy song song)")
        parser.add_argument("--resume", type=int, metavar="JOB", help="xếp lại các tỉnh chưa xong của lượt tính lại JOB")
        parser.add_argument("--wait", action="store_true", help="với --queue/--resume: chờ đến khi xong, in tiến độ")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **o):
        if o["queue"] or o["resume"]:
            return self.queue(o)
        with requestid.activity("cli"):
            before = set(Evaluation.all_rows.values_list("unit_id", "year", "level", "error", "set_code", "set_version",
                                                         "criteria_met"))
            changes_before = LevelChange.objects.count()
            if o["stale"]:
                rows = sum(recompute_units(sorted(ids), [year], reason=LevelChange.Reason.RECOMPUTE)
                           for year, ids in sorted(stale_pairs().items()))
            else:
                legacy = True if o["legacy"] else (False if o["current"] else None)
                rows = recompute_all(province_code=o["province"], years=o["years"], legacy=legacy)
            after = set(Evaluation.all_rows.values_list("unit_id", "year", "level", "error", "set_code", "set_version",
                                                        "criteria_met"))
        result = {"evaluations": rows, "changed": len(after - before), "level_changes": LevelChange.objects.count() - changes_before,
                  "not_evaluable": Evaluation.all_rows.exclude(error="").count()}
        if o["format"] == "json":
            self.stdout.write(dump(result))
        else:
            self.stdout.write(f"Đã tính lại {rows} kết quả; {result['changed']} kết quả thay đổi, "
                              f"{result['level_changes']} thay đổi mức đạt; {result['not_evaluable']} đơn vị-năm không đánh giá được.")

    def queue(self, o) -> None:
        from ntm.evaluations.services import resume_recompute, start_national_recompute

        with requestid.activity("cli"):
            if o["resume"]:
                try:
                    job = RecomputeJob.objects.get(pk=o["resume"], by_province=True)
                except ObjectDoesNotExist:
                    raise CommandError(f"Không có lượt tính lại toàn quốc số {o['resume']}") from None
                queued = resume_recompute(None, job)
            else:
                legacy = True if o["legacy"] else (False if o["current"] else None)
                try:
                    job = start_national_recompute(None, years=o["years"], legacy=legacy, province_code=o["province"])
                except ValueError as exc:
                    raise CommandError(str(exc)) from None
                queued = job.total
        if o["format"] == "text":
            self.stdout.write(f"Lượt tính lại số {job.pk}: đã xếp {queued} việc (mỗi tỉnh một việc) vào hàng đợi.")
        while o["wait"]:
            job.refresh_from_db()
            if o["format"] == "text":
                self.stdout.write(f"{job.get_status_display()}: {job.done}/{job.total} tỉnh xong, {job.failed} lỗi")
            if job.status in (RecomputeJob.Status.DONE, RecomputeJob.Status.FAILED):
                break
            time.sleep(1)
        job.refresh_from_db()
        if o["format"] == "json":
            self.stdout.write(dump({"job": job.pk, "queued": queued, "status": job.status, "done": job.done,
                                    "failed": job.failed, "total": job.total, "evaluations": job.rows}))
        if job.status == RecomputeJob.Status.FAILED:
            failed = ", ".join(job.parts.filter(status=RecomputeJob.Status.FAILED).values_list("name", flat=True))
            raise CommandError(f"Lượt tính lại số {job.pk} có tỉnh lỗi: {failed}. Chạy lại: recompute --resume {job.pk}")
