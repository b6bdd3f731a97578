import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"


class Command(BaseCommand):
    help = "Local development only: create an admin login on first run and print its password once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin-url", default="http://127.0.0.1:8000/admin/", help="Where the admin is served (printed)."
        )

    def handle(self, *args, **options):
        admin_url = options["admin_url"]
        if not settings.DEBUG:
            raise CommandError("Refusing to create a local admin login: DJANGO_DEBUG is off (production settings).")
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                f"Admin login: {admin_url} (existing account; "
                f"reset its password with: .venv/bin/python manage.py changepassword {USERNAME})"
            )
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser(USERNAME, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "Created a local admin login (shown only this once):\n"
                f"  {admin_url}  user: {USERNAME}  password: {password}"
            )
        )
