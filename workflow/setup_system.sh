#!/bin/sh
# Check (and, as root, install) the Debian packages the pipeline needs outside Python.
#   report: everything a `make report` build loads or calls: Pango and fonts for WeasyPrint,
#           and the package of every external program in REPORT_PROGRAMS
#   test:   also the programs only the tests call (TEST_PROGRAMS)
#   cluster: a single-node SLURM cluster for make slurm-demo and its test (tests/cluster/)
# Usage: sh workflow/setup_system.sh report|test|cluster check, install as root, or print the command
#        sh workflow/setup_system.sh report|test --list print the package list and change nothing
#        sh workflow/setup_system.sh programs           print "program package" lines
set -u
purpose=${1:-report}

# The one place that maps external programs to Debian packages. tests/unit/test_system_packages.py
# finds every program the workflow's code calls (subprocess, shutil.which) and checks it is here.
REPORT_PROGRAMS="pdftotext:poppler-utils dot:graphviz git:git rsvg-convert:librsvg2-bin"
TEST_PROGRAMS="pdftoppm:poppler-utils chromium:chromium"
LIBRARIES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra"

if [ "$purpose" = programs ]; then
  for pair in $REPORT_PROGRAMS $TEST_PROGRAMS; do echo "${pair%%:*} ${pair#*:}"; done
  exit 0
fi

programs=$REPORT_PROGRAMS
[ "$purpose" = test ] && programs="$programs $TEST_PROGRAMS"
packages=$LIBRARIES
for pair in $programs; do
  case " $packages " in *" ${pair#*:} "*) ;; *) packages="$packages ${pair#*:}" ;; esac
done

[ "$purpose" = cluster ] && packages="munge slurmctld slurmd slurm-client slurmdbd mariadb-server"

if [ "${2:-}" = --list ]; then
  echo "$packages"
  exit 0
fi

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
