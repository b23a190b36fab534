"""Across campaigns: a random-effects meta-analysis of every campaign's uplift."""
