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

# `figures_changing` is sent by a large write (`write_figures`, from BEHIND_FROM cells) before its
# cells are checked, with the `unit_ids` and `years` its cells cover (those written are among them),
# `user` and `detail`, in the write's transaction. A receiver reads now what it will need, and may
# return a step, called once the write's rows are sent — after the cross-field rules and the caller's
# check passed, while the rows are still being written — as step(unit_ids=…, years=…, values=…) with
# `figures_changed`'s arguments. The step must not use the connection (the write's background thread
# holds it): it computes, and hands what it writes to `core.bulk.alongside`, which runs it there after
# the write's rows. `figures_changed` then follows as usual with `prepared` = {that receiver: the
# step's answer}, so the receiver that has done its work there only returns the answer. (Reading on
# the background thread instead was slower: its small reads waited for the GIL behind the cell checks.)
figures_changing = Signal()
