"""The built-in demo experiment, shipped inside the wheel as package data (`relevance.experiments`).

`relevance init` copies it into a new campaigns repository. This file only makes the folder a
package for the wheel; `relevance run-all` reads only the `*.yaml` files.
"""
