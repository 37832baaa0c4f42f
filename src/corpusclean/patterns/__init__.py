"""How rule patterns are matched: Python regex syntax and meaning, run by RE2 in linear time
(translate.py, charsets.py, matcher.py), behind a keyword gate (gate.py)."""
