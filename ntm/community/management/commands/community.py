"""`community campaigns`: the national emulation campaigns and their plans (data/community.toml)."""

from ntm.community.services import ensure_campaigns
from ntm.core.cli import SubcommandCommand


class Command(SubcommandCommand):
    help = "Phong trào thi đua, ý kiến người dân"
    subcommands = {"campaigns": "Nạp các phong trào thi đua toàn quốc từ dữ liệu (chạy lại không tạo trùng)"}

    def handle_campaigns(self, **_):
        return {"created": ensure_campaigns()}
