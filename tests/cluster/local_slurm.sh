#!/bin/sh
# A real single-node SLURM cluster on this machine, for the SLURM demo and its test.
# Debian's munge, slurmctld, slurmd, slurmdbd and MariaDB (for sacct), configured for this
# host (its name, CPUs and memory from `slurmd -C`), with every file, socket, pid and log in one
# state folder. One thing lives outside it: /etc/slurm/slurm.conf, a symbolic link to the state
# folder's slurm.conf while the cluster runs, because the executor's job step
# (snakemake-executor-plugin-slurm-jobstep) removes SLURM_CONF from the environment of the `srun`
# it starts inside each job, so srun only finds the default path. An existing slurm.conf there
# (a real installation) is never replaced: start refuses instead.
# There is no systemd: the daemons are started here directly and stopped by their pid files.
#
# Usage (as root; install the packages first with `sh workflow/setup_system.sh cluster`):
#   sh tests/cluster/local_slurm.sh start STATE_DIR   # configure, start, wait until a job runs
#   sh tests/cluster/local_slurm.sh stop STATE_DIR    # stop every daemon this state folder started
# Then point the SLURM commands at it: export SLURM_CONF=STATE_DIR/etc/slurm.conf
set -eu

action=${1:?usage: local_slurm.sh start|stop STATE_DIR}
state=${2:?usage: local_slurm.sh start|stop STATE_DIR}
mkdir -p "$state"
state=$(cd "$state" && pwd)
cluster=realist-demo
# fixed ports, away from SLURM's defaults (6817-6819) so a real installation keeps them
ctld_port=${LOCAL_SLURM_PORT:-16817}
slurmd_port=$((ctld_port + 1))
dbd_port=$((ctld_port + 2))
db_port=$((ctld_port + 3))
export SLURM_CONF="$state/etc/slurm.conf"

