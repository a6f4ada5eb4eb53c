"""Shared tools of every stage: A1 cells, Vietnamese numbers and text, safe saving, workers.

Nothing here knows a form: these modules import only each other and ``errors``.
"""
