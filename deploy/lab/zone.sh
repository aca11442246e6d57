#!/usr/bin/env bash
# make run: a small zone in network namespaces, with nothing but root:
#   grandmaster (meridiand, virtual clock 0.5 s / 50 ppm off) — boundary clock (meridiand, two ports)
#   — host (linuxptp ptp4l, free_running 1)
# It prints a live table of port states, offsets and path delays per tier until Ctrl-C (or ZONE_SECONDS),
# then tears the namespaces down. Never touches the system clock.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${MERIDIAND:-$ROOT/.build/release/meridiand}
[ -x "$BIN" ] || { echo "zone: $BIN not built (make build)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "zone: needs root for network namespaces" >&2; exit 1; }
command -v ptp4l >/dev/null || { echo "zone: ptp4l missing (make deps)" >&2; exit 1; }
ID=$$
GM=mz$ID-gm; BC=mz$ID-bc; HOST=mz$ID-host
DIR=$(mktemp -d /tmp/meridian-zone.XXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  for ns in $GM $BC $HOST; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$DIR"
  echo; echo "zone: torn down"
}
trap cleanup EXIT
trap 'exit 0' INT TERM
for ns in $GM $BC $HOST; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add zg$ID netns $GM type veth peer name zbu$ID netns $BC
ip link add zbd$ID netns $BC type veth peer name zh$ID netns $HOST
ip -n $GM addr add 10.88.1.1/24 dev zg$ID;  ip -n $BC addr add 10.88.1.2/24 dev zbu$ID
ip -n $BC addr add 10.88.2.1/24 dev zbd$ID; ip -n $HOST addr add 10.88.2.2/24 dev zh$ID
for pair in "$GM zg$ID" "$BC zbu$ID" "$BC zbd$ID" "$HOST zh$ID"; do set -- $pair; ip -n "$1" link set "$2" up; done
sed -e "s|@DIR@|$DIR|g" -e "s|@IFACE@|zg$ID|" "$ROOT/etc/lab/gm.conf" > "$DIR/gm.conf"
sed -e "s|@DIR@|$DIR|g" -e "s|@UP@|zbu$ID|" -e "s|@DOWN@|zbd$ID|" "$ROOT/etc/lab/bc.conf" > "$DIR/bc.conf"
sed -e "s|@DIR@|$DIR|g" "$ROOT/etc/lab/host.cfg" > "$DIR/host.cfg"
ip netns exec $GM "$BIN" -f "$DIR/gm.conf" > "$DIR/gm.log" 2>&1 & PIDS+=($!)
ip netns exec $BC "$BIN" -f "$DIR/bc.conf" > "$DIR/bc.log" 2>&1 & PIDS+=($!)
ip netns exec $HOST ptp4l -S -i zh$ID -f "$DIR/host.cfg" -m > "$DIR/host.log" 2>&1 & PIDS+=($!)
state() { grep -E "port $2: .* to " "$1" 2>/dev/null | tail -1 | sed -E 's/.* to ([A-Z_]+) on .*/\1/'; }
field() { grep 'master offset' "$1" 2>/dev/null | tail -1 | awk -v k="$2" '{for(i=1;i<=NF;i++) if ($i==k) {print $(i+1); exit}}'; }
truerr() { grep 'true error' "$1" 2>/dev/null | tail -1 | sed -E 's/.*true error (-?[0-9]+).*/\1/'; }
refoff() { grep 'reference offset' "$1" 2>/dev/null | tail -1 | awk '{for(i=1;i<=NF;i++) if ($i=="offset") {print $(i+1); exit}}'; }
gmclass() { grep 'announcing clockClass' "$1" 2>/dev/null | tail -1 | sed -E 's/.*clockClass ([0-9]+).*/\1/'; }
refstate() { grep 'reference state' "$1" 2>/dev/null | tail -1 | sed -E 's/.*-> ([a-z-]+).*/\1/'; }
start=$(date +%s)
while :; do
  now=$(date +%s); elapsed=$((now - start))
  host=$(ip netns exec $HOST timeout 2 pmc -u -b 0 -s "$DIR/host.sock" 'GET CURRENT_DATA_SET' 'GET PORT_DATA_SET' 2>/dev/null)
  hoff=$(echo "$host" | awk '/offsetFromMaster/ {print $2}'); hpd=$(echo "$host" | awk '/meanPathDelay/ {print $2}')
  hstate=$(echo "$host" | awk '/portState/ {print $2}')
  printf '\033[2J\033[H'
  echo "Meridian zone (${elapsed}s) - namespaces $GM, $BC, $HOST - logs in $DIR - Ctrl-C to stop"
  echo
  printf '%-6s %-10s %-6s %-14s %-16s %-16s %-16s\n' tier daemon port state "offset ns" "path delay ns" "true error ns"
  printf '%-6s %-10s %-6s %-14s %-16s %-16s %-16s\n' GM meridiand 1 "$(state "$DIR/gm.log" 1)" "$(refoff "$DIR/gm.log") (ref)" - "$(truerr "$DIR/gm.log")"
  printf '%-6s %-10s %-6s %-14s %-16s %-16s %-16s\n' BC meridiand 1 "$(state "$DIR/bc.log" 1)" "$(field "$DIR/bc.log" offset)" "$(field "$DIR/bc.log" delay)" "$(truerr "$DIR/bc.log")"
  printf '%-6s %-10s %-6s %-14s %-16s %-16s %-16s\n' BC meridiand 2 "$(state "$DIR/bc.log" 2)" - - -
  printf '%-6s %-10s %-6s %-14s %-16s %-16s %-16s\n' host ptp4l 1 "${hstate:--}" "${hoff:--}" "${hpd:--}" "(system clock)"
  echo
  echo "grandmaster: reference $(refstate "$DIR/gm.log"), announcing clockClass $(gmclass "$DIR/gm.log") (simulated GNSS; silent from 120 s to 180 s)"
  echo "true error = the clock's time minus CLOCK_REALTIME (the lab's ground truth). The GM's clock started"
  echo "0.5 s and 50 ppm off and locks to its simulated receiver; the BC follows the GM; the host is ptp4l."
  [ -n "${ZONE_SECONDS:-}" ] && [ "$elapsed" -ge "$ZONE_SECONDS" ] && exit 0
  sleep 1
done
