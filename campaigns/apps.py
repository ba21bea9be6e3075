from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        from campaigns.retargeting import (
            campaign_audience_changes,
            campaign_targets_follow_twins,
            campaigns_targeting,
        )
        from segmentation.signals import run_activating, succession_planned, targets_asked

        succession_planned.connect(campaign_audience_changes, dispatch_uid="campaign-audiences")
        run_activating.connect(campaign_targets_follow_twins, dispatch_uid="campaign-twins")
        targets_asked.connect(campaigns_targeting, dispatch_uid="campaigns-targeting")
