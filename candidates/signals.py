"""What the candidates app tells the apps above it, which it never imports."""

from __future__ import annotations

from django.dispatch import Signal

# Candidates were created or changed in bulk (an import batch), after their rows and skills are
# written. Keyword argument ``candidate_ids``. Segmentation gives them their segment. A receiver
# returns None, or a sentence saying what it could not do (the rows stay stored either way).
candidates_written = Signal()
