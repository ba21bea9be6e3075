"""Synthetic candidate profiles with a hidden structure, for demos, benchmarks and tests.

Pure numpy: no Django, no database, so a notebook or a test can draw a million profiles and know
the truth behind them. Each candidate belongs to a hidden archetype (back-end, data, mobile...)
that drives their skills, primary skill, education and experience; salary follows location (a
cost-of-living factor) and experience. Archetypes draw most skills from a pool of their own, so
clustering should find them again: that is what the segmentation tests hold it to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# The codes of candidates.models.EducationLevel, in order of attainment (a test keeps them equal).
EDUCATION_LEVELS: tuple[str, ...] = (
    "primary",
    "secondary",
    "some_college",
    "associate",
    "bachelor",
    "master",
    "doctorate",
    "other",
)


@dataclass(frozen=True)
class Archetype:
    """A hidden kind of candidate and the distributions it draws from."""

    name: str
    weight: float
    skills: tuple[str, ...]  # its own pool, 20 names no other archetype has
    primary_skills: tuple[str, ...]  # most likely first
    education: tuple[float, ...]  # relative weights over EDUCATION_LEVELS
    years_mean: float
    salary_base: int  # USD a year at a cost-of-living factor of 1 and ~8 years' experience


# fmt: off
ARCHETYPES: tuple[Archetype, ...] = (
    Archetype(
        "back-end", 0.16,
        ("Java", "Spring Boot", "C#", "ASP.NET Core", ".NET", "Go", "Ruby", "Ruby on Rails",
         "PHP", "Laravel", "Symfony", "Django", "Flask", "FastAPI", "NestJS", "Express", "gRPC",
         "RabbitMQ", "Microsoft SQL Server", "Elixir"),
        ("Developer, back-end", "Developer, full-stack", "Developer, QA or test"),
        (1, 8, 10, 5, 50, 22, 1, 3), 8.0, 95_000,
    ),
    Archetype(
        "front-end", 0.14,
        ("JavaScript", "TypeScript", "HTML/CSS", "React", "Angular", "Vue.js", "Svelte",
         "Next.js", "Nuxt.js", "jQuery", "Sass", "Tailwind CSS", "Webpack", "Vite", "Redux",
         "Storybook", "Jest", "Cypress", "Figma", "WordPress"),
        ("Developer, front-end", "Designer", "Developer, web"),
        (2, 14, 18, 8, 42, 10, 0.5, 5), 5.0, 82_000,
    ),
    Archetype(
        "data science", 0.12,
        ("R", "pandas", "NumPy", "scikit-learn", "TensorFlow", "PyTorch", "Keras", "Jupyter",
         "Matplotlib", "SciPy", "Statsmodels", "XGBoost", "Hugging Face Transformers", "MATLAB",
         "Julia", "SAS", "Stata", "Tableau", "OpenCV", "LangChain"),
        ("Data scientist", "Machine learning engineer", "Research scientist",
         "Academic researcher"),
        (0.2, 1, 3, 1, 25, 45, 24, 1), 6.0, 112_000,
    ),
    Archetype(
        "data engineering", 0.11,
        ("Apache Spark", "Apache Kafka", "Apache Airflow", "Hadoop", "Hive", "Snowflake",
         "BigQuery", "Databricks", "dbt", "Redshift", "Cassandra", "Elasticsearch", "ClickHouse",
         "Apache Flink", "Presto", "Scala", "Delta Lake", "Apache Beam", "Power BI", "Looker"),
        ("Data engineer", "Data or business analyst", "Database administrator"),
        (0.5, 4, 8, 4, 50, 30, 2, 2), 7.0, 104_000,
    ),
    Archetype(
        "devops", 0.13,
        ("Bash/Shell (all shells)", "Docker", "Kubernetes", "Terraform", "Ansible", "AWS",
         "Microsoft Azure", "Google Cloud", "Jenkins", "GitLab CI", "GitHub Actions",
         "Prometheus", "Grafana", "Helm", "Nginx", "Linux", "PowerShell", "Puppet", "Chef",
         "Vagrant"),
        ("DevOps specialist", "Cloud infrastructure engineer", "System administrator",
         "Site reliability engineer", "Security professional"),
        (1, 14, 16, 12, 40, 14, 1, 4), 10.0, 100_000,
    ),
    Archetype(
        "mobile", 0.11,
        ("Kotlin", "Swift", "Objective-C", "Dart", "Flutter", "React Native", "Xamarin", "Ionic",
         "Android SDK", "SwiftUI", "Jetpack Compose", "Xcode", "Android Studio", "Firebase",
         "Realm", "Cordova", "Unity", "Core Data", "RxJava", "Fastlane"),
        ("Developer, mobile", "Developer, iOS", "Developer, Android"),
        (1, 9, 14, 6, 48, 18, 0.5, 4), 6.0, 88_000,
    ),
    Archetype(
        "embedded", 0.10,
        ("C", "C++", "Rust", "Assembly", "VHDL", "Verilog", "Embedded C", "FreeRTOS", "Zephyr",
         "Arduino", "Raspberry Pi", "Qt", "CMake", "Yocto", "LabVIEW", "Ada", "Fortran", "CUDA",
         "OpenGL", "Zig"),
        ("Developer, embedded applications or devices", "Hardware engineer",
         "Developer, game or graphics", "Developer, desktop or enterprise applications"),
        (0.5, 5, 6, 5, 44, 32, 6, 2), 11.0, 96_000,
    ),
    Archetype(
        "management", 0.13,
        ("Jira", "Confluence", "Scrum", "Kanban", "Agile coaching", "Stakeholder management",
         "Roadmapping", "OKRs", "Budgeting", "Hiring", "Mentoring", "Product discovery",
         "Microsoft Project", "Asana", "Trello", "Notion", "Miro", "Excel", "PowerPoint",
         "Risk management"),
        ("Engineering manager", "Project manager", "Product manager",
         "Senior Executive (C-Suite, VP, etc.)", "Developer Experience"),
        (0.3, 4, 6, 3, 44, 38, 3, 2), 15.0, 125_000,
    ),
)
ARCHETYPE_NAMES: tuple[str, ...] = tuple(archetype.name for archetype in ARCHETYPES)

# Skills anyone may list, whatever their archetype.
SHARED_SKILLS: tuple[str, ...] = (
    "Python", "SQL", "PostgreSQL", "MySQL", "SQLite", "MongoDB", "Redis", "Git", "GitHub",
    "Node.js", "GraphQL", "REST APIs", "JSON", "YAML", "Visual Studio Code", "IntelliJ IDEA",
    "Vim", "Slack", "Markdown", "Unit testing", "Lua", "Perl", "Groovy", "Haskell", "Clojure",
    "F#", "OCaml", "Erlang", "Solidity", "WebAssembly", "Deno", "Bun", "DynamoDB", "Supabase",
    "Oracle", "MariaDB", "Neo4j", "Postman", "Selenium", "Regex",
)
SKILLS: tuple[str, ...] = (
    *(skill for archetype in ARCHETYPES for skill in archetype.skills),
    *SHARED_SKILLS,
)
PRIMARY_SKILLS: tuple[str, ...] = tuple(
    primary for archetype in ARCHETYPES for primary in archetype.primary_skills
)

# (country, cost-of-living factor against the USA, relative number of candidates)
LOCATIONS: tuple[tuple[str, float, float], ...] = (
    ("United States of America", 1.00, 180), ("Germany", 0.78, 80), ("India", 0.22, 75),
    ("United Kingdom of Great Britain and Northern Ireland", 0.82, 60), ("Canada", 0.80, 40),
    ("France", 0.72, 38), ("Poland", 0.45, 30), ("Netherlands", 0.80, 25), ("Brazil", 0.30, 28),
    ("Australia", 0.85, 22), ("Spain", 0.58, 22), ("Italy", 0.60, 20), ("Sweden", 0.75, 15),
    ("Switzerland", 1.25, 12), ("Ukraine", 0.30, 14), ("Russian Federation", 0.35, 12),
    ("Austria", 0.75, 10), ("Belgium", 0.75, 9), ("Czech Republic", 0.48, 9),
    ("Denmark", 0.90, 8), ("Norway", 0.95, 7), ("Finland", 0.78, 7), ("Israel", 0.85, 8),
    ("Portugal", 0.50, 9), ("Romania", 0.40, 8), ("Turkey", 0.30, 9), ("Mexico", 0.35, 9),
    ("Argentina", 0.30, 8), ("Pakistan", 0.18, 9), ("Bangladesh", 0.16, 6),
    ("Indonesia", 0.22, 6), ("Philippines", 0.22, 5), ("Viet Nam", 0.22, 5), ("China", 0.40, 8),
    ("Japan", 0.70, 6), ("South Korea", 0.65, 4), ("Singapore", 0.95, 4),
    ("New Zealand", 0.78, 5), ("Ireland", 0.88, 6), ("Greece", 0.45, 5), ("Hungary", 0.42, 5),
    ("Nigeria", 0.20, 6), ("South Africa", 0.40, 6), ("Egypt", 0.18, 5), ("Kenya", 0.22, 3),
    ("Colombia", 0.30, 5), ("Chile", 0.42, 4), ("Iran, Islamic Republic of...", 0.20, 5),
    ("Lithuania", 0.50, 3), ("Estonia", 0.55, 3),
)

FIRST_NAMES: tuple[str, ...] = (
    "Ada", "Alan", "Amara", "Ana", "Arjun", "Aylin", "Bruno", "Chen", "Chiara", "Daniel",
    "Dmitri", "Elena", "Emeka", "Emma", "Fatima", "Felix", "Grace", "Hana", "Hugo", "Ines",
    "Ivan", "Jamal", "Jana", "João", "Julia", "Kai", "Kenji", "Lara", "Leila", "Liam", "Lucía",
    "Marek", "Maria", "Mateo", "Mei", "Mohammed", "Nadia", "Noah", "Olga", "Omar", "Priya",
    "Rafael", "Rosa", "Sami", "Sofia", "Søren", "Tariq", "Tomás", "Yuki", "Zanele",
)
LAST_NAMES: tuple[str, ...] = (
    "Abebe", "Adeyemi", "Andersen", "Bauer", "Bianchi", "Chen", "Costa", "Dubois", "Eriksson",
    "Fernández", "García", "Gupta", "Haddad", "Hoffmann", "Ivanova", "Jansen", "Kim",
    "Kowalski", "Kumar", "Larsen", "Lee", "López", "Martin", "Müller", "Nakamura", "Nguyen",
    "Novak", "O'Brien", "Okafor", "Olsen", "Patel", "Petrov", "Popescu", "Rossi", "Santos",
    "Schmidt", "Silva", "Singh", "Smith", "Suzuki", "Tanaka", "Têtu", "Wang", "Weber",
    "Williams", "Wójcik", "Yamamoto", "Yılmaz", "Zhang", "Zimmermann",
)
# fmt: on

# How separable the archetypes are. Measured (k-means, k=8, n_init=10, on the segmentation
# features, 800 to 100,000 profiles): adjusted Rand index 0.976-0.988 against the archetypes.
# Wider numbers (years shape 2.2, salary noise 0.2) or rarer core skills (0.8) drop it to 0.87:
# k-means then merges the two smallest archetypes and splits off the high earners instead.
#
# Skills: each archetype's pool starts with CORE_SKILLS most of its members list (front-end:
# JavaScript, TypeScript, HTML/CSS, React); then a few more, mostly from the rest of the own pool
# (a few of those dominate, weight 1 / (j + 1) ** POOL_SKEW), else from the shared pool. About
# 90 % of a candidate's ~4.75 skills come from their own pool.
CORE_SKILLS = 4
CORE_SKILL_SHARE = 0.9
MEAN_EXTRA_SKILLS = 1.2
MAX_EXTRA_SKILLS = 10
OWN_EXTRA_SHARE = 0.6
POOL_SKEW = 0.7
# The share of primary skills from the archetype's own list; the rest is any of them.
PRIMARY_FROM_ARCHETYPE = 0.9
MAX_YEARS = 50.0
YEARS_SHAPE = 5.0  # gamma shape: years spread around the archetype's mean, few outliers
SALARY_NOISE = 0.12  # log-normal sigma on top of archetype, location and experience
BLANK_YEARS_SHARE = 0.03
BLANK_SALARY_SHARE = 0.20


@dataclass(frozen=True, eq=False)
class SyntheticProfiles:
    """``count`` candidate profiles as columns, with the archetype each was drawn from.

    Blank numbers are NaN and salaries are whole numbers held as floats (so NaN fits). Skills are
    (row, code) pairs into ``skill_names``, each pair once, rows ascending.
    """

    seed: int
    archetype: np.ndarray
    name: np.ndarray
    location: np.ndarray
    education_level: np.ndarray
    years_experience: np.ndarray
    desired_salary: np.ndarray
    primary_skill: np.ndarray
    skill_rows: np.ndarray
    skill_codes: np.ndarray
    skill_names: tuple[str, ...] = SKILLS
    archetype_names: tuple[str, ...] = ARCHETYPE_NAMES

    def __len__(self) -> int:
        return len(self.archetype)

    def external_ids(self) -> list[str]:
        """``gen-{seed}-{i}``: unique across seeds, so two generated sets never collide."""
        return [f"gen-{self.seed}-{i}" for i in range(len(self))]

    def emails(self) -> list[str]:
        return [f"cand{self.seed}-{i}@example.org" for i in range(len(self))]

    def skill_lists(self) -> list[list[str]]:
        lists: list[list[str]] = [[] for _ in range(len(self))]
        for row, code in zip(self.skill_rows.tolist(), self.skill_codes.tolist(), strict=True):
            lists[row].append(self.skill_names[code])
        return lists

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate, skills as lists, hidden archetype included (slow at 1M)."""
        return pd.DataFrame(
            {
                "external_id": self.external_ids(),
                "name": self.name,
                "email": self.emails(),
                "location": self.location,
                "education_level": self.education_level,
                "years_experience": self.years_experience,
                "desired_salary": self.desired_salary,
                "primary_skill": self.primary_skill,
                "skills": self.skill_lists(),
                "archetype": np.asarray(self.archetype_names, dtype=object)[self.archetype],
            }
        )


