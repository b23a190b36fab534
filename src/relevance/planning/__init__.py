"""Before a campaign: how big a no-send holdout to keep (assurance and cost per share)."""
