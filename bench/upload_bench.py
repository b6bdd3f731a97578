"""Upload benchmark: the hostile import files of issue #9, full size, against a tiny valid import.

    .venv/bin/python bench/upload_bench.py

It builds each file (tests/hostile_files.py: nothing is stored, some unpack to gigabytes), makes
a scratch SQLite database with one editor, then, in a fresh process each, uploads the file to the
admin's company import page as that editor (Django's test client) and prints the seconds of the
request, the peak memory of the process (max RSS, Django included), the size of the page, each
as a ratio to the tiny valid import measured in the same run, and the first line the page shows.
Targets, for every refusal: under 5 s and under 300 MB, a small page, no company written and no
file left waiting. Three files at the row limit (100,000 invalid, empty or new rows) show the
preview listing at most 1,000 rows and 100 errors: their page stays under 1 MB, and nothing is
written before the confirm. The exit status is 1 if a target is missed.
"""

import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.import_bench import setup_django  # noqa: E402 (the checkout first on the path)
from tests import hostile_files  # noqa: E402

SECONDS_TARGET, MEMORY_TARGET_MB, PAGE_TARGET_KB, PREVIEW_PAGE_TARGET_KB = 5.0, 300, 200, 1024
CSV, XLSX, JSON = 0, 1, 2  # the admin's format menu (dataio/formats.py, FORMATS)

BASELINE, REFUSAL, AT_LIMIT = "baseline", "refusal", "at the limit"


def new_rows_csv(rows: int) -> bytes:
    return b"slug,name,kind\n" + b"".join(b"company-%06d,Company %d,tech\n" % (i, i) for i in range(rows))


# What each file is, its name (whose extension picks the format), and how to build it.
H = hostile_files
CASES = [
    (BASELINE, "3 valid rows", "companies.csv", lambda: new_rows_csv(3)),
    (REFUSAL, "XLSX declaring A1:C3000000", "companies.xlsx", lambda: H.dimension_bomb_xlsx(3_000_000)),
    (REFUSAL, "XLSX of 1,000,000 undeclared rows", "companies.xlsx", lambda: H.undeclared_rows_xlsx(1_000_000)),
    (REFUSAL, "XLSX, one 2 GB shared string", "companies.xlsx", lambda: H.shared_string_bomb_xlsx(2048)),
    (REFUSAL, "XLSX, one 3 MB random shared string", "companies.xlsx", lambda: H.long_shared_string_xlsx(3_000_000)),
    (
        REFUSAL,
        "XLSX, 400 KB string in 3,000 cells",
        "companies.xlsx",
        lambda: H.repeated_shared_string_xlsx(400_000, 1000),
    ),
    (REFUSAL, "XLSX of 200,000 empty parts", "companies.xlsx", lambda: H.many_parts_xlsx(200_000)),
    (REFUSAL, "CSV of 3,000,000 empty rows", "companies.csv", lambda: H.empty_rows_csv(3_000_000)),
    (REFUSAL, "CSV of 1,500,000 invalid rows", "companies.csv", lambda: H.invalid_rows_csv(1_500_000)),
    (REFUSAL, "CSV, one 9 MB cell", "companies.csv", lambda: H.long_cell_csv(9 * 1024 * 1024)),
    (REFUSAL, "JSON of 3,000,000 objects", "companies.json", lambda: H.object_flood_json(3_000_000)),
    (REFUSAL, "JSON nested 1,000,000 deep", "companies.json", lambda: H.deep_json(1_000_000)),
    (AT_LIMIT, "CSV of 100,000 invalid rows", "companies.csv", lambda: H.invalid_rows_csv(100_000)),
    (AT_LIMIT, "CSV of 100,000 empty rows", "companies.csv", lambda: H.empty_rows_csv(100_000)),
    (AT_LIMIT, "CSV of 100,000 new rows", "companies.csv", lambda: new_rows_csv(100_000)),
]
FORMAT_OF = {".csv": CSV, ".xlsx": XLSX, ".json": JSON}


def scratch_environment(directory: Path) -> dict:
    return {
        **os.environ,
        "BENCH_DATABASE_URL": f"sqlite:///{directory / 'bench.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_IMPORT_TMP_DIR": str(directory / "imports"),
    }


def prepare(directory: Path) -> None:
    """The scratch database, with one editor, in a process of its own."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from bench.import_bench import setup_django; "
        "import os; setup_django(os.environ['BENCH_DATABASE_URL']); "
        "from django.core.management import call_command; call_command('migrate', verbosity=0); "
        "from django.contrib.auth.models import Group, User; "
        "u = User.objects.create_user('bench-editor', is_staff=True); u.groups.add(Group.objects.get(name='Editors'))"
    )
    subprocess.run([sys.executable, "-c", code, str(ROOT)], env=scratch_environment(directory), check=True)  # noqa: S603


def first_message(page: str) -> str:
    """What the editor reads first: the refusal under the file field, or the preview's heading."""
    for pattern in (
        r'<ul class="errorlist[^"]*"[^>]*><li>(.*?)</li>',
        r"<h2>(Preview|Errors|Some rows failed[^<]*)</h2>",
    ):
        found = re.search(pattern, page, re.DOTALL)
        if found:
            return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()
    return "(no message)"


