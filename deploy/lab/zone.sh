#!/usr/bin/env bash
# make run: the zone of Meridian's design in network namespaces, with nothing but root, and a scripted sequence
# of faults a newcomer can watch:
#
#   gm-a (active, Meridian, simulated GNSS)  gm-b (standby, Meridian, its own simulated GNSS)
#                 \                               /
#                  ------- top segment (bridge) ---
#                 /                               \
#        bc1 (Meridian BC)                     bc2 (Meridian BC)
#         /            \                        /            \
#   h1 (ptp4l)     h2 (Meridian)         h3 (Meridian)    h4 (ptp4l)
#
# The sequence (seconds after start; ZONE_T_* move them):
#   ZONE_T_GNSS (70):  gm-a's receiver goes silent for ZONE_GNSS_OUTAGE (40) s: holdover, class 7; gm-b takes over
#   ZONE_T_KILL (140): gm-a killed; gm-b takes over when gm-a's Announces stop
#   ZONE_T_RESTART (160): gm-a restarted; it locks to its receiver again (class 6), and is the active one again once
#                         the accuracy it announces is as good as gm-b's (clockAccuracy comes before priority2)
#   ZONE_T_LINK (220): bc1's upstream link down for ZONE_LINK_DOWN (15) s: bc1 and its hosts in holdover
# A live table per tier says what each clock does and why, and the hosts' time error; ZONE_SECONDS ends the run
# (a summary is printed: every host's worst |time error| since it locked, its steps since, and how long each
# takeover took); Ctrl-C ends it too. Everything is torn down on exit. Never touches the system clock: every
# Meridian runs on a virtual clock, every ptp4l with free_running 1; CLOCK_REALTIME is the lab's truth.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${MERIDIAND:-$ROOT/.build/release/meridiand}
[ -x "$BIN" ] || { echo "zone: $BIN not built (make build)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "zone: needs root for network namespaces" >&2; exit 1; }
command -v ptp4l >/dev/null && command -v pmc >/dev/null || { echo "zone: ptp4l/pmc missing (make deps)" >&2; exit 1; }
T_GNSS=${ZONE_T_GNSS:-70}; GNSS_OUTAGE=${ZONE_GNSS_OUTAGE:-40}
T_KILL=${ZONE_T_KILL:-140}; T_RESTART=${ZONE_T_RESTART:-160}
T_LINK=${ZONE_T_LINK:-220}; LINK_DOWN=${ZONE_LINK_DOWN:-15}
# A host's |time error| must stay within this (ns) from its lock on, through every fault: fixed before the run.
# Two software-stamped hops over bridges, and a boundary clock that holds over through the few seconds a killed
# grandmaster takes to be noticed (announceReceiptTimeout) and through its own link's outage: one run here saw
# hosts at 2-11 us in steady state and 24 us through the kill.
BOUND=${ZONE_BOUND_NS:-50000}
# Each takeover must complete (both boundary clocks follow the grandmaster expected) within this many seconds: a
# class-7 Announce and the qualification of the standby's (two Announces, 9.3.2.5) at 1 s, or announceReceiptTimeout
# (3 s) and that qualification for a killed one; the runs here took 2.5-4.5 s, and 7.8 s for the return.
TAKEOVER_LIMIT=${ZONE_TAKEOVER_LIMIT_S:-12}
ID=$$
P=mz$ID
DIR=$(mktemp -d /tmp/meridian-zone.XXXX)
SWITCHES="$P-top $P-s1 $P-s2"
CLOCKS="gm-a gm-b bc1 bc2 h1 h2 h3 h4"
declare -A PID NS IFACE
for c in $CLOCKS; do NS[$c]=$P-$c; done

cleanup() {
  for c in "${!PID[@]}"; do kill "${PID[$c]}" 2>/dev/null; done
  sleep 1
  # Whatever is still running in the lab's namespaces (a daemon started with SIGTERM blocked, as a child of a
  # process whose threads block it inherits) is killed outright, so that the wait below ends.
  for ns in $SWITCHES "${NS[@]}"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  done
  wait 2>/dev/null
  for ns in $SWITCHES; do ip netns del "$ns" 2>/dev/null; done
  for c in $CLOCKS; do ip netns del "${NS[$c]}" 2>/dev/null; done
  [ -n "${ZONE_KEEP:-}" ] && echo "zone: logs kept in $DIR" || rm -rf "$DIR"
  echo "zone: torn down"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# The network: three bridges (the top segment and one per boundary clock), a veth from each clock to its bridge.
for ns in $SWITCHES; do
  ip netns add "$ns"
  ip -n "$ns" link add br0 type bridge
  ip -n "$ns" link set br0 type bridge forward_delay 0 mcast_snooping 0
  ip -n "$ns" link set br0 up
done
for c in $CLOCKS; do ip netns add "${NS[$c]}"; ip -n "${NS[$c]}" link set lo up; done
n=0
link() {  # link CLOCK SWITCH SUBNET HOST: a veth from CLOCK (its interface returned in LINKED) to SWITCH's bridge
  n=$((n + 1))
  local end=z$ID$n port=y$ID$n
  ip link add "$end" netns "${NS[$1]}" type veth peer name "$port" netns "$2"
  ip -n "$2" link set "$port" master br0
  ip -n "$2" link set "$port" up
  ip -n "${NS[$1]}" addr add "10.77.$3.$4/24" dev "$end"
  ip -n "${NS[$1]}" link set "$end" up
  LINKED=$end
}
link gm-a $P-top 0 1; IFACE[gm-a]=$LINKED
link gm-b $P-top 0 2; IFACE[gm-b]=$LINKED
link bc1 $P-top 0 11; BC1_UP=$LINKED
link bc2 $P-top 0 12; BC2_UP=$LINKED
link bc1 $P-s1 1 1; BC1_DOWN=$LINKED
link bc2 $P-s2 2 1; BC2_DOWN=$LINKED
link h1 $P-s1 1 11; IFACE[h1]=$LINKED
link h2 $P-s1 1 12; IFACE[h2]=$LINKED
link h3 $P-s2 2 11; IFACE[h3]=$LINKED
link h4 $P-s2 2 12; IFACE[h4]=$LINKED

# Configurations from etc/lab.
conf() {  # conf NAME TEMPLATE [sed expressions...] > file
  local name=$1 template=$2
  shift 2
  sed -e "s|@DIR@|$DIR|g" -e "s|@NAME@|$name|g" "$@" "$ROOT/etc/lab/$template"
}
{ conf gm-a gm-active.conf; printf 'sim_gnss_outage_after %s\nsim_gnss_outage_duration %s\n[%s]\n' "$T_GNSS" "$GNSS_OUTAGE" "${IFACE[gm-a]}"; } > "$DIR/gm-a.conf"
# The restarted active grandmaster: the same, without the outage.
{ conf gm-a gm-active.conf; printf '[%s]\n' "${IFACE[gm-a]}"; } > "$DIR/gm-a-restart.conf"
{ conf gm-b gm-standby.conf; printf '[%s]\n' "${IFACE[gm-b]}"; } > "$DIR/gm-b.conf"
conf bc1 bc.conf -e "s|@UP@|$BC1_UP|" -e "s|@DOWN@|$BC1_DOWN|" -e "s|@OFFSET@|0.05|" -e "s|@PPM@|20|" > "$DIR/bc1.conf"
conf bc2 bc.conf -e "s|@UP@|$BC2_UP|" -e "s|@DOWN@|$BC2_DOWN|" -e "s|@OFFSET@|-0.08|" -e "s|@PPM@|-35|" > "$DIR/bc2.conf"
{ conf h2 host.conf -e "s|@OFFSET@|0.12|" -e "s|@PPM@|50|"; printf '[%s]\n' "${IFACE[h2]}"; } > "$DIR/h2.conf"
{ conf h3 host.conf -e "s|@OFFSET@|-0.2|" -e "s|@PPM@|-15|"; printf '[%s]\n' "${IFACE[h3]}"; } > "$DIR/h3.conf"
conf h1 host.cfg > "$DIR/h1.cfg"
conf h4 host.cfg > "$DIR/h4.cfg"

start() {  # start CLOCK LOG ARGS...: in CLOCK's namespace, appending to its log
  local c=$1 log=$2
  shift 2
  ip netns exec "${NS[$c]}" "$@" >> "$DIR/$log" 2>&1 &
  PID[$c]=$!
}
begin=$(date +%s.%N)
since() { awk -v now="$(date +%s.%N)" -v begin="$begin" 'BEGIN { printf "%.1f", now - begin }'; }
for c in gm-a gm-b bc1 bc2 h2 h3; do start "$c" "$c.log" "$BIN" -f "$DIR/$c.conf"; done
for c in h1 h4; do start "$c" "$c.log" ptp4l -S -i "${IFACE[$c]}" -f "$DIR/$c.cfg" -m; done

# What the logs say.
identity() { grep -m1 -oE 'clock identity [0-9a-f.]+' "$DIR/$1.log" 2>/dev/null | awk '{print $3}'; }
name_of() { local id=$1 c; for c in gm-a gm-b bc1 bc2; do [ "$(identity "$c")" = "$id" ] && { echo "$c"; return; }; done; echo "${id:-none}"; }
followed() {  # the grandmaster a Meridian clock follows (or "itself")
  local line
  line=$(grep -E 'selected best master clock|assuming the grand master role' "$DIR/$1.log" 2>/dev/null | tail -1)
  case "$line" in
    *"grand master role"*) echo itself ;;
    *"best master clock"*) name_of "$(echo "$line" | sed -E 's/.*best master clock ([0-9a-f.]+).*/\1/')" ;;
    *) echo "-" ;;
  esac
}
host_gm() {  # the grandmaster a Meridian host follows: through its one boundary clock, a new grandmaster shows in
  # its sync-state line, not in a new selection of the best master
  local id
  id=$(grep -E 'selected best master clock|sync-state [A-Z]+ \((servo not )?locked to grandmaster' "$DIR/$1.log" 2>/dev/null \
    | tail -1 | grep -oE '(clock|grandmaster) [0-9a-f]{6}\.[0-9a-f]{4}\.[0-9a-f]{6}' | tail -1 | awk '{print $2}')
  [ -n "$id" ] && name_of "$id" || echo "-"
}
states() { grep -oE 'port [0-9]+: [A-Z_]+ to [A-Z_]+' "$DIR/$1.log" 2>/dev/null | awk '{s[$2]=$5} END {for (p in s) printf "%s%s ", p, s[p]}'; }
class_of() { grep 'announcing clockClass' "$DIR/$1.log" 2>/dev/null | tail -1 | sed -E 's/.*clockClass ([0-9]+).*/\1/'; }
true_error() { grep 'true error' "$DIR/$1.log" 2>/dev/null | tail -1 | sed -E 's/.*true error (-?[0-9]+).*/\1/'; }
steps() { grep -c 'clock stepped' "$DIR/$1.log" 2>/dev/null; }
traceable() {  # 1 when a Meridian host's TIME_PROPERTIES_DATA_SET says the time it follows is traceable (its pmc)
  ip netns exec "${NS[$1]}" timeout 2 pmc -u -b 0 -s "$DIR/$1.sock" 'GET TIME_PROPERTIES_DATA_SET' 2>/dev/null \
    | awk '/timeTraceable/ {t=$2} END {print (t == "" ? "-" : t)}'
}
ptp4l_view() {  # offsetFromMaster, the grandmaster and timeTraceable of a ptp4l host, through one pmc
  ip netns exec "${NS[$1]}" timeout 2 pmc -u -b 0 -s "$DIR/$1.sock" 'GET CURRENT_DATA_SET' 'GET PARENT_DATA_SET' \
    'GET TIME_PROPERTIES_DATA_SET' 2>/dev/null \
    | awk '/offsetFromMaster/ {o=sprintf("%d", $2)} /grandmasterIdentity/ {g=$2} /timeTraceable/ {t=$2}
           END {print (o == "" ? "-" : o), (g == "" ? "-" : g), (t == "" ? "-" : t)}'
}

