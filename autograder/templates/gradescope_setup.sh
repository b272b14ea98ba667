#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu 22.04).
# It installs Python 3.11 and the kit's pinned packages in a virtual environment, creates
# the account that student code runs as, and makes what students must not read (the secret
# files of autograder/secrecy.py: hidden tests, hidden fixtures, the builders of hidden
# inputs; and the results folder) readable by root only.
# AUTOGRADER_ROOT, DQ_PYTHON, DQ_RUN_AS and TORCH_INDEX exist so that a test can run this
# in a temporary folder laid out like /autograder.
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
source_dir="$root/source"
python="${DQ_PYTHON:-python3.11}"
account="${DQ_RUN_AS:-dqstudent}"
# PyTorch's own index serves the CPU build (PyPI's default build bundles CUDA, several GB).
torch_index="${TORCH_INDEX-https://download.pytorch.org/whl/cpu}"

if ! "$python" -c "import ensurepip, venv" >/dev/null 2>&1; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y python3.11 python3.11-venv
fi
"$python" -m venv "$root/venv"
pip=("$root/venv/bin/python" -m pip install --quiet --disable-pip-version-check)
torch_pin="$(grep '^torch==' "$source_dir/requirements.txt")"
if [ -n "$torch_index" ]; then
  "${pip[@]}" --index-url "$torch_index" "$torch_pin"
else
  "${pip[@]}" "$torch_pin"
fi
"${pip[@]}" -r "$source_dir/requirements.txt"
"${pip[@]}" --no-deps -e "$source_dir"

if ! id "$account" >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin "$account"
fi
chmod 755 "$root" "$source_dir"
# What is secret is decided in one place, autograder/secrecy.py.
"$root/venv/bin/python" -m autograder.secrecy "$source_dir" | while IFS= read -r secret; do
  chmod -R go-rwx "$secret"
done
mkdir -p "$root/results"
chmod 700 "$root/results"
