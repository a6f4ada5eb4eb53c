"""The forms as data: specs loaded from ``schemas/``, the roster, the Ministry's layout, templates.

Every other stage reads a form from here; nothing about a form's rows lives in Python.
"""
