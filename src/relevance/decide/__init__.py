"""From posterior draws to decisions: uplift, verdicts, net value, fatigue, model checks."""
