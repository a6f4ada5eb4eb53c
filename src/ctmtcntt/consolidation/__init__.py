"""Stage 5, consolidating: many units' reports into the province's, every unit accounted for.

``combine`` adds the units up; ``projects`` finds one project listed by two units.
"""
