"""`figures_changed` is sent inside the write's transaction after figures were written, so the
layer above (stored evaluations) brings itself up to date in the same transaction or schedules
it on commit — figures never import evaluations.

Arguments: `unit_ids` (list[int]), `years` (list[int]), `user` (or None for the system), `detail`
(bool): the caller shows the engine's answer for what it wrote (the entry form). A receiver that
evaluates the units anyway may then return {(unit id, year): criteria.batch.Outcome}, computed with
indicator detail from the figures as written and equal to what `figures.live.live_outcome` would
give now (pairs it cannot vouch for are left out); `write_figures` hands them to its caller as
`WriteResult.outcomes`, which saves reading and evaluating the unit a second time. `values`
({(unit id, year): {field: float or None}}): the raw figures of every written unit-year that has
any, as they now stand (read locked, then written, in this transaction) — what `values_for` would
read back, without derived values — so a receiver need not read them again."""

from django.dispatch import Signal

figures_changed = Signal()
