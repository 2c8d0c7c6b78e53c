"""Stand-alone scripts the benchmark runs in subprocesses (one tool run each).

They are run by path (``python bench/tools/X.py``), some with Pywikibot's own interpreter, so
they import nothing from ``bench`` or ``wikisync`` except where noted.
"""