def synthetic_profiles(count: int, seed: int) -> SyntheticProfiles:
    """Draw ``count`` profiles; the same seed always gives the same profiles."""
    if count < 0:
        raise ValueError("count must not be negative")
    rng = np.random.default_rng(seed)
    archetype = _draw(rng, _normalised([a.weight for a in ARCHETYPES]), count)
    location = _draw(rng, _normalised([weight for _, _, weight in LOCATIONS]), count)

    education = _draw_by_group(rng, archetype, _EDUCATION_P)
    primary = _draw_by_group(rng, archetype, _PRIMARY_P)

    years_mean = np.array([a.years_mean for a in ARCHETYPES])[archetype]
    shape = YEARS_SHAPE
    years = np.clip(rng.gamma(shape, years_mean / shape), 0.0, MAX_YEARS)
    # Surveys ask for whole years, with "less than a year" as 0.5.
    years = np.where(years < 1.0, 0.5, np.round(years))

    cost = np.array([factor for _, factor, _ in LOCATIONS])[location]
    base = np.array([a.salary_base for a in ARCHETYPES], dtype=np.float64)[archetype]
    seniority = 0.7 + 0.04 * np.minimum(years, 25.0)
    salary = np.round(base * cost * seniority * rng.lognormal(0.0, SALARY_NOISE, count), -3)
    salary = np.maximum(salary, 1_000.0)

    years[rng.random(count) < BLANK_YEARS_SHARE] = np.nan
    salary[rng.random(count) < BLANK_SALARY_SHARE] = np.nan

    skill_rows, skill_codes = _draw_skills(rng, archetype)
    first = rng.integers(0, len(FIRST_NAMES), count)
    last = rng.integers(0, len(LAST_NAMES), count)
    return SyntheticProfiles(
        seed=seed,
        archetype=archetype.astype(np.int8),
        name=_FULL_NAMES[first * len(LAST_NAMES) + last],
        location=_LOCATION_NAMES[location],
        education_level=_EDUCATION_NAMES[education],
        years_experience=years,
        desired_salary=salary,
        primary_skill=_PRIMARY_NAMES[primary],
        skill_rows=skill_rows,
        skill_codes=skill_codes,
    )


