"""What the candidates app tells the apps above it, which it never imports."""

from __future__ import annotations

from django.dispatch import Signal

# Candidates were created or changed in bulk (an import batch), after their rows and skills are
# written. Keyword argument ``candidate_ids``. Segmentation gives them their segment. A receiver
# returns None, or a sentence saying what it could not do (the rows stay stored either way).
candidates_written = Signal()

# A person is being erased at their request (or by retention), inside the erasure's transaction,
# before their candidate rows are deleted. Keyword arguments ``candidate_ids`` (possibly empty:
# the person may have applied without being a candidate) and ``email``. Each app deletes or
# anonymises the personal data it holds about them and returns {what: how many}.
candidate_erasing = Signal()

# Someone asked for everything held about a person (GDPR art. 15). Keyword arguments
# ``candidate_ids`` and ``email``. Each app returns {section: JSON-ready data}.
candidate_data_requested = Signal()
