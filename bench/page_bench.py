"""Page benchmark: every public page type and download against a trivial view, over real HTTP.

    .venv/bin/python bench/page_bench.py                        # seeds and large, cold and warm
    .venv/bin/python bench/page_bench.py --sizes large --modes warm --duration 2
    .venv/bin/python bench/page_bench.py --root /tmp/before     # another checkout ("before")

In a scratch folder it builds two SQLite databases: the seeds (`manage.py migrate`, `manage.py
load_seeds`) and the seeds plus tests/large_dataset.py's 2,000 companies and 20,000 deals. For each
size and mode it starts gunicorn (2 workers, production settings: debug off, a throwaway secret
key, no https redirect) on 127.0.0.1 and a free port, and loads each page with `wrk` if it is on
PATH, else with bench/http_load.py (16 connections). Every page window sits between two windows
of `/robots.txt` (no query: the ceiling of this stack) and each page is measured in several
rounds; the ratio to trivial is the median over rounds of the page's rate over its neighbours'.
Ratios are measured in the same run on the same machine, so they travel; requests per second do not.

Modes: cold runs with DJANGO_PAGE_CACHE=0 and DJANGO_DOWNLOAD_CACHE_DIR empty (no page cache, every
download built on request; a checkout without those settings has neither anyway), warm with both
on (the download files in the scratch folder) after a burst of warm-up requests per page. Static
files are not collected: DJANGO_STATIC_MANIFEST=0 (STATIC_ROOT is not configurable, and no
static file is requested). It prints a markdown table per mode and the issue's targets (#12) on
the large dataset, plus, unless --no-admin, the admin change page of the Protocol source against
plain changelists. --json writes the figures; --baseline compares the seeds rows with such a file
("nothing gets slower on the seed data"). The exit status is 1 if a target or comparison fails.
"""

import argparse
import contextlib
import csv
import datetime
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import page_report as report  # noqa: E402 (the checkout first on the path)
from bench.http_load import Request, Response, Window, fetch_once, percentile, run_window  # noqa: E402
from bench.wrk import wrk_window  # noqa: E402

HOST = "127.0.0.1"  # the server listens here only, and the load generators refuse anything else
TRIVIAL_PATH = "/robots.txt"
WORKERS = 2
CONDITIONAL_PATH = "/companies/xiaomi/"  # the heaviest detail page, asked for again with its validator

# The large dataset, grown around seeded records as the query-count tests grow it.
LARGE_DATASET = """
import sys
sys.path.insert(0, sys.argv[1])
import django
django.setup()
from django.db import transaction
from companies.models import Company, Deal
from sources.models import Source
from tests.large_dataset import build_large_dataset
with transaction.atomic():
    build_large_dataset(companies=2000, deals=20000, company=Company.objects.get(slug="xiaomi"),
                        deal=Deal.objects.get(slug="xiaomi-ev-subsidiary"), source=Source.objects.get(slug=sys.argv[2]))
    try:  # bulk_create passes no write path: move the dataset version as a real change would
        from core.changes import dataset_changed
    except ImportError:  # a checkout from before the dataset version
        pass
    else:
        dataset_changed(reason="page benchmark: the large dataset")
"""

# A superuser and a logged-in session for the admin line, made directly (no login form, so no
# lockout bookkeeping); the server shares the secret key that signs it.
ADMIN_SESSION = """
import json, sys
from importlib import import_module
sys.path.insert(0, sys.argv[1])
import django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from sources.models import Source
user = get_user_model().objects.create_superuser("bench-admin", "bench-admin@example.invalid", None)
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
source = Source.objects.get(slug=sys.argv[2])
print(json.dumps({"session": session.session_key, "cookie": settings.SESSION_COOKIE_NAME,
                  "source": source.pk, "excerpts": source.excerpts.count()}))
"""


@dataclass(frozen=True)
class Page:
    label: str
    kind: str  # home, list, detail, download, feed, sitemap, conditional (page_report.TARGETS)
    request: Request
    expect: int = 200


@dataclass(frozen=True)
class Checkout:
    root: Path
    python: str

    def run(self, args: list[str], *, env: dict, capture: bool = False) -> str:
        done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
            [self.python, *args], cwd=self.root, env=env, check=False, capture_output=True, text=True
        )
        if done.returncode:
            raise SystemExit(f"{' '.join(args[:2])} failed in {self.root}:\n{done.stderr[-3000:]}")
        return done.stdout if capture else ""


def checkout(root: Path) -> Checkout:
    """The checkout to measure and the interpreter to run it with: its own .venv, else this one's."""
    for venv in (root / ".venv", ROOT / ".venv"):
        if (venv / "bin" / "python").exists():
            return Checkout(root=root, python=str(venv / "bin" / "python"))
    return Checkout(root=root, python=sys.executable)


