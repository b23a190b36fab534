"""The Bayesian model on cells: layout, design matrices, PyMC graph, compile, fit, diagnostics.

Shared by campaign reports and the portfolio meta-analysis.
"""
