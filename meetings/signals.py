"""What meetings tells the rest of the product, without importing who listens (webhooks, CRM).

Both are sent once the transaction that changed the meeting has committed.
"""

from django.dispatch import Signal

# A meeting finished processing (recording or imported transcript): moments and KPIs are stored.
# Sent with meeting_id.
meeting_analysed = Signal()
# A meeting went from any state to failed. Sent with meeting_id, code and message.
meeting_failed = Signal()
