"""Errors the ML core raises, each with a message a user can act on."""


class SegmentationError(Exception):
    """Base class: anything that stops a segmentation from being trained or applied."""


class SegmentationInputError(SegmentationError):
    """The candidate data cannot support the requested model (empty, too few for k, ...)."""


class ArtifactError(SegmentationError):
    """A saved model cannot be trusted or read: missing, altered, or from another version."""
