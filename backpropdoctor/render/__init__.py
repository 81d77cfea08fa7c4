"""Renderers: each formats a Report and nothing else."""
