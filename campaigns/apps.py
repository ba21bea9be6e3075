from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        from campaigns.personal_data import campaign_data_erased, campaign_data_of
        from campaigns.retargeting import (
            campaign_audience_changes,
            campaign_targets_follow_twins,
            campaigns_targeting,
        )
        from candidates.signals import candidate_data_requested, candidate_erasing
        from segmentation.signals import run_activating, succession_planned, targets_asked

        succession_planned.connect(campaign_audience_changes, dispatch_uid="campaign-audiences")
        run_activating.connect(campaign_targets_follow_twins, dispatch_uid="campaign-twins")
        targets_asked.connect(campaigns_targeting, dispatch_uid="campaigns-targeting")
        candidate_erasing.connect(campaign_data_erased, dispatch_uid="campaigns")
        candidate_data_requested.connect(campaign_data_of, dispatch_uid="campaigns")
