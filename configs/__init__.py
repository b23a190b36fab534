"""The default configs, shipped inside the wheel as package data (`relevance.configs`).

A campaigns repository's own `configs/` (made by `relevance init`) overrides them. This file
only makes the folder a package for the wheel.
"""
