#!/usr/bin/env bash
# Refreshes assets/vendor from the versions pinned in package.json. Needs npm and the registry;
# building and running Zhaoyin do not (the copied files are committed).
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp package.json "$tmp/"
(cd "$tmp" && npm install --no-audit --no-fund --ignore-scripts >/dev/null)
mkdir -p vendor/htmx vendor/swagger-ui vendor/echarts
cp "$tmp/node_modules/htmx.org/dist/htmx.min.js" vendor/htmx/
cp "$tmp/node_modules/htmx.org/LICENSE" vendor/htmx/LICENSE
for f in swagger-ui-bundle.js swagger-ui.css LICENSE; do
  cp "$tmp/node_modules/swagger-ui-dist/$f" vendor/swagger-ui/
done
cp "$tmp/node_modules/echarts/dist/echarts.min.js" vendor/echarts/
cp "$tmp/node_modules/echarts/LICENSE" "$tmp/node_modules/echarts/NOTICE" vendor/echarts/
(cd "$tmp" && npm ls --depth=0) | tail -n +2 > vendor/VERSIONS
echo "vendored:"; cat vendor/VERSIONS