def protocol_slug(root: Path) -> str:
    """The Protocol article's slug, read from the seeds (its text makes rows long)."""
    csv.field_size_limit(1 << 30)
    with (root / "seeds" / "sources.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["slug"].startswith("protocol-"):
                return row["slug"]
    raise SystemExit(f"no Protocol source in {root / 'seeds' / 'sources.csv'}")


def environment(*, database: Path, work: Path, secret: str, cache: Path | None = None) -> dict:
    """Production settings for a scratch database: nothing from the caller's DJANGO_* variables
    or the checkout's .env, plain http, this machine's address the only allowed host.

    With `cache` (a folder of this run's), pages are cached and downloads written there once per
    dataset version; without, neither (a checkout older than these settings ignores them)."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return inherited | {
        "DJANGO_SETTINGS_MODULE": "evtracker.settings",
        "DJANGO_ENV_FILE": "",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secret,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_MANIFEST": "0",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_PAGE_CACHE": "1" if cache else "0",
        "DJANGO_DOWNLOAD_CACHE_DIR": str(cache / "downloads") if cache else "",
        "DJANGO_IMPORT_TMP_DIR": str(work / "imports"),
        "DJANGO_MEDIA_ROOT": str(work / "media"),
        "DATABASE_URL": f"sqlite:///{database}",
    }


def build_databases(*, target: Checkout, work: Path, sizes: list[str], secret: str, slug: str) -> dict[str, Path]:
    databases = {"seeds": work / "seeds.sqlite3", "large": work / "large.sqlite3"}
    env = environment(database=databases["seeds"], work=work, secret=secret)
    started = time.perf_counter()
    target.run(["manage.py", "migrate", "--noinput", "--verbosity", "0"], env=env)
    target.run(["manage.py", "load_seeds"], env=env)
    print(f"seeds database built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if "large" in sizes:
        started = time.perf_counter()
        shutil.copyfile(databases["seeds"], databases["large"])
        env = environment(database=databases["large"], work=work, secret=secret)
        target.run(["-c", LARGE_DATASET, str(target.root), slug], env=env)
        print(f"large database built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return {size: databases[size] for size in sizes}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    """gunicorn's arbiter stops its workers on TERM; whatever is left of its process group, the
    group this script created for it, is killed."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _wait_until_ready(*, port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            response = fetch_once(host=HOST, port=port, request=Request(TRIVIAL_PATH))
        except OSError:
            time.sleep(0.2)
            continue
        if response.status != 200:
            raise SystemExit(f"{TRIVIAL_PATH} answered {response.status}:\n{log.read_text()[-3000:]}")
        return
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def gunicorn(*, target: Checkout, env: dict, log: Path) -> Iterator[int]:
    """gunicorn serving the checkout on 127.0.0.1 and a free port; always stopped on the way out."""
    port = free_port()
    command = [target.python, "-m", "gunicorn", "evtracker.wsgi", "--chdir", str(target.root),
               "--bind", f"{HOST}:{port}", "--workers", str(WORKERS), "--graceful-timeout", "5",
               "--forwarded-allow-ips", "", "--error-logfile", str(log)]  # fmt: skip
    with log.open("ab") as errors:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            command, cwd=target.root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
            start_new_session=True,
        )  # fmt: skip
    try:
        _wait_until_ready(port=port, process=process, log=log)
        yield port
    finally:
        _stop(process)


class Loader:
    """One load window against a URL: wrk when it is installed, else the Python generator."""

    def __init__(self, *, port: int, connections: int, duration: float) -> None:
        self.port, self.connections, self.duration = port, connections, duration
        self.wrk = shutil.which("wrk")

    def window(self, request: Request, *, duration: float | None = None, expect: int = 200) -> report.Measured:
        duration = self.duration if duration is None else duration
        if self.wrk and duration > 0:
            return wrk_window(wrk=self.wrk, host=HOST, port=self.port, request=request,
                              connections=self.connections, duration=duration, expect=expect)  # fmt: skip
        window = run_window(host=HOST, port=self.port, request=request, connections=self.connections,
                            duration=duration)  # fmt: skip
        return summarise(window)

    def once(self, request: Request) -> Response:
        return fetch_once(host=HOST, port=self.port, request=request)


def summarise(window: Window) -> report.Measured:
    return report.Measured(
        rate=window.rate,
        p50=percentile(window.latencies, 0.5),
        p99=percentile(window.latencies, 0.99),
        statuses=window.statuses,
        errors=window.errors,
    )


