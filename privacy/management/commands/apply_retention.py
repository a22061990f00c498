"""Remove recordings and transcripts older than their team's retention periods (what the
periodic task does), or with --dry-run list what would go."""

from django.core.management.base import BaseCommand

from privacy.retention import retention_apply


class Command(BaseCommand):
    help = "Apply every team's retention policy now (--dry-run: only report)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be removed; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        report = retention_apply(dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        self.stdout.write(
            f"{verb} {len(report.audio_removed)} recordings and {len(report.transcripts_removed)} "
            f"transcripts ({report.files_removed} files)"
        )
        for label, ids in (("recording", report.audio_removed), ("transcript", report.transcripts_removed)):
            for meeting_id in ids:
                self.stdout.write(f"  {label} of meeting {meeting_id}")
