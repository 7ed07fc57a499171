#!/usr/bin/env bash
# Fetch a Trino server with the Iceberg plugin from Maven Central into a reusable cache.
#
#   scripts/fetch-trino.sh            # prints what it does; last line of stdout: TRINO_HOME=<dir>
#
# Environment:
#   TRINO_VERSION    default 476 (the last release on Maven Central; needs Java 24+)
#   TRINO_CACHE_DIR  default ~/.cache/activation-metrics/trino-$TRINO_VERSION
#   MAVEN_REPO_URL   default https://repo.maven.apache.org/maven2
#
# Layout of the cache:
#   $TRINO_CACHE_DIR/downloads/   the two archives, kept after their SHA-1 matched Maven Central's
#   $TRINO_CACHE_DIR/server/      the unpacked server (bin/launcher, lib/, plugin/iceberg/)
#   $TRINO_CACHE_DIR/.complete    written last; when present the cache is reused as it is
#
# Idempotent and safe to run concurrently (flock on $TRINO_CACHE_DIR/.lock).
set -euo pipefail

version="${TRINO_VERSION:-476}"
cache="${TRINO_CACHE_DIR:-$HOME/.cache/activation-metrics/trino-$version}"
repo="${MAVEN_REPO_URL:-https://repo.maven.apache.org/maven2}"

log() { echo "fetch-trino: $*" >&2; }

mkdir -p "$cache/downloads"
exec 9>"$cache/.lock"
if command -v flock >/dev/null; then flock 9; fi

server="$cache/server"
if [[ -f "$cache/.complete" && -x "$server/bin/launcher" && -d "$server/plugin/iceberg" ]]; then
  log "Trino $version already in $server (cache reused)"
  echo "TRINO_HOME=$server"
  exit 0
fi

# download <artifactId> <ext>: fetch into downloads/ unless present, verify the published .sha1
download() {
  local artifact="$1" ext="$2"
  local file="$artifact-$version.$ext"
  local url="$repo/io/trino/$artifact/$version/$file"
  local dest="$cache/downloads/$file"
  local expected
  expected="$(curl -fsSL --retry 3 "$url.sha1" | awk '{print $1}')"
  if [[ ! "$expected" =~ ^[0-9a-f]{40}$ ]]; then
    log "no valid SHA-1 published at $url.sha1 (got '$expected')"
    exit 1
  fi
  if [[ -f "$dest" ]] && [[ "$(sha1sum "$dest" | awk '{print $1}')" == "$expected" ]]; then
    log "$file already downloaded, SHA-1 $expected matches"
    return
  fi
  log "downloading $url"
  curl -fL --retry 3 --retry-delay 2 -sS -o "$dest.part" "$url"
  local actual
  actual="$(sha1sum "$dest.part" | awk '{print $1}')"
  if [[ "$actual" != "$expected" ]]; then
    rm -f "$dest.part"
    log "SHA-1 mismatch for $file: expected $expected, got $actual"
    exit 1
  fi
  mv "$dest.part" "$dest"
  log "$file: SHA-1 $actual verified against Maven Central"
}

download trino-server-core tar.gz
download trino-iceberg zip

log "unpacking into $server"
rm -rf "$server" "$server.tmp"
mkdir -p "$server.tmp"
tar -xzf "$cache/downloads/trino-server-core-$version.tar.gz" -C "$server.tmp" --strip-components=1
mkdir -p "$server.tmp/plugin"
plugin_tmp="$(mktemp -d "$cache/plugin.XXXXXX")"
unzip -q "$cache/downloads/trino-iceberg-$version.zip" -d "$plugin_tmp"
# The zip holds one top-level directory (trino-iceberg-<version>/) with the plugin's jars.
inner="$(find "$plugin_tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)"
if [[ -z "$inner" ]]; then inner="$plugin_tmp"; fi
mv "$inner" "$server.tmp/plugin/iceberg"
rm -rf "$plugin_tmp"
mv "$server.tmp" "$server"
touch "$cache/.complete"
log "Trino $version with the Iceberg plugin ready in $server"
echo "TRINO_HOME=$server"
