"""Import benchmark: our deal import against the floor of csv + one bulk_create.

    .venv/bin/python bench/import_bench.py            # 10,000 and 100,000 rows
    .venv/bin/python bench/import_bench.py 2000       # other sizes

It makes a scratch SQLite database (or uses DATABASE_URL), 2,000 companies, and deal CSVs that
name them by slug; then, for each size, in a fresh process each, it times:
  floor    – the rows read with `csv` and written with one `bulk_create` (no checks, no history)
  import   – our import into an empty table (validation, all-or-nothing, history)
  re-import – the same file again (every row unchanged)
and prints rows per second, the ratio to the floor and the peak memory (max RSS) of each.
Then `manage.py import` on a file of 1,000,000 invalid deals (about 10 MB), in its own process,
twice: with the default row limit (refused as it is read) and with DJANGO_IMPORT_MAX_ROWS raised
to take it (every row checked, the first 100 problems listed and the rest counted); each prints
its peak memory against the bound of 500 MB and the lines it printed.
Ratios are measured in the same run on the same machine, so they travel; seconds do not.
"""

import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPANIES = 2000
HEADER = ["slug", "title", "kind", "round_name", "status", "date", "amount", "currency", "amount_note", "venture",
          "summary", "evidence_note", "editorial_state"]  # fmt: skip
KINDS = ["joint_venture", "investment", "partnership", "acquisition", "subsidiary"]
STATUSES = ["rumoured", "in_talks", "announced", "completed", "called_off"]


