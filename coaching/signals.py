"""What coaching tells other apps without importing them (webhooks listen)."""

from django.dispatch import Signal

# A rule version was published and is now active; sent after commit with ruleset_id.
rules_published = Signal()
