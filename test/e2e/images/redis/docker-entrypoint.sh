#!/bin/sh
# Entrypoint of the Redis stand-in, with the behaviour of the official redis
# image that a deployment can notice:
# - arguments that start with "-", or a first argument ending in ".conf",
#   are options for redis-server;
# - the official build has protected mode off (Docker's network is the
#   boundary); Debian's is on, so it is switched off here unless the command
#   line sets it (added last: a config file must stay the first argument);
# - started as root, it gives the working folder (/data) to the redis user
#   and re-runs itself as that user;
# - with the default umask 0022 it tightens it to 0077, so dumps are private.
set -eu
case "${1-}" in
  -* | *.conf) set -- redis-server "$@" ;;
esac
if [ "${1-}" = redis-server ]; then
  case " $* " in
    *" --protected-mode "*) ;;
    *) set -- "$@" --protected-mode no ;;
  esac
  if [ "$(id -u)" = 0 ]; then
    chown -R redis:redis .
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
  fi
fi
if [ "$(umask)" = 0022 ]; then
  umask 0077
fi
exec "$@"
