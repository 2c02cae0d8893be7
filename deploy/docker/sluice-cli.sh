#!/bin/sh
# The `sluice` command inside the image (/usr/local/bin/sluice), for the health check and for
# `docker compose exec sluice sluice audit tail /var/log/sluice/audit.jsonl`. A small, quickly started JVM:
# the proxy itself is the image's ENTRYPOINT, with the sidecar's JVM options. SLUICE_CLI_JAVA_OPTS replaces
# these options, e.g. with a larger heap for `audit verify` over many files.
set -eu
# The options are several words on purpose.
# shellcheck disable=SC2086
exec /opt/sluice/java/bin/java ${SLUICE_CLI_JAVA_OPTS:--Xmx64m -XX:TieredStopAtLevel=1 -XX:-UsePerfData} \
  -jar /opt/sluice/sluice.jar "$@"