# The sequence, and what it expects.
STORY=()
say() { STORY+=("$(printf '%5.0f s  %s' "$(since)" "$*")"); }
done_gnss=0; done_kill=0; done_restart=0; done_link=0; done_link_up=0; done_gnss_back=0
expect_gm=gm-a; expect_since=0; takeover_pending=""
declare -A LOCKED WORST WORST_AT STEPS0 GOOD ERR GMOF RECENT TRACE
for c in h1 h2 h3 h4; do LOCKED[$c]=0; WORST[$c]=0; GOOD[$c]=0; done
TAKEOVERS=(); SLOW=()
say "zone starting: gm-a (active) and gm-b (standby) lock to their receivers; bc1, bc2 and the hosts follow gm-a"

abs() { local v=${1#-}; echo "${v:-0}"; }
while :; do
  t=$(since); ti=${t%.*}
  # Faults, each once, at its time.
  if [ $done_gnss = 0 ] && [ "$ti" -ge "$T_GNSS" ]; then
    done_gnss=1; expect_gm=gm-b; expect_since=$t; takeover_pending="GNSS lost on gm-a"
    say "FAULT: gm-a's GNSS receiver goes silent for ${GNSS_OUTAGE} s. gm-a goes into holdover (class 7); gm-b, still class 6, is now the better clock: the zone should follow gm-b without a step"
  fi
  if [ $done_gnss = 1 ] && [ $done_gnss_back = 0 ] && [ "$ti" -ge $((T_GNSS + GNSS_OUTAGE)) ]; then
    done_gnss_back=1; expect_gm=gm-a; expect_since=$t; takeover_pending="GNSS back on gm-a"
    say "gm-a's receiver is back: gm-a locks again (class 6) and, with the better priority2, is the active one again"
  fi
  if [ $done_kill = 0 ] && [ "$ti" -ge "$T_KILL" ]; then
    done_kill=1; kill -9 "${PID[gm-a]}" 2>/dev/null; expect_gm=gm-b; expect_since=$t; takeover_pending="gm-a killed"
    say "FAULT: gm-a killed. Its Announces stop; after announceReceiptTimeout (3 intervals) the BCs select gm-b"
  fi
  if [ $done_restart = 0 ] && [ "$ti" -ge "$T_RESTART" ]; then
    done_restart=1; start gm-a gm-a.log "$BIN" -f "$DIR/gm-a-restart.conf"
    say "gm-a restarted: it follows gm-b as a standby does until its receiver agrees (class 6). It is the active one again only once the accuracy it announces is as good as gm-b's (clockAccuracy is compared before priority2): until then the zone rightly stays with gm-b"
  fi
  if [ $done_link = 0 ] && [ "$ti" -ge "$T_LINK" ]; then
    done_link=1; ip -n "${NS[bc1]}" link set "$BC1_UP" down
    say "FAULT: bc1's upstream link down for ${LINK_DOWN} s: bc1 hears no grandmaster and holds over; h1 and h2 keep following bc1"
  fi
  if [ $done_link = 1 ] && [ $done_link_up = 0 ] && [ "$ti" -ge $((T_LINK + LINK_DOWN)) ]; then
    done_link_up=1; ip -n "${NS[bc1]}" link set "$BC1_UP" up
    say "bc1's upstream link up: bc1 hears the grandmasters again and follows the best, without a step"
  fi
  # A takeover is complete when both boundary clocks follow the grandmaster expected.
  if [ -n "$takeover_pending" ] && [ "$(followed bc1)" = "$expect_gm" ] && [ "$(followed bc2)" = "$expect_gm" ]; then
    took=$(awk -v t="$t" -v s="$expect_since" 'BEGIN { printf "%.1f", t - s }')
    TAKEOVERS+=("$(printf '%s: both boundary clocks follow %s %.1f s later (limit %s s)' "$takeover_pending" "$expect_gm" "$took" "$TAKEOVER_LIMIT")")
    awk -v t="$took" -v l="$TAKEOVER_LIMIT" 'BEGIN { exit !(t > l) }' && SLOW+=("$takeover_pending: $took s")
    say "$(printf 'bc1 and bc2 follow %s, %.1f s after: %s' "$expect_gm" "$took" "$takeover_pending")"
    takeover_pending=""; zone_gm=$expect_gm
  fi
  # Any other change of the grandmaster both boundary clocks follow, said as it happens.
  g1=$(followed bc1); g2=$(followed bc2)
  if [ "$g1" = "$g2" ] && [ "$g1" != "${zone_gm:-}" ] && { [ "$g1" = gm-a ] || [ "$g1" = gm-b ]; }; then
    [ -n "${zone_gm:-}" ] && [ -z "$takeover_pending" ] && say "bc1 and bc2 now follow $g1"
    zone_gm=$g1
  fi
  # The hosts' time error: a Meridian host's true error (its log), a ptp4l host's offsetFromMaster (pmc; its clock
  # is the system clock, the truth). A host counts as locked once it follows traceable time (its pmc says
  # timeTraceable 1) and its error has been within the bound for five readings in a row (a second apart); from then
  # on its worst |error| and its steps are what the summary judges. Traceable first: until its boundary clock passes
  # on the grandmaster's traceable time, a host follows the boundary clock's interim time, and a Meridian host that
  # then sees traceable time acquires afresh and may step once (beyond first_step_threshold), by design. Within the
  # bound is not enough to tell the two apart: the interim time is close to true time here.
  # A ptp4l host's reading is one raw measurement, which a software stamp delayed 10-80 µs by scheduling spoils now
  # and then; its error is the median of its last three readings (a Meridian host's servo filters those itself).
  for c in h2 h3; do
    ERR[$c]=$(true_error "$c"); GMOF[$c]=$(host_gm "$c")
    [ "${LOCKED[$c]}" = 0 ] && TRACE[$c]=$(traceable "$c")
  done
  for c in h1 h4; do
    read -r off gm TRACE[$c] < <(ptp4l_view "$c"); GMOF[$c]=$(name_of "$gm")
    if [[ "$off" =~ ^-?[0-9]+$ ]]; then
      RECENT[$c]="$(echo "${RECENT[$c]:-} $off" | awk '{ for (i = (NF > 3 ? NF - 2 : 1); i <= NF; i++) printf "%s ", $i }')"
      ERR[$c]=$(echo "${RECENT[$c]}" | tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    else
      ERR[$c]=$off
    fi
  done
  # The zone is ready once both boundary clocks follow a grandmaster that announces class 6 (locked to GNSS): a
  # host's error only means something from then on (before, its master serves its own free-running time).
  if [ "${ready:-0}" = 0 ]; then
    g1=$(followed bc1); g2=$(followed bc2)
    if [ "$g1" = "$g2" ] && { [ "$g1" = gm-a ] || [ "$g1" = gm-b ]; } && [ "$(class_of "$g1")" = 6 ]; then
      ready=1; say "the zone is ready: $g1 locked to GNSS (class 6), bc1 and bc2 follow it"
    fi
  fi
  for c in h1 h2 h3 h4; do
    e=${ERR[$c]:--}
    [[ "$e" =~ ^-?[0-9]+$ ]] && [ "${ready:-0}" = 1 ] || continue
    if [ "${LOCKED[$c]}" = 0 ]; then
      if [ "$(abs "$e")" -le "$BOUND" ] && [ "${TRACE[$c]:-}" = 1 ]; then GOOD[$c]=$((GOOD[$c] + 1)); else GOOD[$c]=0; fi
      if [ "${GOOD[$c]}" -ge 5 ]; then
        LOCKED[$c]=$ti; STEPS0[$c]=$(steps "$c"); say "$c locked (following ${GMOF[$c]}, traceable): within ${BOUND} ns for 5 s"
      fi
    elif [ "$(abs "$e")" -gt "${WORST[$c]}" ]; then
      WORST[$c]=$(abs "$e"); WORST_AT[$c]=$ti
    fi
  done

  printf '\033[2J\033[H'
  echo "Meridian zone lab ($(printf '%.0f' "$t") s) - logs in $DIR - Ctrl-C ends it"
  echo
  printf '%-6s %-10s %-28s %-9s %-12s %-14s %s\n' clock daemon "port states" class follows "error ns" "worst since lock"
  for c in gm-a gm-b; do
    printf '%-6s %-10s %-28s %-9s %-12s %-14s\n' "$c" meridiand "$(states "$c")" "$(class_of "$c")" "$(followed "$c")" "$(true_error "$c")"
  done
  for c in bc1 bc2; do
    printf '%-6s %-10s %-28s %-9s %-12s %-14s\n' "$c" meridiand "$(states "$c")" - "$(followed "$c")" "$(true_error "$c")"
  done
  for c in h1 h2 h3 h4; do
    d=meridiand; [ "$c" = h1 ] || [ "$c" = h4 ] && d=ptp4l
    printf '%-6s %-10s %-28s %-9s %-12s %-14s %s\n' "$c" "$d" "$([ $d = ptp4l ] && echo - || states "$c")" - "${GMOF[$c]}" "${ERR[$c]:--}" "$([ "${LOCKED[$c]}" = 0 ] && echo "(not locked)" || echo "${WORST[$c]}")"
  done
  echo
  echo "error = the clock's time minus CLOCK_REALTIME (a Meridian clock's own 'true error'; a ptp4l host's offset from"
  echo "its master, its own clock being the system clock). Hosts must stay within ${BOUND} ns from their lock on."
  echo
  echo "What happened:"
  first=$(( ${#STORY[@]} > 12 ? ${#STORY[@]} - 12 : 0 ))
  printf '  %s\n' "${STORY[@]:$first}"
  if [ -n "${ZONE_SECONDS:-}" ] && [ "$ti" -ge "$ZONE_SECONDS" ]; then break; fi
  sleep 1
done

# The summary, one line per claim, for people and for the test that runs this lab.
echo
echo "zone summary:"
ok=1
for c in h1 h2 h3 h4; do
  s=0; [ "$c" = h2 ] || [ "$c" = h3 ] && s=$(( $(steps "$c") - ${STEPS0[$c]:-0} ))
  verdict=ok
  if [ "${LOCKED[$c]}" = 0 ] || [ "${WORST[$c]}" -gt "$BOUND" ] || [ "$s" -gt 0 ]; then verdict=FAILED; ok=0; fi
  echo "zone summary: host $c locked at ${LOCKED[$c]} s, worst |error| since ${WORST[$c]} ns at ${WORST_AT[$c]:--} s (bound $BOUND), steps since $s: $verdict"
done
for line in "${TAKEOVERS[@]}"; do echo "zone summary: takeover $line"; done
for line in "${SLOW[@]}"; do echo "zone summary: takeover TOO SLOW: $line (limit $TAKEOVER_LIMIT s)"; ok=0; done
[ "${#TAKEOVERS[@]}" -gt 0 ] || { echo "zone summary: no takeover happened within the run"; ok=0; }
[ -n "$takeover_pending" ] && { echo "zone summary: takeover NOT COMPLETE: $takeover_pending (bc1 follows $(followed bc1), bc2 $(followed bc2), expected $expect_gm)"; ok=0; }
echo "zone summary: $([ $ok = 1 ] && echo "every host within bound, no host stepped, every takeover complete within $TAKEOVER_LIMIT s" || echo FAILED)"
[ $ok = 1 ]
