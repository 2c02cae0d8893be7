#!/usr/bin/env bash
# Closes the way around Sluice on a vantage6 node. The node's proxy server listens on 0.0.0.0:PROXY_SERVER_PORT,
# and the node container sits on the algorithms' isolated network (alias "proxyserver"), so an algorithm that
# ignores HOST could call it directly. Run this as root in the node container's network namespace, after every
# start of the node container, e.g.
#   nsenter --net=/proc/"$(docker inspect -f '{{.State.Pid}}' vantage6-NODE-user)"/ns/net \
#     env SLUICE_ADDRESS=172.30.6.2 deploy/vantage6/proxy-guard.sh
# (docs/operations.md, "vantage6"). Running it again rebuilds the same rules.
#
#   SLUICE_ADDRESS     Sluice's IPv4 address as the node sees it (required): the only source that may open a
#                      connection to the node, and only to the proxy port
#   SLUICE_MAC         Sluice's MAC address there (optional; set it when Sluice shares the algorithms' network):
#                      then only frames from it count as Sluice, and the node's neighbour entry for SLUICE_ADDRESS
#                      is pinned to it, so an algorithm that takes Sluice's address cannot get in (ARP spoofing)
#   PROXY_SERVER_PORT  the node proxy's port (default 8080, as in the node)
#
# Sluice's interface is the one the route to SLUICE_ADDRESS uses (on the link, no gateway): Sluice on the
# algorithms' network itself, or on a network of its own with the node (deploy/docker/compose.yaml, where Sluice's
# address is not even on the algorithms' network).
# IPv4 (chain SLUICE_GUARD, jumped to first from INPUT and from FORWARD):
#   1. packets of connections that are already established or related (the node's own connections): returned
#   2. loopback: returned
#   3. Sluice -> the proxy port, TCP, in on Sluice's interface (from Sluice's MAC, if given): returned
#   4. everything else that is new, from any interface, to any port, any protocol: rejected (TCP with a reset, the
#      rest with ICMP port unreachable), so that an algorithm fails at once instead of waiting for a timeout. The
#      node container serves nothing else, and opens its own connections outward.
# IPv6 (chain SLUICE_GUARD in ip6tables, from INPUT and FORWARD): established/related and loopback returned,
# neighbour discovery (hop limit 255) returned, everything else that is new rejected: the node's IPv6 and
# link-local addresses are no way around either.
#
# Each table is replaced in one iptables-restore transaction (--noflush: only SLUICE_GUARD is rebuilt), so a re-run
# on a live node never leaves the chain empty. Works with the nft and the legacy back end of iptables.
set -euo pipefail

CHAIN=SLUICE_GUARD

die() {
  echo "proxy-guard: $*" >&2
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
    echo "proxy-guard: unknown argument '$1' (configure it with SLUICE_ADDRESS, SLUICE_MAC, PROXY_SERVER_PORT)" >&2
    exit 2
    ;;
esac

address="${SLUICE_ADDRESS:-}"
mac="${SLUICE_MAC:-}"
port="${PROXY_SERVER_PORT:-8080}"

octet='(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])'
[[ -n "$address" ]] || die "SLUICE_ADDRESS is not set: Sluice's IPv4 address on the isolated network"
[[ "$address" =~ ^$octet\.$octet\.$octet\.$octet$ ]] || die "SLUICE_ADDRESS must be an IPv4 address, got '$address'"
if [[ -n "$mac" ]]; then
  [[ "$mac" =~ ^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$ ]] || die "SLUICE_MAC must look like 02:42:ac:1e:06:02, got '$mac'"
fi
if ! [[ "$port" =~ ^[0-9]+$ ]] || ((10#$port < 1 || 10#$port > 65535)); then
  die "PROXY_SERVER_PORT: '$port' is not a TCP port (1-65535)"
fi
port=$((10#$port))

[[ "$(id -u)" == 0 ]] || die "must run as root (with CAP_NET_ADMIN) in the node container's network namespace"
for tool in ip iptables ip6tables iptables-restore ip6tables-restore; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found: install iproute2 and iptables"
done

# The interface of the isolated network: the one the route to Sluice uses, directly on the link.
route="$(ip -4 -o route get "$address" 2>/dev/null)" || die "no route to $address in this network namespace"
[[ "$route" != *" via "* ]] || die "$address is not on a network of this namespace (the route goes via a gateway: " \
  "$route); run the guard in the node container's network namespace"
[[ "$route" =~ \ dev\ ([^ ]+) ]] || die "cannot find the interface in: $route"
interface="${BASH_REMATCH[1]}"
[[ "$interface" != lo ]] || die "$address is an address of this namespace itself, not Sluice's"

jump_lines() {
  local cmd="$1" from
  for from in INPUT FORWARD; do
    if ! "$cmd" -w -C "$from" -j "$CHAIN" >/dev/null 2>&1; then
      echo "-I $from 1 -j $CHAIN"
    fi
  done
}

v4_rules() {
  local from_sluice="-s $address/32"
  if [[ -n "$mac" ]]; then
    from_sluice="$from_sluice -m mac --mac-source $mac"
  fi
  echo "*filter"
  echo ":$CHAIN - [0:0]"
  echo "-A $CHAIN -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN"
  echo "-A $CHAIN -i lo -j RETURN"
  echo "-A $CHAIN -i $interface $from_sluice -p tcp -m tcp --dport $port -j RETURN"
  echo "-A $CHAIN -p tcp -j REJECT --reject-with tcp-reset"
  echo "-A $CHAIN -j REJECT --reject-with icmp-port-unreachable"
  echo "$1"
  echo "COMMIT"
}

v6_rules() {
  echo "*filter"
  echo ":$CHAIN - [0:0]"
  echo "-A $CHAIN -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN"
  echo "-A $CHAIN -i lo -j RETURN"
  for type in router-solicitation neighbour-solicitation neighbour-advertisement; do
    echo "-A $CHAIN -p ipv6-icmp -m icmp6 --icmpv6-type $type -m hl --hl-eq 255 -j RETURN"
  done
  echo "-A $CHAIN -p tcp -j REJECT --reject-with tcp-reset"
  echo "-A $CHAIN -j REJECT --reject-with icmp6-port-unreachable"
  echo "$1"
  echo "COMMIT"
}

# Built before restoring: a check must not run while iptables-restore holds the table.
v4="$(v4_rules "$(jump_lines iptables)")"
v6="$(v6_rules "$(jump_lines ip6tables)")"
iptables-restore -w --noflush <<<"$v4" || die "iptables-restore failed (is this a network namespace you may change?)"
ip6tables-restore -w --noflush <<<"$v6" || die "ip6tables-restore failed (is IPv6 enabled in this namespace?)"
if [[ -n "$mac" ]]; then
  ip neigh replace "$address" lladdr "$mac" dev "$interface" nud permanent \
    || die "cannot pin the neighbour entry of $address to $mac on $interface"
fi

echo "proxy-guard: only $address${mac:+ ($mac)} on $interface may open a connection to this namespace, to TCP" \
  "port $port; every other new connection is rejected"
for cmd in iptables ip6tables; do
  echo "# $cmd"
  "$cmd" -w -S INPUT | grep -e "-j $CHAIN\$"
  "$cmd" -w -S FORWARD | grep -e "-j $CHAIN\$"
  "$cmd" -w -S "$CHAIN"
done