def setup_django(database_url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "benchmark-only",
            "DJANGO_ENV_FILE": "",
            "DJANGO_STATIC_MANIFEST": "0",
            "DJANGO_SETTINGS_MODULE": "evtracker.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def deal_row(index: int) -> list[str]:
    day = 1 + index % 28
    date = ["2021", f"2021-{1 + index % 12:02d}", f"2020-{1 + index % 12:02d}-{day:02d}"][index % 3]
    amount = "" if index % 4 == 0 else str(Decimal(index * 1000 + 5) / 10)
    return [
        f"deal-{index:06d}", f"Company {index % COMPANIES} deal number {index}, with “quotes”", KINDS[index % 5], "",
        STATUSES[index % 5], date, amount, "USD" if amount else "", "", f"company-{index % COMPANIES:04d}",
        f"A generated deal, number {index}, for the benchmark; 小米 and commas, too.", "", "draft",
    ]  # fmt: skip


def prepare(directory: Path, sizes: list[int]) -> None:
    from django.core.management import call_command

    from companies.models import Company

    call_command("migrate", verbosity=0)
    Company.objects.bulk_create(
        Company(slug=f"company-{i:04d}", name=f"Company {i}", kind="automaker") for i in range(COMPANIES)
    )
    for size in sizes:
        with (directory / f"deals-{size}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(deal_row(i) for i in range(size))


def floor(path: Path) -> int:
    """The rows read with csv and written with one bulk_create: no checks, no history."""
    from companies.models import Company, Deal
    from core.partial_dates import parse_partial_date

    ventures = dict(Company.objects.values_list("slug", "pk"))
    deals = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            date, precision = parse_partial_date(row["date"])
            amount = Decimal(row["amount"]) if row["amount"] else None
            deal = Deal(slug=row["slug"], title=row["title"], kind=row["kind"], status=row["status"], date=date)
            deal.date_precision, deal.amount, deal.currency = precision, amount, row["currency"]
            deal.venture_id, deal.summary = ventures[row["venture"]], row["summary"]
            deal.editorial_state = row["editorial_state"]
            deals.append(deal)
    Deal.objects.bulk_create(deals)
    return len(deals)


def our_import(path: Path) -> int:
    """What the admin's confirm and `load_seeds` run: the DealResource import of the file."""
    from companies.resources import DealResource
    from dataio.resources import import_dataset, read_dataset

    report = import_dataset(DealResource(), read_dataset(path), name=path.name)
    if report.errors:
        raise SystemExit("\n".join(report.errors[:5]))
    return report.new + report.updated + report.unchanged


def clear() -> None:
    from companies.models import Deal

    Deal.history.all().delete()
    Deal.objects.all().delete()


def child(mode: str, path: Path) -> None:
    """Run one measurement in this (fresh) process and print seconds, rows and peak memory."""
    setup_django(os.environ["BENCH_DATABASE_URL"])
    action = {"floor": floor, "import": our_import, "reimport": our_import, "clear": lambda _: clear() or 0}[mode]
    started = time.perf_counter()
    rows = action(path)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.4f} {rows} {peak_mb:.1f}")


def measure(mode: str, path: Path, env: dict) -> tuple[float, int, float]:
    command = [sys.executable, __file__, "--child", mode, str(path)]
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if finished.returncode:
        raise SystemExit(f"{mode} of {path.name} failed:\n{finished.stdout}{finished.stderr}")
    output = finished.stdout.split()
    return float(output[0]), int(output[1]), float(output[2])


INVALID_ROWS = 1_000_000
MEMORY_BOUND_MB = 500


def invalid_file(directory: Path) -> Path:
    """1,000,000 deals (about 10 MB) whose kind is not a kind, without title or status."""
    path = directory / "invalid-deals.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("slug,title,kind,status\n")
        handle.writelines(f"{index:x},,x,\n" for index in range(INVALID_ROWS))
    return path


def command_peak(path: Path, env: dict) -> tuple[float, float, int, str]:
    """Seconds, peak memory (MB) and printed lines of `manage.py import` on `path`, and its last
    message. A fresh process runs it, so its children's peak is that command's alone."""
    command = [sys.executable, __file__, "--peak", "import", "companies.Deal", str(path), "--no-input"]
    started = time.perf_counter()
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    peak_kb, count, *last = finished.stdout.splitlines()
    return time.perf_counter() - started, int(peak_kb) / 1024, int(count), last[-1] if last else ""


def peak_child(arguments: list[str]) -> None:
    """Run `manage.py <arguments>`; print its peak memory (KB), its line count, its last lines."""
    command = [sys.executable, str(ROOT / "manage.py"), *arguments]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    lines = (finished.stdout + finished.stderr).splitlines()
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(len(lines))
    print("\n".join(line for line in lines[-3:] if "more error" in line or "refused" in line or "rows" in line))


def memory_case(directory: Path, env: dict) -> None:
    path = invalid_file(directory)
    size_mb = path.stat().st_size / 1024 / 1024
    print(f"\nmanage.py import of {INVALID_ROWS:,} invalid rows ({size_mb:.1f} MB), bound {MEMORY_BOUND_MB} MB")
    print(f"{'row limit':>10} {'seconds':>8} {'peak MB':>8} {'lines':>6}  last message")
    for limit in (None, INVALID_ROWS):
        run_env = {**env, "DATABASE_URL": env["BENCH_DATABASE_URL"]}
        if limit:
            run_env["DJANGO_IMPORT_MAX_ROWS"] = str(limit)
        seconds, peak, lines, last = command_peak(path, run_env)
        verdict = "ok" if peak < MEMORY_BOUND_MB else "OVER THE BOUND"
        label = f"{limit:,}" if limit else "default"
        print(f"{label:>10} {seconds:>8.2f} {peak:>8.0f} {lines:>6}  {last[:70]} [{verdict}]")


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{directory / 'bench.sqlite3'}"
        env = {**os.environ, "BENCH_DATABASE_URL": database_url}
        setup_django(database_url)
        prepare(directory, sizes)
        print(f"database: {database_url.split('@')[-1]}; {COMPANIES} companies; times are one run each")
        print(f"{'rows':>8} {'step':<10} {'seconds':>8} {'rows/s':>9} {'x floor':>8} {'peak MB':>8}")
        for size in sizes:
            path = directory / f"deals-{size}.csv"
            measure("clear", path, env)
            floor_seconds, _, floor_mb = measure("floor", path, env)
            measure("clear", path, env)
            floor_rate = size / floor_seconds
            print(f"{size:>8} {'floor':<10} {floor_seconds:>8.2f} {floor_rate:>9.0f} {1:>8.2f} {floor_mb:>8.0f}")
            for step in ("import", "reimport"):
                seconds, rows, peak = measure(step, path, env)
                if rows != size:
                    raise SystemExit(f"{step}: {rows} rows reported for a file of {size}")
                ratio = seconds / floor_seconds
                print(f"{size:>8} {step:<10} {seconds:>8.2f} {size / seconds:>9.0f} {ratio:>8.2f} {peak:>8.0f}")
            measure("clear", path, env)
        memory_case(directory, env)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--peak"]:
        peak_child(sys.argv[2:])
    elif sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], Path(sys.argv[3]))
    elif all(arg.isdigit() for arg in sys.argv[1:]):
        main([int(arg) for arg in sys.argv[1:]] or [10_000, 100_000])
    else:
        raise SystemExit(__doc__)
