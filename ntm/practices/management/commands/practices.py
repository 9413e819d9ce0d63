"""`practices load-seed`: the lessons of the seed documents (data/lessons.toml), idempotent."""

from ntm.core.cli import SubcommandCommand
from ntm.practices.services import load_seed_lessons


class Command(SubcommandCommand):
    help = "Bài học kinh nghiệm"
    subcommands = {"load-seed": "Nạp các bài học của tài liệu gốc (chạy lại không tạo trùng)"}

    def handle_load_seed(self, **_):
        return {"created": load_seed_lessons()}
