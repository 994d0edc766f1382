#!/usr/bin/env bash
# Set up a machine for d2lcnn: the README's command 1 runs this before the build, and .ci/run
# runs it before the tests. It installs the system packages below that are missing (apt-get,
# with sudo when not root), then the Python packages of requirements.txt with pip.
#
#   bash tools/setup.sh            # install what is missing
#   bash tools/setup.sh --check    # only say what is missing and what would run; exit 1 if anything is
#
# Where there is no apt-get it lists what to install by other means and stops; once they are
# installed, running it again finds them and goes on to pip.
set -euo pipefail
# No `cd "$(dirname ...)"`: outside the checks, the script runs bash built-ins and only
# id, env, sudo, apt-get and python3, so tests/test_setup.py can run it with a PATH of stand-ins.
here="${BASH_SOURCE[0]}"
if [[ "$here" == */* ]]; then here="${here%/*}"; else here=.; fi
cd "$here/.."

# ==== System packages: one line each, "Debian package | how to tell it is there | what to install without apt".
# ==== Add the packages your work needs here (keep the check cheap; it runs on every set-up).
SYSTEM_PACKAGES=(
  # The browser tests drive this Chromium (Playwright is given its path and never downloads a browser).
  "chromium | test -x /usr/bin/chromium | Chromium, at /usr/bin/chromium (the tests start that path)"
  # Chinese figures (matplotlib) and pages (Chromium) draw their characters with it.
  "fonts-noto-cjk | fc-list :lang=zh family 2>/dev/null | grep -q 'Noto Sans CJK' | a Noto Sans CJK font (Noto Sans CJK SC), found by fontconfig"
  # The build renders the math with MathJax's Node renderer; the accessibility audit runs axe-core; both come from npm.
  "npm | command -v npm | Node.js 18 or later with npm"
  # The PDF of each edition (tools/build_editions.py) finds its chapters' pages, and its tests read it, with these.
  "poppler-utils | command -v pdftotext && command -v pdffonts && command -v pdfimages | poppler's pdftotext, pdffonts, pdfimages and pdfinfo"
)
# ==== End of the list.

check_only=0
case "${1:-}" in
  "") ;;
  --check) check_only=1 ;;
  *) echo "setup: unknown option '$1' (use no option to install, or --check to only report)" >&2; exit 2 ;;
esac

trim() { local s="$1"; s="${s#"${s%%[![:space:]]*}"}"; printf '%s' "${s%"${s##*[![:space:]]}"}"; }

missing=()   # Debian names
elsewhere=() # what to install without apt
for entry in "${SYSTEM_PACKAGES[@]}"; do
  IFS='|' read -r name rest <<<"$entry"
  name="$(trim "$name")"
  # The check is everything between the first and the last "|" (it may hold pipes of its own).
  check="$(trim "${rest%|*}")"
  other="$(trim "${rest##*|}")"
  # (pipefail off: `grep -q` may close a pipe early, and the writer's SIGPIPE is no failure)
  if ! (set +o pipefail; eval "$check") >/dev/null 2>&1; then
    missing+=("$name")
    elsewhere+=("$other")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: system packages present: $(for e in "${SYSTEM_PACKAGES[@]}"; do IFS='|' read -r n _ <<<"$e"; printf '%s ' "$(trim "$n")"; done)"
elif ! command -v apt-get >/dev/null 2>&1; then
  {
    echo "setup: this machine has no apt-get, so install these yourself, then run this script again:"
    for i in "${!missing[@]}"; do echo "  - ${elsewhere[$i]}   (Debian/Ubuntu: ${missing[$i]})"; done
  } >&2
  exit 1
else
  if [[ "$(id -u)" == 0 ]]; then
    as_root=(env DEBIAN_FRONTEND=noninteractive)
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo env DEBIAN_FRONTEND=noninteractive)
  else
    echo "setup: missing system packages and no sudo: as root, run  apt-get update && apt-get install -y ${missing[*]}  then run this script again" >&2
    exit 1
  fi
  echo "setup: installing system packages: ${missing[*]}"
  if ((check_only)); then
    echo "setup: would run: ${as_root[*]} apt-get update -qq && ${as_root[*]} apt-get install -y -qq ${missing[*]}"
  else
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" apt-get install -y -qq "${missing[@]}"
  fi
fi

# pip into a Python that the system manages (PEP 668, Debian 12's own python3) is refused;
# say what to do instead of pip's longer message.
if ! python3 -c 'import sys, sysconfig, pathlib
managed = pathlib.Path(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED").exists()
sys.exit(1 if managed and sys.prefix == sys.base_prefix else 0)'; then
  echo "setup: this python3 is managed by the system, which refuses pip installs: make a virtual environment" \
       "first (python3 -m venv .venv && . .venv/bin/activate; Debian: apt-get install python3-venv), then run this again" >&2
  exit 1
fi

if ((check_only)); then
  echo "setup: would run: python3 -m pip install -r requirements.txt"
  ((${#missing[@]} == 0)) || exit 1
else
  python3 -m pip install -r requirements.txt
fi
