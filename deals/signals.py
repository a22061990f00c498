"""What deals tells other apps without importing them (webhooks listen)."""

from django.dispatch import Signal

# What the evidence page reads changed: a deal's outcome, or the meetings of a closed deal.
# Sent after commit with deal_id.
deal_evidence_changed = Signal()
