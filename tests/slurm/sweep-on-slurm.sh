#!/usr/bin/env bash
# Runs a kraamsim sweep as a Slurm job array plus a merge job on a throw-away single-node
# Slurm cluster on loopback (recipe: shared/slurm-local.md), then stops the daemons it started.
#
# usage: sweep-on-slurm.sh KRAAMSIM_BINARY SCENARIO WORKDIR TASKS
# Leaves the merged output in WORKDIR/merged. Exits non-zero on any failure or after 180 s.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
bin=$1 scenario=$2 work=$3 tasks=$4
S=$work/cluster
mkdir -p "$S/munge" "$S/slurm/state" "$S/slurm/spool" "$S/slurm/log" "$work/shards"
chmod 700 "$S/munge"

stop() {
  for pid in "$S/slurm/slurmd.pid" "$S/slurm/slurmctld.pid" "$S/munge/munged.pid"; do
    if [ -f "$pid" ]; then kill "$(cat "$pid")" 2>/dev/null || true; fi
  done
}
trap stop EXIT

mungekey -c -k "$S/munge/munge.key" -b 1024
munged --force --key-file="$S/munge/munge.key" --socket="$S/munge/munge.sock" \
  --pid-file="$S/munge/munged.pid" --seed-file="$S/munge/munged.seed" \
  --log-file="$S/munge/munged.log"
cat > "$S/slurm/slurm.conf" <<CONF
ClusterName=kraamsimtest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge/munge.sock
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$S/slurm/state
SlurmdSpoolDir=$S/slurm/spool
SlurmctldPidFile=$S/slurm/slurmctld.pid
SlurmdPidFile=$S/slurm/slurmd.pid
SlurmctldLogFile=$S/slurm/log/slurmctld.log
SlurmdLogFile=$S/slurm/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
PlugStackConfig=$S/slurm/plugstack.conf
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
: > "$S/slurm/plugstack.conf"
export SLURM_CONF=$S/slurm/slurm.conf
slurmctld -c
slurmd -N localhost

deadline=$((SECONDS + 180))
until sinfo -h -o %t 2>/dev/null | grep -q idle; do
  [ $SECONDS -lt $deadline ] || { echo "slurm did not come up"; cat "$S/slurm/log/"*.log; exit 1; }
  sleep 0.5
done

array=$(sbatch --parsable --array=0-$((tasks - 1)) --cpus-per-task=1 -o "$work/task-%a.log" \
  --wrap "'$bin' sweep '$scenario' --shard auto --threads 1 -q --out '$work/shards/'\$SLURM_ARRAY_TASK_ID")
merge=$(sbatch --parsable --dependency=afterok:"$array" -o "$work/merge.log" \
  --wrap "'$bin' merge '$work'/shards/* --out '$work/merged'")

until [ -f "$work/merged/run.json" ]; do
  if [ $SECONDS -ge $deadline ]; then
    echo "timed out; queue:"; squeue || true
    tail -n 20 "$work"/*.log "$S/slurm/log/"*.log || true
    exit 1
  fi
  if ! squeue -h -j "$merge" 2>/dev/null | grep -q .; then
    sleep 1  # the merge job left the queue: give its files a moment
    [ -f "$work/merged/run.json" ] && break
    echo "merge job $merge ended without output"; tail -n 20 "$work"/*.log || true
    exit 1
  fi
  sleep 0.5
done
echo "array $array and merge $merge done"
