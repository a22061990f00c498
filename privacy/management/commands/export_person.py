"""Write one person's data (meetings, transcripts, moments, comments, audio) to a zip file."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from privacy.export import person_export_write


class Command(BaseCommand):
    help = "Export a user's data as a zip of JSON and audio files: export_person USER --out file.zip"

    def add_arguments(self, parser) -> None:
        parser.add_argument("user", help="Username (or numeric id) of the person.")
        parser.add_argument("--out", required=True, help="Path of the zip file to write.")

    def handle(self, *args, user: str, out: str, **options) -> None:
        users = get_user_model().objects
        person = users.filter(username=user).first() or (
            users.filter(pk=int(user)).first() if user.isdigit() else None
        )
        if person is None:
            raise CommandError(f"No user {user!r}.")
        path = Path(out)
        partial = path.with_name(path.name + ".part")
        with partial.open("wb") as handle:
            summary = person_export_write(person=person, out=handle)
        partial.replace(path)
        self.stdout.write(
            f"wrote {path}: {summary.meetings} meetings, {summary.audio_files} audio files, "
            f"{path.stat().st_size} bytes"
        )
