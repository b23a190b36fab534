"""The steps in order: `analysis` (config to results) and `notebooks` (the one staging path)."""
