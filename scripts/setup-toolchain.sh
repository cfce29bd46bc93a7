#!/bin/sh
# Sets up what passk's local sandbox needs, idempotently:
#   - host tools (as root, Debian/Ubuntu): bubblewrap, mmdebstrap, and util-linux + mount, which
#     provide setpriv, prlimit and mount;
#   - the toolchain root the sandbox runs code from: Debian trixie with Icarus Verilog 12 (the
#     version VerilogEval pins), Python 3 and numpy, and pylint (LintSeq's Python linter, for
#     `passk datagen lintseq`), in /var/cache/passk/toolchains/trixie (as root),
#     ~/.cache/passk/toolchains/trixie (otherwise) or $PASSK_TOOLCHAIN_ROOT. Built into a temporary
#     directory and renamed into place, so a failed or interrupted build never leaves a half root.
#     Skipped when the root is already there; a root made before pylint was added gets it
#     installed in place (as root, with apt inside the root).
#
# Usage: scripts/setup-toolchain.sh [--tar FILE]
#   --tar FILE   also write the root as a tarball, e.g. for `docker import FILE passk-toolchain:trixie`.
# Environment: PASSK_TOOLCHAIN_ROOT (target), PASSK_DEBIAN_MIRROR (default http://deb.debian.org/debian;
# a snapshot.debian.org URL pins the packages).
set -eu
# The root must be readable by the unprivileged uids jobs run under.
umask 022

tar_file=
while [ $# -gt 0 ]; do
  case "$1" in
    --tar) [ $# -ge 2 ] || { echo "--tar needs a file name" >&2; exit 2; }; tar_file=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

mirror=${PASSK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
packages=iverilog,python3,python3-numpy,pylint

if [ "$(id -u)" -eq 0 ]; then
  root=${PASSK_TOOLCHAIN_ROOT:-/var/cache/passk/toolchains/trixie}
  missing=
  for tool in bwrap:bubblewrap mmdebstrap:mmdebstrap setpriv:util-linux prlimit:util-linux mount:mount; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing="$missing ${tool#*:}"
  done
  if [ -n "$missing" ]; then
    echo "installing:$missing"
    apt-get update
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
  fi
  mode=root
else
  root=${PASSK_TOOLCHAIN_ROOT:-$HOME/.cache/passk/toolchains/trixie}
  for tool in bwrap mmdebstrap setpriv prlimit; do
    command -v "$tool" >/dev/null 2>&1 || { echo "missing $tool: run this script as root once, or apt-get install bubblewrap mmdebstrap util-linux" >&2; exit 1; }
  done
  # Needs subordinate ids for the user (/etc/subuid, /etc/subgid).
  mode=unshare
fi

if [ -x "$root/usr/bin/iverilog" ] && [ -x "$root/usr/bin/python3" ]; then
  echo "toolchain root already present: $root"
elif [ -e "$root" ]; then
  echo "$root exists but holds no iverilog and python3; remove it to rebuild" >&2
  exit 1
else
  parent=$(dirname "$root")
  mkdir -p "$parent"
  staging=$(mktemp -d "$parent/.trixie-build.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  trap 'exit 130' INT TERM
  # mktemp's 0700 would keep apt's download user (and later the job uids) out.
  chmod 755 "$staging"
  mmdebstrap --mode="$mode" --variant=apt --include="$packages" trixie "$staging" "$mirror"
  mv "$staging" "$root"
  trap - EXIT INT TERM
  echo "built toolchain root: $root"
fi

# Roots built before pylint joined the package list: add it in place (idempotent).
if [ ! -x "$root/usr/bin/pylint" ]; then
  if [ "$mode" = root ]; then
    echo "adding pylint to $root"
    chroot "$root" sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends pylint && apt-get clean'
  else
    echo "$root has no pylint (needed by passk datagen lintseq): run this script as root once, or remove the root to rebuild it" >&2
  fi
fi

if [ "$mode" = root ]; then
  chroot "$root" iverilog -V 2>&1 | head -n 1
  chroot "$root" pylint --version | head -n 1
  chroot "$root" python3 -c 'import sys, numpy; print("Python", sys.version.split()[0], "numpy", numpy.__version__)'
fi

if [ -n "$tar_file" ]; then
  tar --numeric-owner -C "$root" -cf "$tar_file" .
  echo "wrote $tar_file (docker import $tar_file passk-toolchain:trixie)"
fi