def public_pages(*, slug: str) -> list[Page]:
    return [
        Page("`/`", "home", Request("/")),
        Page("`/companies/`", "list", Request("/companies/")),
        Page("`/deals/`", "list", Request("/deals/")),
        Page("`/companies/xiaomi/`", "detail", Request("/companies/xiaomi/")),
        Page("a deal page", "detail", Request("/deals/xiaomi-ev-subsidiary/")),
        Page("the Protocol source page", "detail", Request(f"/sources/{slug}/")),
        Page("`/data/deals.csv`", "download", Request("/data/deals.csv")),
        Page("`/feeds/deals/`", "feed", Request("/feeds/deals/")),
        Page("`/sitemap.xml`", "sitemap", Request("/sitemap.xml")),
        Page("`/sitemap-deals.xml`", "sitemap", Request("/sitemap-deals.xml")),
        Page("`/search/?q=xiaomi`", "list", Request("/search/?q=xiaomi")),  # names, aliases and full text
    ]


def conditional_page(loader: Loader) -> tuple[Page, str]:
    """The company page asked for again with the validator its first response carried."""
    first = loader.once(Request(CONDITIONAL_PATH))
    label = f"`{CONDITIONAL_PATH}` conditional GET (304)"
    for validator, condition in (("etag", "If-None-Match"), ("last-modified", "If-Modified-Since")):
        if validator in first.headers:
            headers = ((condition, first.headers[validator]),)
            return Page(label, "conditional", Request(CONDITIONAL_PATH, headers=headers), expect=304), ""
    return Page(label, "conditional", Request(CONDITIONAL_PATH), expect=304), "no ETag or Last-Modified: answers 200"


def prepare_pages(loader: Loader, pages: list[Page], *, warm: bool) -> list[tuple[Page, str]]:
    """Each page once (its status checked), and warm, a burst from every connection so that each
    worker has built it. A page that does not answer as expected is reported, not measured."""
    ready = []
    for page in pages:
        try:
            status = loader.once(page.request).status
        except (OSError, TimeoutError, ValueError) as error:  # reset, timed out, not HTTP
            status = f"no answer ({type(error).__name__})"
        if status != page.expect:
            ready.append((page, f"answered {status}"))
            continue
        if warm:
            loader.window(page.request, duration=0)
        ready.append((page, ""))
    return ready


def measure_size(*, loader: Loader, pages: list[Page], rounds: int, warm: bool) -> dict[str, report.PageResult]:
    conditional, note = conditional_page(loader)
    prepared = [*prepare_pages(loader, pages, warm=warm), (conditional, note)]
    results = {page.label: report.PageResult(page.label, page.kind, page.expect, note) for page, note in prepared}
    measured = [page for page, note in prepared if not note or page is conditional]
    trivial = Request(TRIVIAL_PATH)
    loader.window(trivial, duration=0)
    for round_number in range(rounds):
        before = loader.window(trivial)
        for page in measured:
            window = loader.window(page.request, expect=page.expect)
            after = loader.window(trivial)
            results[page.label].windows.append((window, before, after))
            before = after
        print(f"  round {round_number + 1}/{rounds} done", file=sys.stderr)
    row = report.trivial_result(list(results.values()), label=f"`{TRIVIAL_PATH}` (trivial)")
    return {row.label: row} | results


def admin_line(*, loader: Loader, session: dict, size: str, repeats: int = 5) -> str:
    """The admin change page of the Protocol source against two changelists, one request at a
    time: Django's own user list (plain) and the companies list."""
    cookie = (("Cookie", f"{session['cookie']}={session['session']}"),)
    paths = {
        "source": f"/admin/sources/source/{session['source']}/change/",
        "users": "/admin/auth/user/",
        "companies": "/admin/companies/company/",
    }
    times, sizes = {name: [] for name in paths}, {}
    for _ in range(repeats):
        for name, path in paths.items():
            started = time.perf_counter()
            response = loader.once(Request(path, headers=cookie))
            times[name].append(time.perf_counter() - started)
            if response.status != 200:
                return f"- admin ({size}): {path} answered {response.status}; no admin line"
            sizes[name] = response.body_bytes
    median = {name: statistics.median(values) for name, values in times.items()}
    return (
        f"- admin ({size}): the Protocol source's change page ({session['excerpts']} excerpts) "
        f"{median['source'] * 1000:.0f} ms, {sizes['source'] / 1e6:.2f} MB; `/admin/auth/user/` "
        f"{median['users'] * 1000:.0f} ms (source page {median['source'] / median['users']:.1f}×); "
        f"`/admin/companies/company/` {median['companies'] * 1000:.0f} ms "
        f"({median['source'] / median['companies']:.1f}×); median of {repeats}"
    )


