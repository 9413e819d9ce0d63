#!/usr/bin/env bash
# Regenerate ntm/static/vendor/ from the npm packages pinned in package.json.
#
#   bash scripts/vendor.sh            # install exactly what package-lock.json says (npm ci)
#   bash scripts/vendor.sh --update   # after editing versions in package.json: npm install,
#                                     # then write the new package-lock.json back to the repo
#
# Packages are installed into a throw-away temp dir (never into the repo), and only the
# runtime files the app serves are copied, together with their licence files. The app
# loads nothing from a CDN, so everything it needs must be in ntm/static/vendor/.
# Running it twice gives the same files (safe to re-run).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/ntm/static/vendor"
UPDATE=0
case "${1:-}" in
  "") ;;
  --update) UPDATE=1 ;;
  *) echo "usage: $0 [--update]" >&2; exit 2 ;;
esac

command -v npm >/dev/null || { echo "npm not found (Node.js 20+ required)" >&2; exit 1; }
command -v node >/dev/null || { echo "node not found (Node.js 20+ required)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ntm-vendor.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# --- 1. install into the temp dir -----------------------------------------------------
cp "$ROOT/package.json" "$WORK/"
if [[ -f "$ROOT/package-lock.json" && $UPDATE -eq 0 ]]; then
  cp "$ROOT/package-lock.json" "$WORK/"
  (cd "$WORK" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
else
  (cd "$WORK" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error)
  cp "$WORK/package-lock.json" "$ROOT/package-lock.json"
  echo "wrote package-lock.json"
fi
NM="$WORK/node_modules"

pkgver() { node -p "require('$NM/$1/package.json').version"; }
pkglic() { node -p "require('$NM/$1/package.json').license"; }

# Drop the trailing "sourceMappingURL" comment: the .map files are not shipped, and a
# dangling reference gives 404s in dev tools (and breaks ManifestStaticFilesStorage).
copy_min() {
  mkdir -p "$(dirname "$2")"
  sed -E -e 's#/\*[#@] sourceMappingURL=[^*]*\*/##g' -e 's#^//[#@] sourceMappingURL=.*$##' "$1" > "$2"
}

mit_license() { # $1 = copyright line(s)
  cat <<EOF
The MIT License (MIT)

$1

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
EOF
}

OUT="$WORK/out"
mkdir -p "$OUT"

# --- 2. Tabler (CSS + JS; tabler.min.js bundles Bootstrap JS and Popper) ---------------
T="$NM/@tabler/core"
copy_min "$T/dist/css/tabler.min.css" "$OUT/tabler/css/tabler.min.css"
copy_min "$T/dist/js/tabler.min.js" "$OUT/tabler/js/tabler.min.js"
TABLER_COPY="$(sed -n 's/^ *\* *\(Copyright .*\)$/\1/p' "$T/dist/css/tabler.min.css" | head -2)"
[[ -n "$TABLER_COPY" ]] || { echo "could not read Tabler copyright banner" >&2; exit 1; }
if [[ -f "$T/LICENSE" ]]; then
  cp "$T/LICENSE" "$OUT/tabler/LICENSE"
else
  # The npm tarball ships no LICENSE; rebuild upstream's MIT text with the dist banner.
  mit_license "$(sed 's/^Copyright /Copyright (c) /' <<<"$TABLER_COPY")" > "$OUT/tabler/LICENSE"
fi
BOOTSTRAP_VER="$(grep -o 'VERSION(){return"[0-9.]*"}' "$T/dist/js/tabler.min.js" | head -1 | grep -o '[0-9][0-9.]*')"
[[ -n "$BOOTSTRAP_VER" ]] || { echo "could not find the bundled Bootstrap version" >&2; exit 1; }
mit_license "Copyright (c) 2011-2025 The Bootstrap Authors" > "$OUT/tabler/LICENSE-bootstrap"
cp "$NM/@popperjs/core/LICENSE.md" "$OUT/tabler/LICENSE-popper"

# --- 3. ECharts (Apache-2.0; bundles zrender BSD-3 and parts of d3 BSD-3) -------------
E="$NM/echarts"
copy_min "$E/dist/echarts.min.js" "$OUT/echarts/echarts.min.js"
cp "$E/LICENSE" "$E/NOTICE" "$OUT/echarts/"
mkdir -p "$OUT/echarts/licenses"
cp "$E"/licenses/* "$OUT/echarts/licenses/"          # LICENSE refers to /licenses/LICENSE-d3
cp "$NM/zrender/LICENSE" "$OUT/echarts/LICENSE-zrender"

# --- 4. htmx (0BSD) -------------------------------------------------------------------
copy_min "$NM/htmx.org/dist/htmx.min.js" "$OUT/htmx/htmx.min.js"
cp "$NM/htmx.org/LICENSE" "$OUT/htmx/LICENSE"

# --- 5. Be Vietnam Pro (OFL-1.1): 400/500/600/700, subsets vietnamese + latin, woff2 ----
F="$NM/@fontsource/be-vietnam-pro"
mkdir -p "$OUT/fonts/be-vietnam-pro"
cp "$F/LICENSE" "$OUT/fonts/be-vietnam-pro/LICENSE"
node - "$F" "$OUT/fonts" <<'EOF'
// Take the @font-face rules (with their unicode-range) from Fontsource's per-weight CSS,
// keep the vietnamese + latin subsets, woff2 only, and point them at the copied files.
const fs = require("fs");
const path = require("path");
const [pkg, out] = process.argv.slice(2);
const weights = [400, 500, 600, 700];
const subsets = ["vietnamese", "latin"];
const version = require(path.join(pkg, "package.json")).version;
let css = `/* Be Vietnam Pro (SIL OFL 1.1, see be-vietnam-pro/LICENSE), from @fontsource/be-vietnam-pro ${version}.\n` +
  ` * Generated by scripts/vendor.sh: weights ${weights.join("/")}, subsets ${subsets.join(" + ")}, woff2. */\n`;
let n = 0;
for (const w of weights) {
  const src = fs.readFileSync(path.join(pkg, `${w}.css`), "utf8");
  const re = /\/\* (be-vietnam-pro-([a-z-]+)-(\d+)-normal) \*\/\s*@font-face\s*\{([^}]*)\}/g;
  for (const m of src.matchAll(re)) {
    const [, name, subset, weight] = m;
    if (!subsets.includes(subset) || Number(weight) !== w) continue;
    const range = /unicode-range:\s*([^;]+);/.exec(m[4]);
    if (!range) throw new Error(`no unicode-range for ${name}`);
    const file = `${name}.woff2`;
    fs.copyFileSync(path.join(pkg, "files", file), path.join(out, "be-vietnam-pro", file));
    css += `\n/* ${name} */\n@font-face {\n  font-family: 'Be Vietnam Pro';\n  font-style: normal;\n` +
      `  font-display: swap;\n  font-weight: ${w};\n  src: url(be-vietnam-pro/${file}) format('woff2');\n` +
      `  unicode-range: ${range[1].trim()};\n}\n`;
    n++;
  }
}
if (n !== weights.length * subsets.length) throw new Error(`expected ${weights.length * subsets.length} faces, got ${n}`);
fs.writeFileSync(path.join(out, "be-vietnam-pro.css"), css);
EOF

# --- 6. README ------------------------------------------------------------------------
cat > "$OUT/README.md" <<EOF
# Vendored front-end assets / Thư viện giao diện đóng gói sẵn

**Generated by \`scripts/vendor.sh\` — do not edit by hand.** The app works fully offline and
loads nothing from a CDN; every CSS/JS/font file it uses is here. To regenerate this folder, run
\`bash scripts/vendor.sh\` (installs exactly the versions in \`package-lock.json\` with \`npm ci\`
into a temp dir). To upgrade, change the pinned versions in \`package.json\` and run
\`bash scripts/vendor.sh --update\` (also rewrites \`package-lock.json\`). Commit the result.

*Thư mục này do \`scripts/vendor.sh\` sinh ra, không sửa tay. Ứng dụng chạy hoàn toàn offline,
không tải gì từ CDN.*

| package (npm) | version | licence | files here |
| --- | --- | --- | --- |
| \`@tabler/core\` | $(pkgver @tabler/core) | $(pkglic @tabler/core) | \`tabler/css/tabler.min.css\`, \`tabler/js/tabler.min.js\`, \`tabler/LICENSE\` |
| ↳ Bootstrap (bundled in Tabler CSS/JS) | $BOOTSTRAP_VER | MIT | \`tabler/LICENSE-bootstrap\` |
| ↳ \`@popperjs/core\` (bundled in \`tabler.min.js\`) | $(pkgver @popperjs/core) | $(pkglic @popperjs/core) | \`tabler/LICENSE-popper\` |
| \`echarts\` | $(pkgver echarts) | $(pkglic echarts) | \`echarts/echarts.min.js\`, \`echarts/LICENSE\`, \`echarts/NOTICE\`, \`echarts/licenses/LICENSE-d3\` |
| ↳ \`zrender\` (bundled in \`echarts.min.js\`) | $(pkgver zrender) | $(pkglic zrender) | \`echarts/LICENSE-zrender\` |
| \`htmx.org\` | $(pkgver htmx.org) | $(pkglic htmx.org) | \`htmx/htmx.min.js\`, \`htmx/LICENSE\` |
| \`@fontsource/be-vietnam-pro\` | $(pkgver @fontsource/be-vietnam-pro) | $(pkglic @fontsource/be-vietnam-pro) | \`fonts/be-vietnam-pro.css\`, \`fonts/be-vietnam-pro/*.woff2\`, \`fonts/be-vietnam-pro/LICENSE\` |

Notes:

- \`tabler.min.js\` already contains Bootstrap's JS (dropdowns, collapse/navbar toggler, modals,
  tooltips) and Popper, so no separate \`bootstrap.bundle.js\` is needed.
- The \`@tabler/core\` npm package ships no LICENSE file; \`tabler/LICENSE\` is upstream's MIT text
  with the copyright lines from the dist banner. \`tabler/LICENSE-bootstrap\` is Bootstrap's MIT
  text. The other licence files are copied unchanged from the packages.
- The trailing \`sourceMappingURL\` comments are stripped from the minified files, because the
  \`.map\` files are not shipped. Nothing else is changed.
- Font: weights 400, 500, 600, 700 (normal), subsets \`vietnamese\` + \`latin\`, woff2,
  \`font-display: swap\`. Use it with, for example:

  \`\`\`html
  <link rel="stylesheet" href="{% static 'vendor/fonts/be-vietnam-pro.css' %}">
  <link rel="stylesheet" href="{% static 'vendor/tabler/css/tabler.min.css' %}">
  <style>:root { --tblr-font-sans-serif: "Be Vietnam Pro", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }</style>
  \`\`\`
EOF

# --- 7. swap into place ---------------------------------------------------------------
rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
cp -R "$OUT" "$DEST"
echo "vendored into ${DEST#"$ROOT"/}:"
(cd "$DEST" && find . -type f | sort | xargs du -b | awk '{printf "  %9d  %s\n", $1, $2}')
du -sh "$DEST"
