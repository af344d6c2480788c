#!/bin/sh
# Install an unpacked Linux bundle for the current user (or system-wide with --system):
# the program folder, a `dashboard` command, the menu entry and the icon.
#
#   tar xzf dashboard-<version>-linux-x86_64.tar.gz
#   dashboard-<version>-linux-x86_64/install.sh            # ~/.local
#   sudo dashboard-<version>-linux-x86_64/install.sh --system   # /opt and /usr/local
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" = "--system" ]; then
  prefix=/usr/local; opt=/opt/live-dashboard
else
  prefix="$HOME/.local"; opt="$prefix/opt/live-dashboard"
fi
mkdir -p "$opt" "$prefix/bin" "$prefix/share/applications" \
  "$prefix/share/icons/hicolor/scalable/apps" "$prefix/share/icons/hicolor/256x256/apps"
rm -rf "$opt"
cp -R "$here" "$opt"
ln -sf "$opt/dashboard" "$prefix/bin/dashboard"
cp "$here/_internal/resources/icons/dashboard.svg" \
  "$prefix/share/icons/hicolor/scalable/apps/live-dashboard.svg"
cp "$here/_internal/resources/icons/dashboard.png" \
  "$prefix/share/icons/hicolor/256x256/apps/live-dashboard.png"
sed "s|^Exec=dashboard|Exec=$opt/dashboard|" "$here/live-dashboard.desktop" \
  > "$prefix/share/applications/live-dashboard.desktop"
command -v update-desktop-database >/dev/null && \
  update-desktop-database "$prefix/share/applications" 2>/dev/null || true
echo "Installed in $opt; run 'dashboard' or pick Live Dashboard from the menu."
