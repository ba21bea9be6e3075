"""factory_boy factories for the models tests build by hand."""

from __future__ import annotations

import datetime

import factory

from campaigns.models import Campaign, JobOpening
from candidates.models import Candidate, Skill


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Skill {n}")


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate
        skip_postgeneration_save = True

    external_id = factory.Sequence(lambda n: f"ext-{n}")
    name = factory.Sequence(lambda n: f"Candidate {n}")
    email = factory.Sequence(lambda n: f"candidate{n}@example.org")
    location = "Berlin"
    education_level = "bachelor"
    years_experience = 5.0
    desired_salary = 60000
    primary_skill = "Developer, back-end"

    @factory.post_generation
    def skill_names(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set([SkillFactory(name=name) for name in extracted])

    @factory.post_generation
    def segment(self, create, extracted, **kwargs):
        """``segment=S``: a row in S's run; S's size stays as the test made it."""
        if create and extracted is not None:
            from tests.assignments import place

            place(self, extracted, count=False)


class JobOpeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobOpening

    title = factory.Sequence(lambda n: f"Engineer {n}")
    location = "Berlin"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    job_opening = factory.SubFactory(JobOpeningFactory)
    start_date = datetime.date(2026, 1, 1)
