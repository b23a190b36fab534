"""The report notebooks, shipped inside the wheel as package data (`relevance.notebooks`).

Run them with papermill or `relevance run`; they hold no statistics, only calls into the
package. This file only makes the folder a package for the wheel.
"""