def _normalised(weights: list[float] | tuple[float, ...] | np.ndarray) -> np.ndarray:
    array = np.asarray(weights, dtype=np.float64)
    return array / array.sum()


def _draw(rng: np.random.Generator, p: np.ndarray, count: int) -> np.ndarray:
    # Inverse CDF rather than rng.choice: the same draws in the same order, vectorised.
    codes = np.searchsorted(np.cumsum(p), rng.random(count), side="right")
    return np.minimum(codes, len(p) - 1)


def _draw_by_group(rng: np.random.Generator, group: np.ndarray, p: np.ndarray) -> np.ndarray:
    """One draw per row from the distribution ``p[group[row]]``."""
    cdf = np.cumsum(p, axis=1)
    u = rng.random(len(group))
    codes = np.empty(len(group), dtype=np.int64)
    for g in range(p.shape[0]):
        rows = group == g
        codes[rows] = np.searchsorted(cdf[g], u[rows], side="right")
    return np.minimum(codes, p.shape[1] - 1)


def _draw_skills(rng: np.random.Generator, archetype: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    count = len(archetype)
    pool_size = len(ARCHETYPES[0].skills)
    # The archetype's core skills, each listed by most of its members.
    core_rows, core_columns = np.nonzero(rng.random((count, CORE_SKILLS)) < CORE_SKILL_SHARE)
    core_codes = archetype[core_rows].astype(np.int64) * pool_size + core_columns
    # Then a few more: the rest of the own pool (a few dominate), or the shared pool.
    drawn = np.minimum(rng.poisson(MEAN_EXTRA_SKILLS, count), MAX_EXTRA_SKILLS)
    extra_rows = np.repeat(np.arange(count, dtype=np.int64), drawn)
    own = rng.random(len(extra_rows)) < OWN_EXTRA_SHARE
    tail = pool_size - CORE_SKILLS
    in_pool = CORE_SKILLS + _draw(
        rng, _normalised(1.0 / np.arange(1, tail + 1) ** POOL_SKEW), len(extra_rows)
    )
    shared = _draw(rng, _normalised(np.ones(len(SHARED_SKILLS))), len(extra_rows))
    extra_codes = np.where(
        own,
        archetype[extra_rows].astype(np.int64) * pool_size + in_pool,
        len(ARCHETYPES) * pool_size + shared,
    )
    rows = np.concatenate((core_rows.astype(np.int64), extra_rows))
    codes = np.concatenate((core_codes, extra_codes))
    # A skill drawn twice is listed once (sort + neighbour test: np.unique is 8x slower here).
    pairs = np.sort(rows * len(SKILLS) + codes)
    pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
    rows, codes = np.divmod(pairs, len(SKILLS))
    return rows, codes.astype(np.int32)


def _primary_p() -> np.ndarray:
    anyone = (1 - PRIMARY_FROM_ARCHETYPE) / len(PRIMARY_SKILLS)
    p = np.full((len(ARCHETYPES), len(PRIMARY_SKILLS)), anyone)
    index = {name: code for code, name in enumerate(PRIMARY_SKILLS)}
    for a, archetype in enumerate(ARCHETYPES):
        favoured = _normalised(1.0 / np.arange(1, len(archetype.primary_skills) + 1))
        for name, share in zip(archetype.primary_skills, favoured, strict=True):
            p[a, index[name]] += PRIMARY_FROM_ARCHETYPE * share
    return p


_EDUCATION_P = np.array([_normalised(a.education) for a in ARCHETYPES])
_PRIMARY_P = _primary_p()
_LOCATION_NAMES = np.array([name for name, _, _ in LOCATIONS], dtype=object)
_EDUCATION_NAMES = np.array(EDUCATION_LEVELS, dtype=object)
_PRIMARY_NAMES = np.array(PRIMARY_SKILLS, dtype=object)
_FULL_NAMES = np.array(
    [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES], dtype=object
)
