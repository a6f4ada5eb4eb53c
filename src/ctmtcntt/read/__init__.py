"""Stage 2, reading: a workbook file into values keyed by form, row and column, with their cells.

Opens the package (``workbook``), finds each form's table by its texts (``locate``), keeps what a
fast reader cannot tell (``marks``, ``repair``), and says what each typed cell means (``values``).
"""
