"""Data-quality checks before any model: one small module per check, each returning findings.

`suite` runs them in order; errors stop the run (exit code 2), warnings go on the report.
"""
