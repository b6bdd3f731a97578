// The job page (templates/admin/dataio/job.html): poll the job's status and move its progress
// bar; reload the page once the job has finished, to show its result. No inline script: the
// admin's Content-Security-Policy allows scripts from the site only.
(function () {
  "use strict";
  const page = document.querySelector(".data-job[data-status-url]");
  if (!page) return;
  const bar = document.getElementById("job-progress");
  function show(status) {
    bar.max = Math.max(status.total, 1);
    bar.value = status.done;
    bar.textContent = status.done + " / " + status.total;
    for (const counter of page.querySelectorAll("[data-counter]")) {
      counter.textContent = status[counter.dataset.counter];
    }
    page.querySelector(".job-state").textContent = status.state;
  }
  function poll() {
    fetch(page.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => response.json())
      .then((status) => {
        show(status);
        if (status.finished) window.location.reload();
        else window.setTimeout(poll, 1000);
      })
      .catch(() => window.setTimeout(poll, 5000));
  }
  window.setTimeout(poll, 500);
})();
