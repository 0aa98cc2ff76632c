#!/bin/sh
# Check (and, as root, install) the Debian packages the pipeline needs outside Python.
#   report: Pango and fonts for WeasyPrint
#   test:   also poppler-utils (pdftotext, pdftoppm) and Graphviz (dot)
#   cluster: a single-node SLURM cluster for make slurm-demo and its test (tests/cluster/)
# Usage: sh workflow/setup_system.sh report|test|cluster
set -u
purpose=${1:-report}
packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra graphviz"
[ "$purpose" = test ] && packages="$packages poppler-utils"
[ "$purpose" = cluster ] && packages="munge slurmctld slurmd slurm-client slurmdbd mariadb-server"

missing=""
for package in $packages; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages:$missing"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null || {
    echo "ERROR: could not install:$missing" >&2; exit 1; }
  exit 0
fi
echo "ERROR: missing system packages:$missing" >&2
echo "Install them with:  sudo apt-get install -y$missing" >&2
exit 1
