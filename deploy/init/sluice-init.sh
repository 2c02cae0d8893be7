#!/usr/bin/env bash
# Locks a pod's network namespace so that only Sluice can reach the network. Run it as root (NET_ADMIN) inside
# the pod's network namespace before any other container starts (a Kubernetes init container, or
# `ip netns exec POD`). Running it again rebuilds the same rules.
#
#   SLUICE_UID    the user id Sluice runs as (default 10001): the only one whose traffic may leave
#   SLUICE_PORTS  Sluice's TCP ports on 127.0.0.1 that every user may connect to (default "8080 3128 9090":
#                 gateway, forward, admin; `sluice inject` sets them from the policy's listen addresses)
# Unset means the default; set but empty is refused, since it would otherwise silently mean the default.
#
# IPv4 (chain SLUICE_OUT, jumped to first from OUTPUT):
#   1. any user -> 127.0.0.1:<SLUICE_PORTS> over loopback (TCP): accepted
#   2. everything sent by SLUICE_UID: accepted
#   3. loopback packets of established/related connections (replies, and the resets and ICMP errors of the
#      rejections below, which reach the local client over loopback): accepted
#   4. everything else, loopback to other ports, UDP (DNS included) and replies on inbound connections to other
#      users' listeners included: rejected (TCP with a reset, the rest with ICMP port unreachable), so that
#      clients fail at once instead of waiting for a timeout.
# IPv6 (chain SLUICE_OUT in ip6tables): SLUICE_UID accepted, loopback packets of established/related connections
# accepted (the rejections' own resets and ICMP errors reach the client that way), neighbour discovery (hop limit
# 255) accepted so that Sluice's own IPv6 works, everything else rejected.
#
# Each table is replaced in one iptables-restore transaction (--noflush: only SLUICE_OUT is rebuilt), so a re-run
# on a live pod never leaves the chain empty. Works with the nft and the legacy back end of iptables.
set -euo pipefail

CHAIN=SLUICE_OUT

die() {
  echo "sluice-init: $*" >&2
  exit 1
}

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

case "${1:-}" in
  -h | --help)
    usage
    exit 0
    ;;
  "") ;;
  *)
    echo "sluice-init: unknown argument '$1' (configure it with SLUICE_UID and SLUICE_PORTS)" >&2
    exit 2
    ;;
esac

uid="${SLUICE_UID-10001}"
ports="${SLUICE_PORTS-8080 3128 9090}"

[[ -n "${uid// /}" ]] || die "SLUICE_UID is set but empty: give Sluice's numeric user id, or unset it for 10001"

[[ "$uid" =~ ^[0-9]+$ ]] || die "SLUICE_UID must be a numeric user id, got '$uid'"
[[ "$uid" != 0 ]] || die "SLUICE_UID must not be 0: root's traffic would all be allowed"
read -r -a port_list <<<"$ports"
((${#port_list[@]} > 0)) || die "SLUICE_PORTS is set but empty: give Sluice's ports (gateway, forward, admin), \
or unset it for 8080 3128 9090"
for port in "${port_list[@]}"; do
  if ! [[ "$port" =~ ^[0-9]+$ ]] || ((10#$port < 1 || 10#$port > 65535)); then
    die "SLUICE_PORTS: '$port' is not a TCP port (1-65535)"
  fi
done

[[ "$(id -u)" == 0 ]] || die "must run as root (with CAP_NET_ADMIN) in the pod's network namespace; running as uid $(id -u)"
for tool in iptables ip6tables iptables-restore ip6tables-restore; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found: install iptables (Debian: apt-get install iptables)"
done

# The jump from OUTPUT is added only when it is missing, so the script can run any number of times. Prints the
# restore line that adds it, or an empty line.
jump_line() {
  local cmd="$1"
  if ! "$cmd" -w -C OUTPUT -j "$CHAIN" >/dev/null 2>&1; then
    echo "-I OUTPUT 1 -j $CHAIN"
  fi
}

# $1: the line that adds the jump from OUTPUT (may be empty).
v4_rules() {
  echo "*filter"
  echo ":$CHAIN - [0:0]"
  for port in "${port_list[@]}"; do
    echo "-A $CHAIN -o lo -d 127.0.0.1/32 -p tcp -m tcp --dport $((10#$port)) -j ACCEPT"
  done
  echo "-A $CHAIN -m owner --uid-owner $uid -j ACCEPT"
  echo "-A $CHAIN -o lo -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
  echo "-A $CHAIN -p tcp -j REJECT --reject-with tcp-reset"
  echo "-A $CHAIN -j REJECT --reject-with icmp-port-unreachable"
  echo "$1"
  echo "COMMIT"
}

v6_rules() {
  echo "*filter"
  echo ":$CHAIN - [0:0]"
  echo "-A $CHAIN -m owner --uid-owner $uid -j ACCEPT"
  echo "-A $CHAIN -o lo -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
  # Neighbour discovery is sent by the kernel, not by Sluice's sockets; without it Sluice's IPv6 cannot work.
  for type in router-solicitation neighbour-solicitation neighbour-advertisement; do
    echo "-A $CHAIN -p ipv6-icmp -m icmp6 --icmpv6-type $type -m hl --hl-eq 255 -j ACCEPT"
  done
  echo "-A $CHAIN -p tcp -j REJECT --reject-with tcp-reset"
  echo "-A $CHAIN -j REJECT --reject-with icmp6-port-unreachable"
  echo "$1"
  echo "COMMIT"
}

# Built before restoring: a check must not run while iptables-restore holds the table.
v4="$(v4_rules "$(jump_line iptables)")"
v6="$(v6_rules "$(jump_line ip6tables)")"
iptables-restore -w --noflush <<<"$v4" || die "iptables-restore failed (is this a network namespace you may change?)"
ip6tables-restore -w --noflush <<<"$v6" || die "ip6tables-restore failed (is IPv6 enabled in this namespace?)"

echo "sluice-init: only uid $uid may send; every user may reach 127.0.0.1 TCP port(s) ${port_list[*]}"
for cmd in iptables ip6tables; do
  echo "# $cmd"
  "$cmd" -w -S OUTPUT | grep -e "-j $CHAIN\$"
  "$cmd" -w -S "$CHAIN"
done
