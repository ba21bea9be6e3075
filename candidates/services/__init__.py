"""Write paths for candidates: import, export, generation, suppression and erasure.

Import each from its own module. This package re-exports nothing: a re-export of the generator
would load NumPy and pandas wherever any candidates service is imported, Django's start-up
included (tests/test_architecture.py).
"""