def peak_memory_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM starts afresh at exec; ru_maxrss would
    carry over the peak of the benchmark's own process, which builds the files."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1)) / 1024
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path: Path, file_format: int) -> None:
    """Upload one file in this fresh process and print what it cost, as JSON."""
    setup_django(os.environ["BENCH_DATABASE_URL"])
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from companies.models import Company

    client = Client()
    client.force_login(User.objects.get(username="bench-editor"))
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    started = time.perf_counter()
    response = client.post(
        "/admin/companies/company/import/", {"resource": 0, "format": file_format, "import_file": upload}
    )
    seconds = time.perf_counter() - started
    folder = Path(os.environ["DJANGO_IMPORT_TMP_DIR"])
    waiting = [name for name in os.listdir(folder) if not name.startswith(".")] if folder.is_dir() else []
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak_memory_mb(),
                "page_kb": len(response.content) / 1024,
                "status": response.status_code,
                "refused": "Confirm import" not in response.text and "<h2>Preview</h2>" not in response.text,
                "message": first_message(response.text),
                "companies": Company.objects.count(),
                "waiting": len(waiting),
            }
        )
    )


def measure(path: Path, file_format: int, env: dict) -> dict:
    command = [sys.executable, __file__, "--child", str(path), str(file_format)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # The preview of a valid file waits for its confirm; clear it for the next upload.
    for name in os.listdir(env["DJANGO_IMPORT_TMP_DIR"]) if os.path.isdir(env["DJANGO_IMPORT_TMP_DIR"]) else []:
        os.remove(os.path.join(env["DJANGO_IMPORT_TMP_DIR"], name))
    return result


def missed_targets(result: dict, *, kind: str) -> list[str]:
    if kind == BASELINE:
        return []
    if kind == AT_LIMIT:
        checks = [
            (result["page_kb"] < PREVIEW_PAGE_TARGET_KB, f"page over {PREVIEW_PAGE_TARGET_KB} KB"),
            (result["companies"] == 0, "companies written"),
        ]
        return [problem for ok, problem in checks if not ok]
    checks = [
        (result["refused"] and result["status"] == 200, "not refused"),
        (result["seconds"] < SECONDS_TARGET, f"over {SECONDS_TARGET:.0f} s"),
        (result["peak_mb"] < MEMORY_TARGET_MB, f"over {MEMORY_TARGET_MB} MB"),
        (result["page_kb"] < PAGE_TARGET_KB, f"page over {PAGE_TARGET_KB} KB"),
        (result["companies"] == 0, "companies written"),
        (result["waiting"] == 0, "file left waiting"),
    ]
    return [problem for ok, problem in checks if not ok]


def main() -> int:
    missed = 0
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        env = scratch_environment(directory)
        prepare(directory)
        print(
            f"Targets for each refusal: under {SECONDS_TARGET:.0f} s and {MEMORY_TARGET_MB} MB (peak resident memory of"
        )
        print(
            f"its process, Django included), a page under {PAGE_TARGET_KB} KB, nothing written, no file left waiting;"
        )
        print(f"for a file at the row limit, a preview page under {PREVIEW_PAGE_TARGET_KB} KB. One run each.")
        header = f"{'file':<36} {'size':>9} {'seconds':>8} {'x base':>7} {'peak MB':>8} {'x base':>7} {'page KB':>8}"
        baseline, section = None, None
        for kind, name, file_name, build in CASES:
            if kind != section:
                section = kind
                print(f"\n{kind}\n{header}  result")
            path = directory / "upload" / file_name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(build())
            result = measure(path, FORMAT_OF[path.suffix], env)
            baseline = baseline or result
            problems = missed_targets(result, kind=kind)
            missed += bool(problems)
            verdict = "MISSED " + ", ".join(problems) if problems else ("ok" if kind != BASELINE else "-")
            print(
                f"{name:<36} {path.stat().st_size / 1024:>6,.0f} KB {result['seconds']:>8.2f} "
                f"{result['seconds'] / baseline['seconds']:>7.1f} {result['peak_mb']:>8.0f} "
                f"{result['peak_mb'] / baseline['peak_mb']:>7.2f} {result['page_kb']:>8.0f}  "
                f"{verdict}: {result['message'][:100]}"
            )
    print(f"\n{missed} file(s) missed a target." if missed else "\nEvery file met its targets.")
    return 1 if missed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(Path(sys.argv[2]), int(sys.argv[3]))
    elif not sys.argv[1:]:
        sys.exit(main())
    else:
        raise SystemExit(__doc__)
