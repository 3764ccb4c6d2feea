#!/usr/bin/env bash
# Builds the base of the container image, below the application's layers: made here because no
# registry of base images is reachable from the build machines, and a jlinked JRE is far smaller
# than any JRE image. Run by the sluice-image module's build (exec-maven-plugin):
#
#   build-base.sh OUT MODULES UID [JAVA_HOME]
#
# The JRE is linked from JAVA_HOME (the build passes the JDK Maven runs on), else from the JDK of
# the `java` on the PATH.
#
# OUT/rootfs receives, at the paths they have in the image:
#   /opt/java                  a JRE jlinked from the build's JDK with MODULES only (the modules the
#                              application needs, found with jdeps; see sluice-image/pom.xml),
#                              symbolic links resolved (Debian's JDK links its security files and
#                              time zone data to /etc and /usr/share)
#   /lib*/..., /usr/lib/...    every shared library the JRE's programs and libraries load, found
#                              with ldd on this (Debian) machine, with the dynamic loader: glibc,
#                              zlib, libgcc_s, libstdc++ as Debian packages them
#   /usr/share/doc/PKG/copyright  the copyright file of each Debian package a library came from
#   /etc/passwd, /etc/group    root and the user `sluice` (uid and gid UID), home /var/lib/sluice
#   /etc/nsswitch.conf         host names from /etc/hosts, then DNS (the container runtime writes
#                              /etc/hosts and /etc/resolv.conf)
#   /var/lib/sluice, /tmp      empty, owned by UID, modes 0750 and 0700 (the data volume, and the
#                              JVM's and its native libraries' temporary files)
#   /etc/sluice, /proc, /dev   empty, root's (the runtime mounts /proc and /dev)
#
# and OUT/base.tar is that file system as the one layer of an image in the archive format `docker
# save` writes (manifest.json, the image configuration, layer.tar), which Jib takes as its base
# (`tar://`): Jib itself writes every file of its own layers as root, so the directories the
# non-root user writes must come from the base. Owners are numeric and every time stamp is 0, so
# the same inputs give the same layer.
#
# Fails, naming the file, if a library cannot be resolved: an image whose JRE cannot load would
# only fail when run.
set -euo pipefail

out="$1"
modules="$2"
uid="$3"
java_home="${4:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
jlink="$java_home/bin/jlink"
[ -x "$jlink" ] || { echo "build-base.sh: no jlink in $java_home: a JDK is needed" >&2; exit 1; }

root="$out/rootfs"
rm -rf "$out"
mkdir -p "$out" "$root/opt"

"$jlink" --add-modules "$modules" --output "$out/jre" \
  --strip-debug --no-header-files --no-man-pages --compress=2
# Resolve every link (Debian's JDK points lib/security/* and others to /etc and /usr/share).
cp -rL "$out/jre" "$root/opt/java"
rm -rf "$out/jre"

# Shared libraries of every ELF file of the runtime, as the dynamic loader of this machine resolves
# them, copied to the same paths.
declare -A libs=()
while IFS= read -r -d '' f; do
  if ! head -c 4 "$f" | grep -q 'ELF'; then
    continue
  fi
  # The runtime's libraries find libjvm.so and each other through the java launcher's own search
  # path at run time; ldd on a library alone needs to be told where they are.
  ldd_out="$(LD_LIBRARY_PATH="$root/opt/java/lib:$root/opt/java/lib/server" ldd "$f")"
  if grep -q 'not found' <<<"$ldd_out"; then
    echo "build-base.sh: $f needs a library this machine lacks:" >&2
    grep 'not found' <<<"$ldd_out" >&2
    exit 1
  fi
  while read -r path; do
    libs["$path"]=1
  done < <(awk '/=> \// { print $3 } /^[ \t]*\/[^ ]+ \(0x/ { print $1 }' <<<"$ldd_out")
done < <(find "$root/opt/java" -type f \( -path '*/bin/*' -o -name '*.so' \) -print0)

for lib in "${!libs[@]}"; do
  case "$lib" in
    "$root"/*) continue ;; # the runtime's own libraries
  esac
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
  # The Debian package the library belongs to, for its copyright file (dpkg knows a library by
  # the path its package installed, /lib/... or /usr/lib/..., whichever ldd did not print).
  pkg="$( (dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || true) \
    | head -n1 | cut -d: -f1)"
  if [ -n "$pkg" ] && [ -f "/usr/share/doc/$pkg/copyright" ]; then
    mkdir -p "$root/usr/share/doc/$pkg"
    cp "/usr/share/doc/$pkg/copyright" "$root/usr/share/doc/$pkg/copyright"
  fi
done

mkdir -p "$root/etc/sluice" "$root/var/lib/sluice" "$root/tmp" "$root/proc" "$root/dev"
chmod 0750 "$root/var/lib/sluice"
chmod 0700 "$root/tmp"
cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/sbin/nologin
sluice:x:$uid:$uid:Sluice:/var/lib/sluice:/sbin/nologin
EOF
cat >"$root/etc/group" <<EOF
root:x:0:
sluice:x:$uid:
EOF
cat >"$root/etc/nsswitch.conf" <<EOF
hosts: files dns
EOF

# The layer: everything as root, then the user's two directories as the user.
layer="$out/image/layer.tar"
mkdir -p "$out/image"
common=(--numeric-owner --mtime=@0 --sort=name --format=gnu)
tar -C "$root" "${common[@]}" --owner=0 --group=0 \
  --exclude=./var/lib/sluice --exclude=./tmp -cf "$layer" .
tar -C "$root" "${common[@]}" --owner="$uid" --group="$uid" --no-recursion \
  -rf "$layer" ./var/lib/sluice ./tmp
diff_id="sha256:$(sha256sum "$layer" | cut -d' ' -f1)"
printf '%s\n' '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["'"$diff_id"'"]},"history":[{"created_by":"sluice-image/src/image/build-base.sh"}]}' \
  >"$out/image/config.json"
printf '%s\n' '[{"Config":"config.json","RepoTags":["sluice-base:local"],"Layers":["layer.tar"]}]' \
  >"$out/image/manifest.json"
tar -C "$out/image" "${common[@]}" --owner=0 --group=0 -cf "$out/base.tar" \
  manifest.json config.json layer.tar
rm -rf "$out/image"

echo "build-base.sh: $root: $(du -sh "$root" | cut -f1) (JRE modules: $modules; ${#libs[@]} libraries)"
