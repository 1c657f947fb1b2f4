# Shared by scripts/setup and scripts/test (sourced, not run).

# The Swift toolchain is often installed outside PATH (here: /opt/swift).
if ! command -v swift >/dev/null 2>&1; then
    for dir in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
        [ -x "$dir/swift" ] && PATH="$PATH:$dir" && break
    done
fi
export PATH

# `--scratch-path` for every swift command when LEASH_BUILD_PATH is set (engineers sharing
# one work tree each build in their own directory); otherwise SwiftPM's default .build.
swift_scratch=()
if [ -n "${LEASH_BUILD_PATH:-}" ]; then swift_scratch=(--scratch-path "$LEASH_BUILD_PATH"); fi
build_dir=${LEASH_BUILD_PATH:-.build}

is_root() { [ "$(id -u)" = 0 ]; }
