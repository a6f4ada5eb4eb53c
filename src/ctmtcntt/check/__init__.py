"""Stage 3, checking: every unit's cells against the forms' rules, in one pandera pass.

``batch`` takes a folder in (each file read in an isolated worker); ``validation`` checks it;
``reporters`` knows who may report what.
"""