log() { echo "local_slurm: $*"; }
fail() {
  echo "local_slurm: ERROR: $*" >&2
  for file in "$state"/log/*.log; do
    [ -f "$file" ] && { echo "--- last lines of $file" >&2; tail -n 15 "$file" >&2; }
  done
  exit 1
}

# wait_for SECONDS DESCRIPTION COMMAND...: retry COMMAND once a second until it succeeds
wait_for() {
  seconds=$1 what=$2
  shift 2
  i=0
  until "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -ge "$seconds" ] && fail "$what did not come up within ${seconds} s"
    sleep 1
  done
}

stop_pidfile() {
  pidfile=$1
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 30 ]; do
      sleep 1
      i=$((i + 1))
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

system_conf=/etc/slurm/slurm.conf

link_system_conf() {
  if [ -e "$system_conf" ] || [ -L "$system_conf" ]; then
    [ "$(readlink "$system_conf")" = "$SLURM_CONF" ] ||
      fail "$system_conf exists (another SLURM set-up on this machine); not replacing it"
    return 0
  fi
  mkdir -p "$(dirname "$system_conf")"
  ln -s "$SLURM_CONF" "$system_conf"
}

stop() {
  # reverse start order; slurmd and slurmctld first, so no job is left running
  for daemon in slurmd slurmctld slurmdbd mariadb munged; do
    stop_pidfile "$state/run/$daemon.pid"
  done
  if [ -L "$system_conf" ] && [ "$(readlink "$system_conf")" = "$SLURM_CONF" ]; then
    rm -f "$system_conf"
  fi
  log "stopped (state kept in $state)"
}

write_configs() {
  mkdir -p "$state/etc" "$state/run" "$state/log" "$state/spool/ctld" "$state/spool/d" \
    "$state/munge" "$state/mysql"
  chmod 0700 "$state/munge"
  host=$(hostname -s)
  # NodeName=<host> CPUs=... Boards=... SocketsPerBoard=... RealMemory=... as slurmd sees it
  node=$(slurmd -C | head -n 1)
  case "$node" in NodeName=*) ;; *) fail "slurmd -C did not describe this node: $node" ;; esac
  cat >"$state/etc/slurm.conf" <<EOF
# Written by tests/cluster/local_slurm.sh: a single-node cluster on $host.
ClusterName=$cluster
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$state/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$state/spool/ctld
SlurmdSpoolDir=$state/spool/d
SlurmctldPidFile=$state/run/slurmctld.pid
SlurmdPidFile=$state/run/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
# no cgroups in a container: track job processes by process group
ProctrackType=proctrack/pgid
TaskPlugin=task/none
MpiDefault=none
# CPUs and memory are consumable, so mem_mb and cpus_per_task are honoured
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SchedulerType=sched/backfill
# sacct reads finished jobs from slurmdbd, as on a university cluster
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$dbd_port
# connections to slurmdbd take their munge socket from here, not from AuthInfo
AccountingStoragePass=$state/munge/munge.socket
# keep each job's comment (the executor writes the rule name there) for sacct
AccountingStoreFlags=job_comment
# memory is sampled every 2 s; a job above its --mem is killed, as on a cluster (no cgroups
# here, so its state is FAILED with signal 9 rather than OUT_OF_MEMORY)
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=2
JobAcctGatherParams=OverMemoryKill
# finished jobs stay visible to squeue for 5 minutes (the executor prefers sacct anyway)
MinJobAge=300
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=demo Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  cat >"$state/etc/slurmdbd.conf" <<EOF
# Written by tests/cluster/local_slurm.sh: accounting for the single-node cluster.
AuthType=auth/munge
AuthInfo=socket=$state/munge/munge.socket
DbdHost=localhost
DbdPort=$dbd_port
SlurmUser=root
PidFile=$state/run/slurmdbd.pid
LogFile=$state/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$db_port
StorageUser=slurm
StoragePass=slurm-demo
StorageLoc=slurm_acct_db
EOF
  # slurmdbd refuses a config file others can read (it holds the database password)
  chmod 0600 "$state/etc/slurmdbd.conf"
}

start_munge() {
  [ -f "$state/munge/munge.key" ] || {
    dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 2>/dev/null
    chmod 0400 "$state/munge/munge.key"
  }
  munged --force --key-file="$state/munge/munge.key" --socket="$state/munge/munge.socket" \
    --pid-file="$state/run/munged.pid" --log-file="$state/log/munged.log" \
    --seed-file="$state/munge/munged.seed" ||
    fail "munged did not start"
  wait_for 20 munged munge --socket="$state/munge/munge.socket" --string=ping
}

start_database() {
  if [ ! -d "$state/mysql/mysql" ]; then
    mysql_install_db --user=root --datadir="$state/mysql" --auth-root-authentication-method=socket \
      --skip-test-db >"$state/log/mysql_install_db.log" 2>&1 || fail "mysql_install_db failed"
  fi
  mariadbd --user=root --datadir="$state/mysql" --socket="$state/run/mysql.sock" \
    --pid-file="$state/run/mariadb.pid" --bind-address=127.0.0.1 --port="$db_port" \
    --log-error="$state/log/mariadb.log" --innodb-buffer-pool-size=256M --innodb-lock-wait-timeout=900 \
    --innodb-log-file-size=64M >/dev/null 2>&1 &
  wait_for 60 MariaDB mariadb --socket="$state/run/mysql.sock" -u root -e "SELECT 1"
  mariadb --socket="$state/run/mysql.sock" -u root <<EOF
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY 'slurm-demo';
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurm-demo';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';
EOF
}

start() {
  [ "$(id -u)" = 0 ] || fail "the local cluster needs root (slurmd starts jobs as their user)"
  for command in munged slurmctld slurmd slurmdbd sbatch sacct mariadbd mysql_install_db; do
    command -v "$command" >/dev/null 2>&1 ||
      fail "$command not found: run 'sh workflow/setup_system.sh cluster' as root"
  done
  if [ -f "$state/run/slurmctld.pid" ] && kill -0 "$(cat "$state/run/slurmctld.pid")" 2>/dev/null; then
    fail "a cluster from $state is already running; stop it first"
  fi
  write_configs
  link_system_conf
  start_munge
  start_database
  slurmdbd || fail "slurmdbd did not start"
  wait_for 60 slurmdbd sacctmgr -n list cluster
  sacctmgr -i add cluster "$cluster" >/dev/null 2>&1 || true
  slurmctld -i || fail "slurmctld did not start"
  wait_for 60 slurmctld scontrol ping
  slurmd || fail "slurmd did not start"
  wait_for 60 "node $host" sh -c "sinfo -h -N -o %T | grep -Eq '^(idle|mixed|allocated)'"
  # one job through sbatch and sacct before anyone relies on the cluster
  job=$(sbatch --parsable --job-name=local-slurm-check --output=/dev/null --wrap=true) ||
    fail "sbatch did not accept a test job"
  wait_for 60 "accounting of test job $job" \
    sh -c "sacct -n -X -j $job -o State | grep -q COMPLETED"
  log "cluster $cluster up on $host: SLURM_CONF=$SLURM_CONF"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) fail "unknown action '$action' (start or stop)" ;;
esac
