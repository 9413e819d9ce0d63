"""`classification_changed` is sent (inside the change's transaction) when a unit's commune group,
region override or flags change, so stored evaluations can follow.

Arguments: `unit_ids` (list[int]), `years` (list[int])."""

from django.dispatch import Signal

classification_changed = Signal()
