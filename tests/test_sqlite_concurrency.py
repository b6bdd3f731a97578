"""SQLite with two editors (issue #13, point 3): an editor's save while a big import runs waits
for the import's transaction instead of failing with "database is locked", and both succeed.

pytest-django's SQLite test database lives in memory, in one process; this test needs a file
that two processes share, as the site's web and job workers do. So it makes one in a temporary
folder and runs `manage.py import` and an editor's saves as two processes against it."""

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# An editor saving a company (in a transaction, as the admin's change form does) every tenth of a
# second until told to stop; prints how many saves and the longest one took.
SAVER = """
import time
from pathlib import Path
from django.db import transaction
from companies.models import Company
company = Company.objects.create(slug="editors-motors", name="Editor's Motors", kind="automaker")
stop, saves, longest = Path({stop!r}), 0, 0.0
Path({ready!r}).touch()
while not stop.exists():
    started = time.monotonic()
    with transaction.atomic():
        company.summary = f"Saved {{saves}} times."
        company.save()
    longest, saves = max(longest, time.monotonic() - started), saves + 1
    time.sleep(0.1)
print(saves, round(longest, 2))
"""


def deals_file(path: Path, *, rows: int) -> Path:
    lines = ["slug,title,kind,status,summary"]
    lines += [f"deal-{n:06d},Deal number {n},investment,announced,A deal for the lock test." for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_editor_save_during_an_import_waits_and_both_succeed(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "test",
        "DJANGO_ENV_FILE": "",
        "DJANGO_STATIC_MANIFEST": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True)
    stop, ready = tmp_path / "stop", tmp_path / "ready"
    saver = subprocess.Popen(
        [*manage, "shell", "-c", SAVER.format(stop=str(stop), ready=str(ready))],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and saver.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        imported = subprocess.run(
            [*manage, "import", "companies.Deal", str(deals_file(tmp_path / "deals.csv", rows=30_000)), "--no-input"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        stop.touch()
        out, err = saver.communicate(timeout=120)
    assert imported.returncode == 0, imported.stderr
    assert "Import finished: 30000 new" in imported.stderr
    assert saver.returncode == 0, err
    assert "database is locked" not in err + imported.stderr
    saves, longest = out.split()[-2:]
    assert int(saves) >= 2
    # At least one save waited for the import's write lock (and then went through).
    assert float(longest) > 0.3, out[-200:]
