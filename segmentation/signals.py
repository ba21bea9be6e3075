"""What segmentation tells the apps above it (campaigns), which it never imports.

Both are sent inside the transaction that does the work, so a receiver's writes commit or roll
back with it.
"""

from __future__ import annotations

from django.dispatch import Signal

# Training matched a new run to the active one. Keyword arguments: ``old_segment_ids`` (the
# active run's segment ids by number), ``old_of_new`` (for each new segment number, its twin's
# number in the active run, or -1), ``flows`` (a NumPy array: flows[i + 1, j] candidates would go
# from old segment i to new segment j; row 0 are those without a segment). Each receiver returns
# a list of JSON-ready dicts, kept on the run's migration summary under "campaigns".
succession_planned = Signal()

# A run is about to become the active one. Keyword arguments: ``run``, ``previous`` (the run
# active until now), ``twins`` ({previous run's segment id: the twin's id in ``run``}) and
# ``retarget`` ({campaign id: segment ids of ``run``}: what a person chose on the activation
# page for a campaign whose segment has no twin; empty from the other doors).
run_activating = Signal()

# Someone is about to activate a run and asks what aims at segments that would end without a
# twin. Keyword argument ``segment_ids``. Each receiver returns a list of JSON-ready dicts
# {"id", "name", "segment_ids"} (campaigns: those not ended that target any of them).
targets_asked = Signal()
