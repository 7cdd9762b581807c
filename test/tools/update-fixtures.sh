#!/usr/bin/env bash
# Re-renders the reference deployment of every fixture from the vendored
# cookiecutter template (test/reference-template, Dioptra 63a29ea9) with the
# fixture's variables (cookiecutter.json), and records the .cruft.json cruft
# would keep. Needs python3 with jinja2 (Debian: python3-jinja2).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/../.." && pwd)"
for dir in "${root}"/test/fixtures/*/; do
  name="$(basename "${dir}")"
  tmp="$(mktemp -d)"
  CRUFT_OUT="${dir}/cruft.json" python3 "${here}/render_reference.py" "${root}/test/reference-template" "${tmp}" "${dir}/cookiecutter.json" >/dev/null
  rm -rf "${dir}/reference"
  mv "${tmp}"/*/ "${dir}/reference"
  rm -rf "${tmp}"
  echo "rendered ${name}"
done
# The renders carry the template's .gitignore, which hides some of their own files (ssl/*/README.md):
# add them by force so a clone has every reference file.
git -C "${root}" add -f test/fixtures/*/reference