def revision(root: Path) -> str:
    """The commit measured ("-dirty": with uncommitted changes), or the folder of an export."""
    done = subprocess.run(["git", "-C", str(root), "describe", "--always", "--dirty"],  # noqa: S603, S607
                          capture_output=True, text=True, check=False)  # fmt: skip
    return done.stdout.strip() if done.returncode == 0 and (root / ".git").exists() else f"the tree at {root}"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=0.8, help="seconds per load window (default 0.8)")
    parser.add_argument("--rounds", type=int, default=3, help="windows per page; the median ratio is kept")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--sizes", default="seeds,large", help="seeds, large or both (default)")
    parser.add_argument("--modes", default="cold,warm", help="cold, warm or both (default)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    parser.add_argument("--admin", action=argparse.BooleanOptionalAction, default=True,
                        help="time the admin source page against changelists (default on)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--baseline", type=Path, help="a --json file of an earlier run to compare the seeds rows with")
    args = parser.parse_args()
    args.sizes = [s for s in args.sizes.split(",") if s]
    args.modes = [m for m in args.modes.split(",") if m]
    if not set(args.sizes) <= set(report.SIZES) or not set(args.modes) <= set(report.MODES) or not args.sizes:
        parser.error("--sizes takes seeds and/or large, --modes cold and/or warm")
    if args.duration <= 0 or args.rounds < 1 or args.connections < 1:
        parser.error("--duration, --rounds and --connections must be positive")
    args.root = args.root.resolve()
    return args


def run(args: argparse.Namespace, *, work: Path) -> tuple[dict, list[str]]:
    target, secret = checkout(args.root), secrets.token_urlsafe(32)
    slug = protocol_slug(args.root)
    databases = build_databases(target=target, work=work, sizes=args.sizes, secret=secret, slug=slug)
    sessions = {}
    if args.admin:
        for size, database in databases.items():
            env = environment(database=database, work=work, secret=secret)
            made = target.run(["-c", ADMIN_SESSION, str(target.root), slug], env=env, capture=True)
            sessions[size] = json.loads(made)
    results, admin = {mode: {} for mode in args.modes}, []
    for mode in args.modes:
        for size, database in databases.items():
            print(f"{mode}, {size}:", file=sys.stderr)
            cache = work / f"cache-{size}" if mode == "warm" else None
            env = environment(database=database, work=work, secret=secret, cache=cache)
            with gunicorn(target=target, env=env, log=work / f"gunicorn-{mode}-{size}.log") as port:
                loader = Loader(port=port, connections=args.connections, duration=args.duration)
                results[mode][size] = measure_size(loader=loader, pages=public_pages(slug=slug), rounds=args.rounds,
                                                   warm=mode == "warm")  # fmt: skip
                if size in sessions and mode == args.modes[0]:
                    admin.append(admin_line(loader=loader, session=sessions[size], size=size))
    return results, admin


def main() -> int:
    args = arguments()
    # A TERM (a CI timeout, a kill by id) unwinds like Ctrl-C, so gunicorn is stopped and the
    # scratch folder removed on every way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="evtracker-page-bench-") as folder:
        results, admin = run(args, work=Path(folder))
    print(f"measured in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    generator = "wrk" if shutil.which("wrk") else "bench/http_load.py"
    print(f"### Page benchmark ({datetime.date.today().isoformat()}, {revision(args.root)})\n")
    print(f"gunicorn, {WORKERS} workers, SQLite, {os.cpu_count()} cores; {generator}, {args.connections} connections, "
          f"rounds: {args.rounds}, windows of {args.duration:g} s, each between two `{TRIVIAL_PATH}` windows; "
          "× trivial is the median over rounds. seeds: the shipped dataset; large: plus 2,000 companies and "
          "20,000 deals.\n")  # fmt: skip
    for mode, sizes in results.items():
        print(report.format_table(sizes, mode=mode) + "\n")
    if admin:
        print("\n".join(admin) + "\n")
    checks = report.check_targets(results)
    print("Targets (issue #12, large dataset):" if checks else "Targets apply to the large dataset: not measured.")
    if checks:
        print("\n".join(check.line() for check in checks))
    if args.baseline:
        comparison = report.compare_seeds(results, json.loads(args.baseline.read_text()))
        print(f"\nAgainst {args.baseline} (seeds rows, slower when under {report.SLOWER}× the baseline's ratio):")
        print("\n".join(check.line() for check in comparison))
        checks += comparison
    if args.json:
        args.json.write_text(json.dumps(report.as_json(results), indent=2) + "\n")
    return 0 if all(check.passed for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
