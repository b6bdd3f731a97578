from django.core.management.base import BaseCommand, CommandError

from core.people import PeopleRefusal, editor_add, editor_promote, existing_user


class Command(BaseCommand):
    help = (
        "Add an editor (a staff login in the Editors group, or Reviewers with --reviewer) and print "
        "its generated password once; --reviewer on an existing editor promotes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="The new editor's e-mail address (needed to add one).")
        parser.add_argument("--reviewer", action="store_true", help="In Reviewers: may also publish and retract.")
        parser.add_argument(
            "--admin-url", default="/admin/", help="Where the admin is served, for the printed instructions."
        )

    def handle(self, *args, username: str, email: str, reviewer: bool, admin_url: str, **options):
        try:
            if reviewer and existing_user(username) is not None:
                user = editor_promote(username=username)
                self.stdout.write(self.style.SUCCESS(f"“{user.username}” is now a reviewer."))
                return
            if not email:
                raise CommandError("Give the new editor's address with --email.")
            added = editor_add(username=username, email=email, reviewer=reviewer)
        except PeopleRefusal as refusal:
            raise CommandError(str(refusal)) from None
        role = "reviewer" if reviewer else "editor"
        password_change = admin_url.rstrip("/") + "/password_change/"
        self.stdout.write(
            self.style.SUCCESS(f"Added the {role} “{added.user.username}” (shown only this once):\n")
            + f"  {admin_url}  user: {added.user.username}  password: {added.password}\n"
            f"Hand it over privately; they choose their own at {password_change}"
        )
