#!/bin/sh
# The official redis image's docker-entrypoint.sh: a first argument that is an
# option means redis-server; as root, own the working folder (/data) and drop
# to the redis user. The official image builds Redis with protected mode off
# by default (it is unnecessary behind Docker's network), Debian's does not,
# hence the option added here.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$1" = 'redis-server' ] && [ "$2" != '--protected-mode' ]; then
  shift
  set -- redis-server --protected-mode no "$@"
fi
if [ "$1" = 'redis-server' ]; then
  if [ "$(id -u)" = '0' ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
  fi
fi
um="$(umask)"
if [ "$um" = '0022' ]; then
  umask 0077
fi
exec "$@"
