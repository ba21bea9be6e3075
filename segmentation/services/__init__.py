"""Every write to runs, segments and assignments; import from the module that holds it.

- training.py      train a model and record it as a run (inactive)
- activation.py    activate a run: every candidate gets its segment, the run becomes active
- assignment.py    assign one or a few new or edited candidates under the active run
- succession.py    a new run among the others: twins, where candidates would move
- runs.py          delete an inactive run, rename a segment
- model_cache.py   the active run's model, loaded once per process
- assignment_writes.py, unusual.py  the bulk writes the above share
"""
