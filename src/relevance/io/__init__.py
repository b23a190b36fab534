"""Data in: files, databases and simulated campaigns aggregated into typed cells.

`cells` (the contract), `query` (the one aggregation SQL), `files` and `warehouse` (where rows
live; `targets` reads a database url), `sources` (which one an experiment uses), `simulate` (campaigns with a known truth),
`outputs` (safe writes).
"""
