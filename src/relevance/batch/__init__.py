"""Every experiment in a folder, for CI: schedule, run in parallel, index page."""
