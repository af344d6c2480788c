#!/bin/sh
# Retake the README's picture, docs/screenshot.png: the demo feed for 12 s through the
# layout docs/screenshot.toml (eight cards; CPU and memory per host on two axes; events per
# second by type), in a virtual 1366x768 X display (Debian: apt-get install xvfb).
#   packaging/screenshot.sh [dark|light] [WIDTHxHEIGHT] [OUTPUT.png]
# Run from the repository with the package installed (pip install -e .). The user's own
# settings and last layout are left alone: the run has a configuration folder of its own.
set -eu
theme=${1:-dark}
size=${2:-1366x768}
output=${3:-docs/screenshot.png}
config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT
XDG_CONFIG_HOME=$config XDG_DATA_HOME=$config \
    xvfb-run -a -s "-screen 0 ${size}x24" \
    dashboard --demo --layout docs/screenshot.toml --theme "$theme" \
    --exit-after 12 --screenshot "$output"
echo "wrote $output"
