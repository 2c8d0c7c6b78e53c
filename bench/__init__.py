"""Benchmarks of wikisync (``make bench`` / ``python -m bench``): figures printed, nothing asserted.

Each benchmark is a module of this package with a ``main(argv) -> int`` function, registered in
:data:`bench.__main__.BENCHMARKS`.
"""
