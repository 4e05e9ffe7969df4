#!/usr/bin/env bash
# A real, one-node SLURM on this machine, for trying jobs/ and for the
# `slurm` tests (tests/slurm). Debian 12, run as root.
#
#   tools/local-slurm.sh start    install (if missing) and start munged, slurmctld, slurmd;
#                                 waits until the node is idle
#   tools/local-slurm.sh stop     stop the three daemons (the state folder is kept)
#   tools/local-slurm.sh status   say what runs and show sinfo
#   tools/local-slurm.sh env      print the line that points SLURM's commands at it:
#                                   eval "$(tools/local-slurm.sh env)"
#
# Everything lives under $LIFNET_SLURM_DIR (default /tmp/lifnet-slurm):
# slurm.conf, a munge key made for it, the munge socket, the daemons' state,
# pid files and logs (log/*.log). Nothing is written to /etc: the SLURM
# commands find the configuration through SLURM_CONF (see `env`); jobs
# inherit it from the shell that submits them.
#
# The node is this host, declared with LIFNET_SLURM_CPUS CPUs (default 4)
# whatever the hardware has (SlurmdParameters=config_overrides), so that
# 4-task jobs run on a 2-core machine, oversubscribed. MPI programs are
# launched with `srun --mpi=pmix` (Debian's slurm-wlm-basic-plugins ships
# mpi_pmix built against the same libpmix2 as Open MPI 4.1); that is also the
# default (MpiDefault=pmix), so a bare `srun` works too.
#
# Ports: 6817 (slurmctld) and 6818 (slurmd), or LIFNET_SLURM_CTLD_PORT and
# LIFNET_SLURM_SLURMD_PORT where a system SLURM already uses them. Debian may
# also start its packaged services when it installs the packages; they use
# /etc and the default munge socket, not this folder, and do not interfere
# unless they hold the ports.
#
# No cgroups (proctrack/pgid, task/none): this works in containers and
# sandboxes where cgroups cannot be used, but a job is not confined to its
# CPUs or memory. Both start and stop are idempotent.
set -euo pipefail

dir=${LIFNET_SLURM_DIR:-/tmp/lifnet-slurm}
cpus=${LIFNET_SLURM_CPUS:-4}
ctld_port=${LIFNET_SLURM_CTLD_PORT:-6817}
slurmd_port=${LIFNET_SLURM_SLURMD_PORT:-6818}
node=$(hostname -s)
conf=$dir/slurm.conf
export SLURM_CONF=$conf

die() { echo "local-slurm: $*" >&2; exit 1; }

