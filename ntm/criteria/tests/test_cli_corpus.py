"""`criteria load FILE` with malformed files (ntm/criteria/tests/files): each gets its exact
Vietnamese message and stores nothing; from the command line, "Lỗi: …" and exit code 1, no
traceback. The `evaluate --values` corpus is in ntm/evaluations/tests/test_cli_corpus.py."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ntm.core.cli import MAX_INPUT_BYTES
from ntm.criteria.models import CriteriaSet, Criterion, FieldDef

FILES = Path(__file__).parent / "files"
ROOT = Path(__file__).resolve().parents[3]
BAD = "Tệp bộ tiêu chí không hợp lệ:\n{path}"
IND = "[[criteria]] thứ 1 (mã 1) → indicators thứ 1 (mã 1) → thresholds thứ 1"

REFUSED = {
    "binary.toml": "{path}: tệp nhị phân (có byte 0), không phải văn bản",
    "not-utf8.toml": "{path}: tệp không phải UTF-8 (byte thứ 104); hãy lưu lại với mã hoá UTF-8",
    "utf16.toml": "{path}: tệp mã hoá UTF-16; hãy lưu lại với mã hoá UTF-8",
    "empty.toml": "{path}: tệp rỗng",
    "syntax-error.toml": BAD + ":4:22: lỗi cú pháp TOML: ký tự không được phép",
    "deep-array.toml": BAD + ": dữ liệu lồng nhau quá sâu",
    "deep-inline-table.toml": BAD + ": dữ liệu lồng nhau quá sâu",
    "deep-dotted-keys.toml": BAD + ": dữ liệu lồng nhau quá sâu (hơn 32 tầng)",
    "set-not-table.toml": BAD + ": [set]: cần một bảng, không phải số 5",
    "no-set-table.toml": BAD + ": thiếu bảng [set]",
    "criteria-is-text.toml": BAD + ": criteria: cần danh sách các bảng [[criteria]], không phải văn bản “1, 2, 3”",
    "year-as-text.toml": BAD + ": [set] → year_from: cần năm (1900–2100), không phải văn bản “2020”",
    "year-huge.toml": BAD + ": [set] → year_to: cần năm (1900–2100), không phải số 99999999",
    "threshold-nan.toml": BAD + f": {IND} → value: cần số hoặc true/false, không phải nan (không phải là số)",
    "threshold-inf.toml": BAD + f": {IND} → value: cần số hoặc true/false, không phải inf (không phải là số)",
    "threshold-text.toml": BAD + f": {IND} → value: cần số hoặc true/false, không phải văn bản “40”",
    "verified-as-text.toml": BAD + f": {IND} → verified: cần true hoặc false, không phải văn bản “có”",
    "indicators-is-text.toml": BAD + ": [[criteria]] thứ 1 (mã 1) → indicators: cần danh sách các bảng [[indicators]], "
                                     "không phải văn bản “1.1”",
    "code-as-float.toml": BAD + ": [[criteria]] thứ 1 → code: cần mã (văn bản hoặc số nguyên), không phải số 1.5",
    "group-as-boolean.toml": BAD + ": [[criteria]] thứ 1 (mã 1) → group: cần mã (văn bản hoặc số nguyên), không phải giá trị true",
}

pytestmark = pytest.mark.django_db


def counts():
    return CriteriaSet.objects.count(), Criterion.objects.count(), FieldDef.objects.count()


def test_every_file_in_the_corpus_is_covered():
    assert {p.name for p in FILES.glob("*.toml")} == set(REFUSED) | {"utf8-bom.toml"}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_its_message_and_nothing_stored(name):
    before = counts()
    path = FILES / name
    with pytest.raises(CommandError) as exc:
        call_command("criteria", "load", str(path), stdout=io.StringIO())
    assert str(exc.value) == REFUSED[name].format(path=path)
    assert counts() == before


def test_a_byte_order_mark_is_not_content():
    call_command("criteria", "load", str(FILES / "utf8-bom.toml"), stdout=io.StringIO())
    assert CriteriaSet.objects.filter(code="t-ntm").exists()


@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp, "{path}: là một thư mục, không phải tệp bộ tiêu chí"),
    (lambda tmp: tmp / "khong-co.toml", "{path}: không tìm thấy tệp bộ tiêu chí"),
    (lambda tmp: _big(tmp), "{path}: tệp quá lớn (10,0 MB; tối đa 10 MB)"),
])
def test_not_a_readable_file(tmp_path, make, message):
    path = make(tmp_path)
    before = counts()
    with pytest.raises(CommandError) as exc:
        call_command("criteria", "load", str(path))
    assert str(exc.value) == message.format(path=path) and counts() == before


def _big(tmp: Path) -> Path:
    path = tmp / "big.toml"
    path.write_bytes(b"# " + b"x" * MAX_INPUT_BYTES)
    return path


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    """A migrated SQLite file for commands run as separate processes, as an operator would."""
    db = tmp_path_factory.mktemp("cli") / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "PYTHONPATH": str(ROOT), "DJANGO_DEBUG": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    fixtures = ROOT / "ntm" / "criteria" / "tests" / "fixtures"
    subprocess.run([sys.executable, "manage.py", "criteria", "load", str(fixtures / "t-ntm.toml")], cwd=ROOT, env=env,
                   check=True, timeout=120, capture_output=True)
    return env


def run(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("name", ["binary.toml", "not-utf8.toml", "deep-array.toml", "threshold-nan.toml", "syntax-error.toml"])
def test_command_line_prints_the_message_and_exits_1(cli_db, name):
    path = FILES / name
    result = run(cli_db, "criteria", "load", str(path))
    assert result.returncode == 1
    assert result.stderr.strip() == "Lỗi: " + REFUSED[name].format(path=path)
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_command_line_directory_and_missing_file(cli_db, tmp_path):
    for path, message in ((tmp_path, "là một thư mục"), (tmp_path / "x.toml", "không tìm thấy tệp bộ tiêu chí")):
        result = run(cli_db, "criteria", "load", str(path))
        assert result.returncode == 1 and result.stderr.strip() == f"Lỗi: {path}: {message}" + (
            ", không phải tệp bộ tiêu chí" if message == "là một thư mục" else "")
        assert "Traceback" not in result.stderr
