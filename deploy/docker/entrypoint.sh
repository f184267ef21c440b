#!/bin/sh
# Runs the PMO service this image was built for (PMO_SERVICE, set at build time).
#   serve [uvicorn options]    the HTTP API on $PORT (default: the service's port, 8001-8004)
#   migrate [options]          the service's Alembic migrations, then exits
#   anything else              executed as given (a shell for debugging, for instance)
# uvicorn also reads UVICORN_* environment variables (UVICORN_WORKERS, UVICORN_LOG_LEVEL, ...).
set -eu

case "${PMO_SERVICE:-}" in
  intake) default_port=8001 ;;
  monitoring) default_port=8002 ;;
  standards) default_port=8003 ;;
  notifications) default_port=8004 ;;
  *) echo "pmo-entrypoint: PMO_SERVICE must name a PMO service (got '${PMO_SERVICE:-}')" >&2; exit 64 ;;
esac

command="${1:-serve}"
if [ "$#" -gt 0 ]; then shift; fi

case "$command" in
  serve)
    # --no-server-header: answers do not name the server software (no "Server: uvicorn").
    exec uvicorn "pmo_${PMO_SERVICE}.main:app" --host 0.0.0.0 --port "${PORT:-$default_port}" \
      --no-server-header "$@"
    ;;
  migrate)
    exec python -m "pmo_${PMO_SERVICE}" migrate "$@"
    ;;
  *)
    exec "$command" "$@"
    ;;
esac