install_packages() {
  local missing=() p
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "needs root to install ${missing[*]}"
  echo "local-slurm: installing ${missing[*]}" >&2
  apt-get update -qq
  # Debian's policy-rc.d may refuse to start the packaged services; that is fine,
  # this script starts its own daemons.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# pid of a daemon from its pid file, if it is alive
alive() {
  local pidfile=$1 pid
  [ -s "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

write_config() {
  mkdir -p "$dir"/{munge,ctld,log,run} "$dir/slurmd/$node"
  chmod 755 "$dir" "$dir/munge"   # munged wants its socket folder reachable by all
  if [ ! -s "$dir/munge/munge.key" ]; then
    # 1024 random bytes; mungekey(8) does the same, this works with any munge version.
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  fi
  chown root:root "$dir/munge/munge.key"
  chmod 400 "$dir/munge/munge.key"
  # The configuration is rewritten at every start (so a change here takes effect);
  # the job state in ctld/ is kept.
  cat >"$conf.new" <<EOF
# Written by tools/local-slurm.sh; rewritten at every start.
ClusterName=lifnet-local
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/slurmd/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: works in containers; processes are tracked by process group.
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=pmix
LaunchParameters=use_interactive_step
# Schedule promptly (tests wait on it): re-run the scheduler every 2 s.
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=600
KillWait=10
InactiveLimit=0
MaxArraySize=1001
# The node declares $cpus CPUs whatever the hardware has (config_overrides),
# so that jobs of up to $cpus tasks run on this machine, oversubscribed.
SlurmdParameters=config_overrides
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1 State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  mv "$conf.new" "$conf"
}

start_munge() {
  if alive "$dir/run/munged.pid" >/dev/null; then return 0; fi
  rm -f "$dir/munge/munge.socket" "$dir/munge/munge.socket.lock"
  # --force: munged otherwise refuses some folder permissions (e.g. a group-writable /tmp).
  /usr/sbin/munged --force \
    --key-file="$dir/munge/munge.key" \
    --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/run/munged.pid" \
    --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munged.seed" \
    2>>"$dir/log/munged.log" || die "munged did not start; see $dir/log/munged.log"
  local _
  for _ in $(seq 50); do
    munge -n -S "$dir/munge/munge.socket" 2>/dev/null | unmunge -S "$dir/munge/munge.socket" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "munged does not answer; see $dir/log/munged.log"
}

node_state() { sinfo -h -N -n "$node" -o '%T' 2>/dev/null | head -1; }

do_start() {
  [ "$(id -u)" -eq 0 ] || die "run as root (the daemons run as root here)"
  install_packages
  write_config
  start_munge
  if ! alive "$dir/run/slurmctld.pid" >/dev/null; then
    /usr/sbin/slurmctld -f "$conf" || die "slurmctld did not start; see $dir/log/slurmctld.log"
  fi
  # slurmctld restores the node's last state from ctld/, so "idle" alone does not
  # prove that this slurmd has registered: wait for its SlurmdStartTime too.
  local since=0
  if ! alive "$dir/run/slurmd.pid" >/dev/null; then
    since=$(date +%s)
    /usr/sbin/slurmd -f "$conf" -N "$node" || die "slurmd did not start; see $dir/log/slurmd.log"
  fi
  local _ state="" started
  for _ in $(seq 120); do
    state=$(node_state)
    started=$(scontrol show node "$node" -o 2>/dev/null | grep -o 'SlurmdStartTime=[^ ]*' | cut -d= -f2 || true)
    started=$(date -d "$started" +%s 2>/dev/null || echo 0)
    case "$state" in
      idle*|mixed*|allocated*) [ "$started" -ge $((since - 1)) ] && break ;;
      down*|drain*)
        # A node left down by an earlier run (e.g. "Not responding"): bring it back.
        scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
  done
  case "$state" in
    idle*|mixed*|allocated*) ;;
    *) sinfo -N -l >&2 || true; die "node $node not idle after 60 s (state '$state'); logs in $dir/log" ;;
  esac
  echo "local-slurm: up: node $node, $cpus CPUs, partition debug; state in $dir"
  echo "local-slurm: use it with:  export SLURM_CONF=$conf"
}

stop_one() {
  local name=$1 pidfile=$2 pid _
  pid=$(alive "$pidfile") || { rm -f "$pidfile"; return 0; }
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
    sleep 0.1
  done
  echo "local-slurm: $name ($pid) did not stop on SIGTERM; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

do_stop() {
  # Cancel what is still queued or running, so that no job step outlives slurmd.
  if alive "$dir/run/slurmctld.pid" >/dev/null; then
    scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
  fi
  stop_one slurmd "$dir/run/slurmd.pid"
  stop_one slurmctld "$dir/run/slurmctld.pid"
  stop_one munged "$dir/run/munged.pid"
  echo "local-slurm: stopped (state kept in $dir)"
}

do_status() {
  local name pid rc=0
  for name in munged slurmctld slurmd; do
    if pid=$(alive "$dir/run/$name.pid"); then echo "$name: running ($pid)"; else echo "$name: not running"; rc=3; fi
  done
  [ $rc -eq 0 ] && sinfo -N -l
  return $rc
}

case "${1:-}" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
