"""`evaluate --values FILE` with malformed files (ntm/evaluations/tests/files): each gets its exact
Vietnamese message, nothing is written; from the command line "Lỗi: …", exit code 1, no traceback."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ntm.criteria.tests.test_cli_corpus import cli_db, run  # noqa: F401 — the shared migrated database
from ntm.evaluations.models import Evaluation

FILES = Path(__file__).parent / "files"
FIX = Path(__file__).resolve().parents[2] / "criteria" / "tests" / "fixtures"

REFUSED = {
    "array.json": '{path}: cần một đối tượng JSON {{"mã chỉ tiêu hoặc trường": giá trị}}',
    "binary.json": "{path}: tệp nhị phân (có byte 0), không phải văn bản",
    "control-character.json": "{path}:1:15: JSON không hợp lệ: ký tự điều khiển trong chuỗi",
    "deep-40.json": "{path}: dữ liệu lồng nhau quá sâu (hơn 32 tầng)",
    "deep-nesting.json": "{path}: JSON không hợp lệ: lồng nhau quá sâu (hàng nghìn tầng ngoặc)",
    "empty.json": "{path}: tệp rỗng",
    "huge-exponent.json": "{path}: có số vô hạn (inf, hoặc quá lớn như 1e400)",
    "infinity.json": "{path}: JSON không hợp lệ: có giá trị -Infinity, không phải là số (JSON chỉ cho phép số hữu hạn)",
    "nan.json": "{path}: JSON không hợp lệ: có giá trị NaN, không phải là số (JSON chỉ cho phép số hữu hạn)",
    "not-json.json": "{path}:1:2: JSON không hợp lệ: cần tên thuộc tính trong ngoặc kép",
    "not-utf8.json": "{path}: tệp không phải UTF-8 (byte thứ 18); hãy lưu lại với mã hoá UTF-8",
    "trailing-data.json": "{path}:1:11: JSON không hợp lệ: còn dữ liệu thừa sau phần JSON",
    "unknown-key.json": "{path}:2: 'thu_nhap' không phải mã chỉ tiêu hay trường số liệu của bộ này",
    "utf16.json": "{path}: tệp mã hoá UTF-16; hãy lưu lại với mã hoá UTF-8",
    "value-object.json": "{path}:2: giá trị của '2.2' phải là số hoặc true/false, không phải {{'gia_tri': 90, 'nguon': '<b>x</b>'}}",
    "value-text.json": "{path}:1: giá trị của '1' phải là số hoặc true/false, không phải '50'",
}
ARGS = ["--set", "t-ntm", "--region", "BTB", "--year", "2021", "--values"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def sets():
    call_command("criteria", "load", str(FIX / "t-ntm.toml"), stdout=io.StringIO())


def test_every_file_in_the_corpus_is_covered():
    assert {p.name for p in FILES.glob("*.json")} == set(REFUSED) | {"utf8-bom.json"}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_its_message(sets, name):
    before = Evaluation.objects.count()
    path = FILES / name
    with pytest.raises(CommandError) as exc:
        call_command("evaluate", *ARGS, str(path), stdout=io.StringIO())
    assert str(exc.value) == REFUSED[name].format(path=path)
    assert Evaluation.objects.count() == before


def test_a_byte_order_mark_is_not_content(sets, capsys):
    call_command("evaluate", *ARGS, str(FILES / "utf8-bom.json"), "--format", "json")
    assert '"set": "t-ntm"' in capsys.readouterr().out


def test_a_directory_and_a_missing_file(sets, tmp_path):
    for path, message in ((tmp_path, "là một thư mục, không phải tệp số liệu"), (tmp_path / "v.json", "không tìm thấy tệp số liệu")):
        with pytest.raises(CommandError) as exc:
            call_command("evaluate", *ARGS, str(path))
        assert str(exc.value) == f"{path}: {message}"


@pytest.mark.parametrize("name", ["binary.json", "deep-nesting.json", "nan.json", "value-object.json"])
def test_command_line_prints_the_message_and_exits_1(cli_db, name):  # noqa: F811
    path = FILES / name
    result = run(cli_db, "evaluate", *ARGS, str(path))
    assert result.returncode == 1
    assert result.stderr.strip() == "Lỗi: " + REFUSED[name].format(path=path)
    assert "Traceback" not in result.stderr and result.stdout == ""
