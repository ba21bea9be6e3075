from django.apps import AppConfig


class SegmentationConfig(AppConfig):
    name = "segmentation"
    verbose_name = "Segmentation"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from candidates.models import Candidate
        from candidates.signals import (
            candidate_data_requested,
            candidate_erasing,
            candidates_written,
        )
        from segmentation.receivers import (
            segment_history_erased,
            segment_history_for_subject_access,
            segment_sizes_before_candidate_delete,
            segments_for_written_candidates,
        )

        candidates_written.connect(segments_for_written_candidates, dispatch_uid="segments")
        candidate_data_requested.connect(
            segment_history_for_subject_access, dispatch_uid="segments"
        )
        candidate_erasing.connect(segment_history_erased, dispatch_uid="segments")
        pre_delete.connect(
            segment_sizes_before_candidate_delete, sender=Candidate, dispatch_uid="segment-sizes"
        )
