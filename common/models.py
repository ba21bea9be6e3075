"""The one abstract base every AdFlux table shares."""

from django.db import models


class TimeStampedModel(models.Model):
    """Adds created/updated timestamps; abstract, so no table joins for it."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
