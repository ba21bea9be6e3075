from django.apps import AppConfig


class SegmentationConfig(AppConfig):
    name = "segmentation"
    verbose_name = "Segmentation"

    def ready(self) -> None:
        from candidates.signals import candidates_written
        from segmentation.receivers import segments_for_written_candidates

        candidates_written.connect(segments_for_written_candidates, dispatch_uid="segments")
