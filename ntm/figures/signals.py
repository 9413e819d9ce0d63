"""`figures_changed` is sent inside the write's transaction after figures were written, so the
layer above (stored evaluations) brings itself up to date in the same transaction or schedules
it on commit — figures never import evaluations.

Arguments: `unit_ids` (list[int]), `years` (list[int]), `user` (or None for the system)."""

from django.dispatch import Signal

figures_changed = Signal()
