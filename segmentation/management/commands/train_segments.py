"""Train a segmentation model on every candidate in the database."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from segmentation.engines import ENGINES, SPARK
from segmentation.jobs.start import segmentation_job_run_here
from segmentation.management.progress import StageProgress
from segmentation.ml.algorithms import ALGORITHM_DESCRIPTIONS
from segmentation.ml.bounds import AUTO_K_MIN, MIN_CLUSTERS
from segmentation.ml.choose_k import DEFAULT_K_MAX, DEFAULT_K_MIN
from segmentation.ml.errors import SegmentationError
from segmentation.ml.pipeline import (
    ALGORITHMS,
    DEFAULT_CLUSTERS,
    MAX_CLUSTERS,
    MAX_N_INIT,
    MAX_SVD_COMPONENTS,
    RECOMMENDED_SVD_COMPONENTS,
    ClusteringConfig,
)
from segmentation.ml.stages import job_stages
from segmentation.models import SegmentationJob
from segmentation.presenters.runs import run_summary_json, training_report_lines
from segmentation.services.training import segmentation_config_default

# The flags that change the configuration, as (option name, config field).
CONFIG_FLAGS = (
    ("algorithm", "algorithm"),
    ("n_init", "n_init"),
    ("sample_size", "fit_sample_size"),
    ("svd_components", "svd_components"),
)


def _n_init(value: str) -> int | str:
    if value.strip().lower() == "auto":
        return "auto"
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_N_INIT:
        raise argparse.ArgumentTypeError(
            f'expected "auto" or a whole number from 1 to {MAX_N_INIT}, got {value!r}'
        )
    return number


def _clusters(value: str) -> int | str:
    if value.strip().lower() == "auto":
        return "auto"
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'expected a whole number of segments or "auto", got {value!r}'
        ) from None


def _bounded(maximum: int | None, what: str):
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = -1
        if number < 0 or (maximum is not None and number > maximum):
            limit = f"from 0 to {maximum:,}" if maximum is not None else "0 or more"
            raise argparse.ArgumentTypeError(f"expected {what} {limit}, got {value!r}")
        return number

    return parse


class Command(BaseCommand):
    help = (
        "Train a segmentation model (K-means unless --algorithm says otherwise) on every "
        "candidate and record it as a new run. "
        "Candidates keep their segments until predict_segments activates it (or --activate). "
        "Without options the recommended configuration is used (docs/quality.md); --seed-exact "
        "gives the seed's, bit for bit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--clusters",
            type=_clusters,
            default=DEFAULT_CLUSTERS,
            help=f"Number of segments k ({MIN_CLUSTERS}-{MAX_CLUSTERS}; "
            f"default {DEFAULT_CLUSTERS}), or "
            f'"auto": try every k from --k-min to --k-max on a sample and keep the largest '
            "whose segments are all stable across resampled refits and none too small "
            "(docs/quality.md); with --seed-exact, the best silhouette.",
        )
        parser.add_argument(
            "--k-min",
            type=int,
            help=f"With --clusters auto: the smallest k to try (default {DEFAULT_K_MIN}).",
        )
        parser.add_argument(
            "--k-max",
            type=int,
            help=f"With --clusters auto: the largest k to try (default {DEFAULT_K_MAX}).",
        )
        parser.add_argument(
            "--algorithm",
            choices=ALGORITHMS,
            help=" ".join(f"{name}: {ALGORITHM_DESCRIPTIONS[name]}" for name in ALGORITHMS),
        )
        parser.add_argument(
            "--n-init",
            type=_n_init,
            help=f'K-means initialisations to keep the best of: 1-{MAX_N_INIT} or "auto".',
        )
        parser.add_argument(
            "--sample-size",
            type=_bounded(None, "a number of candidates,"),
            help="Fit on a reproducible random sample of this many candidates, then assign "
            "everyone; 0 fits on all of them.",
        )
        parser.add_argument(
            "--svd-components",
            type=_bounded(MAX_SVD_COMPONENTS, "a number of components"),
            help="Reduce the features to this many TruncatedSVD components before clustering "
            f"(default {RECOMMENDED_SVD_COMPONENTS}); 0 clusters the features as they are.",
        )
        parser.add_argument(
            "--seed-exact",
            action="store_true",
            help="The seed's exact configuration: its encoding (median for blanks, standard "
            "scaling), no SVD, K-means with n_init=10 fitted on every candidate.",
        )
        parser.add_argument(
            "--activate",
            action="store_true",
            help="Then give every candidate a segment from the new run and make it active, in "
            "the same job. Without it, read the migration summary first and activate with "
            "predict_segments --run N.",
        )
        parser.add_argument(
            "--engine",
            choices=ENGINES,
            help="Where to train and assign: local (this process) or spark (the cluster at "
            "ADFLUX_SPARK_MASTER; docs/spark.md). Default: ADFLUX_ENGINE (local).",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the run as one JSON object instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        k_range = self._k_range(options)
        try:
            config = self._config(options)
            engine = options["engine"] or settings.ADFLUX_ENGINE
            stages = job_stages(
                train=True,
                activate=options["activate"],
                choose_k=k_range is not None,
                spark=engine == SPARK,
            )
            with StageProgress(stages) as progress:
                # A job like any other: refused while another training or activation runs.
                job = segmentation_job_run_here(
                    kind=SegmentationJob.Kind.TRAIN,
                    config=config,
                    activate=options["activate"],
                    on_stage=progress,
                    k_range=k_range,
                    engine=engine,
                )
        except SegmentationError as exc:
            raise CommandError(str(exc)) from exc
        run = job.run
        if options["json"]:
            self.stdout.write(json.dumps(run_summary_json(run)))
            return
        for line in training_report_lines(run, config):
            self.stdout.write(line)
        if run.is_active:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Trained run {run.pk} and activated it: every candidate has a segment from it."
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Trained run {run.pk}. Activate it with: manage.py predict_segments --run {run.pk}"
            )
        )

    def _k_range(self, options: dict[str, Any]) -> tuple[int, int] | None:
        if options["clusters"] != "auto":
            if options["k_min"] is not None or options["k_max"] is not None:
                raise CommandError("--k-min and --k-max go with --clusters auto.")
            return None
        k_min = DEFAULT_K_MIN if options["k_min"] is None else options["k_min"]
        k_max = DEFAULT_K_MAX if options["k_max"] is None else options["k_max"]
        if not AUTO_K_MIN <= k_min <= k_max <= MAX_CLUSTERS:
            raise CommandError(
                f"--k-min and --k-max must satisfy {AUTO_K_MIN} <= k-min <= k-max "
                f"<= {MAX_CLUSTERS}; "
                f"got {k_min} and {k_max}."
            )
        return k_min, k_max

    def _config(self, options: dict[str, Any]) -> ClusteringConfig:
        given = [name for name, _ in CONFIG_FLAGS if options[name] is not None]
        # With "auto" the configuration's k is a placeholder: the job chooses k.
        clusters = DEFAULT_CLUSTERS if options["clusters"] == "auto" else options["clusters"]
        if options["seed_exact"]:
            if given:
                flags = ", ".join("--" + name.replace("_", "-") for name in given)
                raise CommandError(f"--seed-exact is the seed's configuration; drop {flags}.")
            return ClusteringConfig.seed(clusters)
        config = segmentation_config_default(n_clusters=clusters)
        if options["algorithm"] is not None:
            # The algorithm's own defaults first (agglomerative's sample), then explicit flags.
            config = config.with_algorithm(options["algorithm"])
        changes: dict[str, Any] = {}
        for name, field in CONFIG_FLAGS:
            if options[name] is not None:
                changes[field] = options[name]
        # 0 means "none" on the command line; the configuration says None.
        if changes.get("fit_sample_size") == 0:
            changes["fit_sample_size"] = None
        if changes.get("svd_components") == 0:
            changes["svd_components"] = None
        return replace(config, **changes)
