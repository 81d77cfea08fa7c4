"""The numerical core: finite differences, comparison, signatures, layer shapes.

Nothing in this package knows about files, processes or terminals.
"""
