"""Write paths for candidates: import, export and synthetic generation."""

from candidates.services.csv_export import candidates_export_csv, candidates_export_csv_chunks
from candidates.services.csv_import import ImportReport, candidates_import_csv
from candidates.services.generation import CandidateGenerationError, candidates_generate
from candidates.services.skills import skills_get_or_create

__all__ = [
    "CandidateGenerationError",
    "ImportReport",
    "candidates_export_csv",
    "candidates_export_csv_chunks",
    "candidates_generate",
    "candidates_import_csv",
    "skills_get_or_create",
]
