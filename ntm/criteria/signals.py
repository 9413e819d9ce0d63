"""`set_published` is sent when a new version of a criteria set is stored (inside the load's
transaction), so the layers above can recompute what it affects.

Arguments: `code` (str), `version` (int), `years` (list[int]), `province` (str, "" = national)."""

from django.dispatch import Signal

set_published = Signal()
