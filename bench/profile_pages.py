"""In-process timings of the public pages, downloads and admin pages, with their query counts.

    .venv/bin/python bench/profile_pages.py                # seeds + 2,000 companies / 20,000 deals
    .venv/bin/python bench/profile_pages.py --seeds-only   # the shipped data alone
    .venv/bin/python bench/profile_pages.py --profile /companies/xiaomi/   # cProfile one page
    .venv/bin/python bench/profile_pages.py --queries /                    # its queries, timed

It builds a scratch SQLite database once (seeds, then tests/large_dataset.py on top; delete the
file or pass --rebuild to start again) and requests each page through Django's test client with
no cache and no kept download files, so each number is the cost of building the page.
`/robots.txt` (no query) is timed in the same run: the ratio to it travels between machines, the
milliseconds do not. This measures Django alone; bench/page_bench.py measures the site over HTTP.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = "protocol-every-chinese-tech-company-wants-to-make-evs"
PUBLIC_PAGES = [
    "/robots.txt",
    "/",
    "/companies/",
    "/companies/xiaomi/",
    "/deals/",
    "/deals/xiaomi-ev-subsidiary/",
    "/sources/",
    f"/sources/{PROTOCOL}/",
    "/data/deals.csv",
    "/data/excerpts.json",
    "/feeds/deals/",
    "/sitemap-deals.xml",
]
ADMIN_CHANGELISTS = [
    "companies/company",
    "companies/deal",
    "companies/alias",
    "companies/participation",
    "sources/source",
    "sources/excerpt",
    "sources/noisespan",
    "sources/story",
    "auth/user",
]


def setup_django(database: Path) -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{database}",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "benchmark-only",
            "DJANGO_ENV_FILE": "",
            "DJANGO_STATIC_MANIFEST": "0",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_PAGE_CACHE": "0",  # every request builds its page
            "DJANGO_DOWNLOAD_CACHE_DIR": "",  # and every download (no kept files)
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "evtracker.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build_database(*, large: bool) -> None:
    from django.core.management import call_command

    from companies.models import Company, Deal
    from sources.models import Source
    from tests.large_dataset import build_large_dataset

    call_command("migrate", verbosity=0)
    call_command("load_seeds", stdout=io.StringIO())
    if large:
        build_large_dataset(
            company=Company.objects.get(slug="xiaomi"),
            deal=Deal.objects.get(slug="xiaomi-ev-subsidiary"),
            source=Source.objects.get(slug=PROTOCOL),
        )


def admin_pages() -> list[str]:
    from companies.models import Company, Deal
    from sources.models import Source

    pages = [f"/admin/{name}/" for name in ADMIN_CHANGELISTS]
    source = Source.objects.get(slug=PROTOCOL)
    pages += [
        f"/admin/sources/source/{source.pk}/change/",
        f"/admin/companies/company/{Company.objects.get(slug='xiaomi').pk}/change/",
        f"/admin/companies/deal/{Deal.objects.get(slug='xiaomi-ev-subsidiary').pk}/change/",
        f"/admin/sources/excerpt/{source.excerpts.order_by('pk').first().pk}/change/",
    ]
    return pages


def measure(client, url: str, *, repeat: int) -> tuple[float, int, int]:
    """Median milliseconds, queries and bytes of `url` (the first request warms templates up)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fetch() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            body = b"".join(response) if response.streaming else response.content
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return len(queries), len(body)

    fetch()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        queries, size = fetch()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), queries, size


def report(client, urls: list[str], *, repeat: int, trivial_ms: float) -> None:
    for url in urls:
        ms, queries, size = measure(client, url, repeat=repeat)
        print(f"{url:70} {ms:8.1f} ms {trivial_ms / ms:7.3f}x {queries:5d} q {size / 1024:8.0f} KiB", flush=True)


def profile(client, url: str) -> None:
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def show_queries(client, url: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    for query in queries.captured_queries:
        print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:300]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds-only", action="store_true", help="the shipped data alone")
    parser.add_argument("--rebuild", action="store_true", help="build the scratch database again")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", metavar="URL", help="print a cProfile of one request to URL")
    parser.add_argument("--queries", metavar="URL", help="print the queries of one request to URL, timed")
    parser.add_argument("--public-only", action="store_true", help="skip the admin pages")
    args = parser.parse_args()
    name = "seeds" if args.seeds_only else "large"
    database = Path(tempfile.gettempdir()) / f"evtracker-profile-{name}.sqlite3"
    if args.rebuild:
        database.unlink(missing_ok=True)
    fresh = not database.exists()
    setup_django(database)
    if fresh:
        build_database(large=not args.seeds_only)
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # the schema may have moved on since the build
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    if args.profile or args.queries:
        if (args.profile or args.queries).startswith("/admin/"):
            client.force_login(get_user_model().objects.filter(is_superuser=True).first() or _boss())
        (profile if args.profile else show_queries)(client, args.profile or args.queries)
        return
    trivial_ms, _, _ = measure(client, "/robots.txt", repeat=args.repeat * 4)
    print(f"{name} data; /robots.txt {trivial_ms:.2f} ms; columns: median, ratio to /robots.txt, queries, size")
    report(client, PUBLIC_PAGES, repeat=args.repeat, trivial_ms=trivial_ms)
    if args.public_only:
        return
    client.force_login(get_user_model().objects.filter(is_superuser=True).first() or _boss())
    report(client, admin_pages(), repeat=max(1, args.repeat // 2), trivial_ms=trivial_ms)


def _boss():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("bench-boss", "boss@example.org", "unused-password")


if __name__ == "__main__":
    main()
