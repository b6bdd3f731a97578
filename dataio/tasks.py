"""The background tasks (django-tasks; `django.tasks` from Django 6): each a thin wrapper that
the worker (`manage.py db_worker`) calls with a job's id."""

from django_tasks import task

from dataio.jobs import job_run


@task()
def run_data_job(*, job_id: int) -> str:
    return job_run(job_id=job_id)
