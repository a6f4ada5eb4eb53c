"""Stage 4, computing: the computed cells of a form (totals, ratios, assessments) from its inputs.

Python is the single source of truth for every number the tool writes.
"""
