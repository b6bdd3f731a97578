"""A big admin import as a background job, against a running site, as an editor's browser does it.

    .venv/bin/python bench/admin_job_live.py http://127.0.0.1:8000 USER PASSWORD deals.csv \
        [--model companies/deal] [--pids WEB_PID,WORKER_PID]

It logs in, uploads the file on the model's import page, polls the job's status until the
preview is done, presses "Confirm import" and polls the write job until it is done; it prints
the preview's and the write's seconds, the progress values it saw, the job page's summary, and
(with --pids) each process's peak resident memory from /proc/<pid>/status (VmHWM). The site
(gunicorn or runserver) and its `manage.py db_worker` are started by you; see README,
"Background jobs". Standard library only.
"""

import argparse
import http.cookiejar
import json
import re
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path


class Browser:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")

    def open(self, path: str, *, data: bytes | None = None, headers: dict | None = None):
        request = urllib.request.Request(  # noqa: S310 (the site under test: http or https)
            self.base + path, data=data, headers={"Referer": self.base + path, **(headers or {})}
        )
        return self.opener.open(request, timeout=120)

    def post_form(self, path: str, fields: dict):
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf(), **fields}).encode()
        return self.open(path, data=body)

    def post_file(self, path: str, fields: dict, *, name: str, content: bytes):
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in {"csrfmiddlewaretoken": self.csrf(), **fields}.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="import_file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.open(path, data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


def wait_for(browser: Browser, job_path: str) -> tuple[dict, list[int]]:
    """Poll the job's status until it has finished; return the last status and the counts seen."""
    status_path = job_path.replace("/change/", "/status/")
    seen = []
    while True:
        status = json.load(browser.open(status_path))
        seen.append(status["done"])
        if status["finished"]:
            return status, seen
        time.sleep(0.5)


def peak_mb(pid: str) -> str:
    text = Path(f"/proc/{pid}/status").read_text()
    kilobytes = int(re.search(r"VmHWM:\s+(\d+) kB", text).group(1))
    return f"{kilobytes / 1024:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("username")
    parser.add_argument("password")
    parser.add_argument("file", type=Path)
    parser.add_argument("--model", default="companies/deal")
    parser.add_argument("--pids", default="")
    arguments = parser.parse_args()
    browser = Browser(arguments.base)
    browser.open("/admin/login/")
    logged_in = browser.post_form(
        "/admin/login/?next=/admin/",
        {"username": arguments.username, "password": arguments.password, "next": "/admin/"},
    )
    if not logged_in.geturl().endswith("/admin/"):
        raise SystemExit("Login failed: check the user name and password.")
    import_path = f"/admin/{arguments.model}/import/"
    browser.open(import_path)
    started = time.monotonic()
    landed = browser.post_file(
        import_path, {"resource": "0", "format": "0"}, name=arguments.file.name, content=arguments.file.read_bytes()
    )
    preview_path = urllib.parse.urlparse(landed.geturl()).path
    uploaded = time.monotonic() - started
    status, seen = wait_for(browser, preview_path)
    preview_seconds = time.monotonic() - started
    page = browser.open(preview_path).read().decode()
    summary = re.search(r'<p class="job-summary">([^<]*)</p>', page)
    print(f"upload answered in {uploaded:.1f} s ({preview_path}); preview {status['state']} in {preview_seconds:.1f} s")
    print(f"preview progress seen: {sorted(set(seen))[:12]} … ({len(set(seen))} distinct values)")
    print(f"summary: {summary.group(1) if summary else '(none)'}")
    confirm_path = re.search(r'<form action="([^"]+)" method="POST" class="confirm-import">', page).group(1)
    started = time.monotonic()
    write_path = urllib.parse.urlparse(browser.post_form(confirm_path, {"confirm": "Confirm import"}).geturl()).path
    status, seen = wait_for(browser, write_path)
    print(f"confirm: write {status['state']} in {time.monotonic() - started:.1f} s ({write_path})")
    print(f"write progress seen: {len(set(seen))} distinct values, last {seen[-1]}")
    message = re.search(r'<p class="job-message">([^<]*)</p>', browser.open(write_path).read().decode())
    print(f"message: {message.group(1) if message else '(none)'}")
    for pid in filter(None, arguments.pids.split(",")):
        print(f"pid {pid}: peak RSS {peak_mb(pid)}")


if __name__ == "__main__":
    main()
