#!/usr/bin/env bash
# Print the path of a working Python 3.12 or 3.13 (uv must not download one: downloads fail here).
# pyenv's shims exist for every installed version but fail unless that version is selected, so each
# candidate is actually run before it is chosen.
for candidate in \
  "${LLRC_PYTHON:-}" \
  "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12 \
  /usr/bin/python3.12 /usr/local/bin/python3.12 \
  "$(command -v python3.12 2>/dev/null)" \
  "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13 \
  /usr/bin/python3.13 "$(command -v python3.13 2>/dev/null)"; do
  if [[ -n "$candidate" && -x "$candidate" ]] && "$candidate" -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then
    echo "$candidate"
    exit 0
  fi
done
echo "no Python 3.12 found: install one (pyenv install 3.12, or apt install python3.12) or set LLRC_PYTHON" >&2
exit 1
