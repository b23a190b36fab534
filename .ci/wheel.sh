#!/usr/bin/env bash
# The wheel is the product: build it, install it into a fresh virtual environment outside the
# checkout, and in an empty folder start a campaigns repository and run the demo to a report,
# as a team does after `pip install relevance`. No checkout is on sys.path.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout="$(pwd)"
uv="$checkout/.venv/bin/uv"

rm -rf dist
"$uv" build --wheel --out-dir dist . >/dev/null 2>&1
wheel="$(ls "$checkout"/dist/relevance-*.whl)"
echo "wheel: $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KB)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$uv" venv -q --python "$checkout/.venv/bin/python" "$work/venv"
"$uv" pip install -q --python "$work/venv/bin/python" -c requirements.lock "$wheel"

mkdir "$work/campaigns"
cd "$work/campaigns"
export PYTHONPATH=""
relevance="$work/venv/bin/relevance"
"$relevance" --version
"$relevance" init .
"$work/venv/bin/python" - <<'PY'
import pathlib, sys
import relevance
where = pathlib.Path(relevance.__file__).resolve()
assert "site-packages" in where.parts, f"relevance imported from {where}, not the wheel"
assert not any("ci-clone" in p or p.endswith("/src") for p in sys.path), sys.path
print(f"relevance {relevance.__version__} from {where.parent}")
PY
"$relevance" run experiments/demo.yaml --quick --quiet
test -s reports/demo/report.html
test -s reports/demo/results.json
grep -q "generator" reports/demo/report.html
echo "wheel check: relevance init + run from the installed wheel wrote reports/demo/report.html"
