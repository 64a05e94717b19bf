#!/usr/bin/env bash
# GateWatch developer commands. The README's two commands come here:
#
#   npm start   ->  bash scripts/gatewatch.sh run    set up, build, run a simulated crossing locally
#   npm test    ->  bash scripts/gatewatch.sh test   set up, then lint, typecheck, build and test
#
# Subcommands:
#   setup        system packages (influxdb, influxdb-client, mosquitto, mosquitto-clients, socat, chromium, openssl), pnpm 10,
#                the workspace's node packages. Idempotent: when all is there it takes about a second.
#   test         setup, then lint, typecheck, build, tests; stops at the first failure.
#   run [ARGS]   setup, build, then `node sim/dist/run-local.js ARGS`.
#   eval [ARGS]  node packages (no system packages: the evaluation needs no influxd nor broker),
#                build the simulator and what it uses, then `node sim/dist/eval/main.js ARGS`:
#                the wait estimates of a seeded simulated day against the true waits.
#   fuzz [--seed N] [--inputs N]
#                setup and build (the dashboard targets run against the built server on its own
#                influxd and mosquitto), then the fuzz properties (*.fuzz.test.ts): the serial
#                parsers and the MQTT JSON decoders, and the dashboard server's socket.io events
#                and REST routes, from seed N (default random, printed: `pnpm fuzz --seed N`
#                replays a failure). Inputs per target: each target's own minimum, 10^6 for the
#                parsers and 10^5 for the dashboard targets (each input a round trip to the
#                server process); --inputs N sets N for every target. The test suite runs the
#                same properties seeded and small.
#   bench [ARGS] setup, build, then `node sim/dist/bench/main.js ARGS`: throughput, memory, parsing
#                and web size against the raw limits, with its own influxd and mosquitto
#                (ARGS: [--quick] [--out FILE]; figures to bench/results/).
#
# Works on a fresh Debian 12 with only Node 20 and npm: as root it installs what is missing;
# otherwise it prints the commands to run as root and exits 2.
#
# The Debian influxdb and mosquitto packages may start system-wide services (on 8086 and 1883).
# GateWatch never uses them: tests and the run command start their own influxd and mosquitto on
# free ports of 127.0.0.1 with their own data folders (infra/src/), so a system instance, running
# or not, does not matter.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Commands that setup makes sure of, and the Debian package that provides each.
REQUIRED_COMMANDS=(influxd influx mosquitto mosquitto_sub mosquitto_passwd socat chromium openssl)
declare -A PACKAGE_OF=(
  [influxd]=influxdb
  [influx]=influxdb-client
  [mosquitto]=mosquitto
  # mosquitto_sub: to watch the agents' live topics (the run command prints how).
  [mosquitto_sub]=mosquitto-clients
  # mosquitto_passwd (package mosquitto): the broker's password file (docs/security.md).
  [mosquitto_passwd]=mosquitto
  # The broker security test makes its TLS certificates at test time (never committed).
  [openssl]=openssl
  [socat]=socat
  # The dashboard's browser tests drive Debian's chromium with playwright-core (never a
  # downloaded browser). Measured on Debian 12: about 9 s to install, ~115 MB.
  [chromium]=chromium
)

PNPM_MAJOR=10

# mosquitto is in /usr/sbin, which a non-root PATH often lacks; the tests spawn it by name.
case ":${PATH}:" in *:/usr/sbin:*) ;; *) PATH="${PATH}:/usr/sbin" ;; esac
case ":${PATH}:" in *:/sbin:*) ;; *) PATH="${PATH}:/sbin" ;; esac
export PATH

# ------------------------------------------------------------------------------------------------
# Output helpers

heading() { printf '\n==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() {
  local code="$1"
  shift
  printf '\ngatewatch: %s\n' "$*" >&2
  exit "${code}"
}

# Overridable in tests of this script (source it, then redefine): whether we are root, on Debian,
# and whether a command exists.
is_root() { [[ "$(id -u)" -eq 0 ]]; }
is_debian() { [[ -f /etc/debian_version ]] && command -v apt-get >/dev/null 2>&1; }
have() { command -v "$1" >/dev/null 2>&1; }

# ------------------------------------------------------------------------------------------------
# setup

# Installs the missing system packages, or tells how to.
ensure_system_packages() {
  local missing=() cmd pkg
  for cmd in "${REQUIRED_COMMANDS[@]}"; do
    pkg="${PACKAGE_OF[${cmd}]}"
    if ! have "${cmd}" && [[ " ${missing[*]} " != *" ${pkg} "* ]]; then missing+=("${pkg}"); fi
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    info "system packages: all present (${REQUIRED_COMMANDS[*]})"
    return 0
  fi

  local install="DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if ! is_debian; then
    {
      printf '\ngatewatch: missing system packages: %s\n' "${missing[*]}"
      printf 'This is not a Debian system; install the equivalents with your package manager:\n'
      printf '  InfluxDB 1.x (influxd and the influx CLI), Mosquitto 2 (with mosquitto_passwd), socat, Chromium, OpenSSL\n'
      printf 'On Debian 12 the commands are, as root:\n'
      printf '  apt-get update\n  %s\n' "${install}"
      printf 'then run this command again.\n'
    } >&2
    exit 2
  fi
  if ! is_root; then
    {
      printf '\ngatewatch: missing system packages: %s\n' "${missing[*]}"
      printf 'Installing them needs root. Run:\n'
      printf '  sudo apt-get update\n'
      printf '  sudo apt-get install -y --no-install-recommends %s\n' "${missing[*]}"
      printf 'then run this command again.\n'
    } >&2
    exit 2
  fi

  heading "Installing system packages: ${missing[*]}"
  # Wait for the dpkg lock rather than fail: a fresh machine often runs unattended-upgrades at boot.
  local wait_lock=(-o DPkg::Lock::Timeout=300)
  apt-get "${wait_lock[@]}" update
  DEBIAN_FRONTEND=noninteractive apt-get "${wait_lock[@]}" install -y --no-install-recommends "${missing[@]}"
  for cmd in "${REQUIRED_COMMANDS[@]}"; do
    have "${cmd}" || die 1 "'${cmd}' is still missing after installing ${PACKAGE_OF[${cmd}]}"
  done
}

# The pnpm the workspace pins (package.json "packageManager"), if it is a pnpm 10.
pinned_pnpm() {
  local pm
  pm="$(node -p "require('${ROOT}/package.json').packageManager ?? ''" 2>/dev/null || true)"
  pm="${pm%%+*}" # drop a "+sha512..." suffix
  if [[ "${pm}" == "pnpm@${PNPM_MAJOR}."* ]]; then printf '%s' "${pm}"; else printf 'pnpm@%s' "${PNPM_MAJOR}"; fi
}

# Makes sure `pnpm --version` is 10.x, with npm (corepack is not used: it fails here).
ensure_pnpm() {
  local version spec
  version="$(pnpm --version 2>/dev/null || true)"
  if [[ "${version}" == "${PNPM_MAJOR}."* ]]; then
    info "pnpm ${version}"
    return 0
  fi
  spec="$(pinned_pnpm)"
  heading "Installing ${spec} with npm (found: ${version:-no pnpm})"
  if ! npm install -g "${spec}"; then
    {
      printf '\ngatewatch: could not install pnpm with npm. Run (as root, or with sudo):\n'
      printf '  npm install -g %s\n' "${spec}"
      printf 'then run this command again.\n'
    } >&2
    exit 2
  fi
  hash -r
  version="$(pnpm --version 2>/dev/null || true)"
  [[ "${version}" == "${PNPM_MAJOR}."* ]] ||
    die 1 "pnpm ${PNPM_MAJOR} was installed but \`pnpm --version\` says '${version:-nothing}'; is an older pnpm earlier on PATH ($(command -v pnpm || echo none))?"
  info "pnpm ${version}"
}

# Installs the workspace's node packages exactly as locked.
install_node_packages() {
  if [[ -f "${ROOT}/pnpm-lock.yaml" ]]; then
    pnpm install --frozen-lockfile
  elif [[ "${CI:-}" == "true" ]]; then
    die 1 "pnpm-lock.yaml is missing; CI installs only from a committed lockfile"
  else
    pnpm install
  fi
}

check_node() {
  have node || die 2 "Node.js 20 or newer is needed (node is not on PATH)"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [[ "${major}" -ge 20 ]] || die 2 "Node.js 20 or newer is needed (found $(node --version))"
}

cmd_setup() {
  heading "Setup"
  check_node
  ensure_system_packages
  ensure_pnpm
  install_node_packages
}

# ------------------------------------------------------------------------------------------------
# test

# `step NAME COMMAND...`: runs one step under a heading; on failure says which step failed and
# exits with its code.
STEP=0
STEPS=4
step() {
  local name="$1"
  shift
  STEP=$((STEP + 1))
  heading "[${STEP}/${STEPS}] ${name}"
  local code=0
  "$@" || code=$?
  if [[ ${code} -ne 0 ]]; then die "${code}" "${name} failed (exit ${code})"; fi
}

# Vitest, then one plain closing line with the counts ("N passed, N failed") that CI reads.
run_tests() {
  local results="${ROOT}/test-results/vitest.json" code=0
  mkdir -p "$(dirname "${results}")"
  rm -f "${results}"
  # `pnpm exec`: `pnpm vitest run` would run the root "vitest" script, i.e. `vitest run run`,
  # which filters the test files by the word "run".
  pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="${results}" "$@" || code=$?
  if [[ -f "${results}" ]]; then
    node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
      console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
    ' "${results}" || true
  fi
  return "${code}"
}

cmd_test() {
  cmd_setup
  cd "${ROOT}"
  step "lint (pnpm lint)" pnpm lint
  step "typecheck (pnpm typecheck)" pnpm typecheck
  step "build (pnpm build)" pnpm build
  step "tests (vitest run)" run_tests "$@"
  heading "All checks passed"
}

# ------------------------------------------------------------------------------------------------
# run

# Runs a built entry point (dist path, its source, a heading, then its arguments).
exec_entry() {
  local entry="${ROOT}/$1" source="$2" title="$3"
  shift 3
  [[ -f "${entry}" ]] || die 1 "${entry} does not exist after the build: its source (${source}) is missing"
  heading "${title}"
  exec node "${entry}" "$@"
}

cmd_run() {
  cmd_setup
  cd "${ROOT}"
  heading "Build"
  pnpm build
  exec_entry sim/dist/run-local.js sim/src/run-local.ts "Run" "$@"
}

# ------------------------------------------------------------------------------------------------
# eval

# Setup without the system packages: the evaluation replays the edge in memory.
cmd_setup_node() {
  heading "Setup (node packages)"
  check_node
  ensure_pnpm
  install_node_packages
}

cmd_eval() {
  cmd_setup_node
  cd "${ROOT}"
  heading "Build"
  pnpm --filter "@gatewatch/sim..." run build
  exec_entry sim/dist/eval/main.js sim/src/eval/main.ts "Evaluate" "$@"
}

# ------------------------------------------------------------------------------------------------
# fuzz

cmd_fuzz() {
  local seed="" inputs=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --seed)
        [[ "${2:-}" =~ ^[0-9]{1,10}$ && "${2}" -le 2147483647 ]] || die 2 "fuzz: --seed needs a whole number below 2^31"
        seed="$2"
        shift 2
        ;;
      --inputs)
        [[ "${2:-}" =~ ^[0-9]{1,9}$ && "${2}" -ge 1 ]] || die 2 "fuzz: --inputs needs a whole number from 1"
        inputs="$2"
        shift 2
        ;;
      *) die 2 "fuzz: unknown argument '$1' (usage: fuzz [--seed N] [--inputs N])" ;;
    esac
  done
  # fast-check seeds are 32-bit; 30 random bits are plenty to tell runs apart.
  [[ -n "${seed}" ]] || seed=$((RANDOM * 32768 + RANDOM))
  # The dashboard targets start the built server (dashboard/server/dist/main.js) on a private
  # influxd and mosquitto: the system packages and a build, as for the tests.
  cmd_setup
  cd "${ROOT}"
  heading "Build"
  pnpm build
  # Without --inputs, GATEWATCH_FUZZ_INPUTS stays unset and each target takes its own minimum
  # (fuzzSettings in shared/src/fuzzing.ts): 10^6 for the parsers, 10^5 for the dashboard's
  # socket.io events and REST routes.
  local -a inputs_env=(-u GATEWATCH_FUZZ_INPUTS)
  local per_target="at least 10^6 inputs per parser target and 10^5 per dashboard server target"
  local replay="pnpm fuzz --seed ${seed}"
  if [[ -n "${inputs}" ]]; then
    inputs_env=(GATEWATCH_FUZZ_INPUTS="${inputs}")
    per_target="at least ${inputs} inputs per target"
    replay="${replay} --inputs ${inputs}"
  fi
  heading "Fuzz: seed ${seed}, ${per_target} (replay: ${replay})"
  local started=${SECONDS} code=0 report
  report="$(mktemp)"
  # One target per test, a few per file, and a worker per core (vitest leaves one core free by
  # default): the files run side by side.
  env "${inputs_env[@]}" GATEWATCH_FUZZ=long GATEWATCH_FUZZ_SEED="${seed}" GATEWATCH_FUZZ_REPORT="${report}" \
    pnpm exec vitest run --reporter=default --maxWorkers=100% fuzz.test || code=$?
  heading "Fuzz targets (seed ${seed})"
  sort "${report}" | sed 's/^/    /'
  rm -f "${report}"
  if [[ ${code} -ne 0 ]]; then die "${code}" "fuzz failed (seed ${seed}); replay: ${replay}"; fi
  heading "Fuzz passed in $((SECONDS - started)) s (seed ${seed})"
}

# ------------------------------------------------------------------------------------------------
# bench

# Needs influxd and mosquitto (started privately on free ports), the edge agent, and the built web app.
cmd_bench() {
  cmd_setup
  cd "${ROOT}"
  heading "Build"
  pnpm build
  exec_entry sim/dist/bench/main.js sim/src/bench/main.ts "Benchmark" "$@"
}

# ------------------------------------------------------------------------------------------------

usage() {
  cat <<'EOF'
usage: bash scripts/gatewatch.sh <command> [args]

  setup        install what GateWatch needs (system packages, pnpm 10, node packages)
  test [ARGS]  setup, then lint, typecheck, build and tests (ARGS go to vitest)
  run [ARGS]   setup, build, and run a simulated crossing locally (ARGS go to run-local)
  eval [ARGS]  node setup, build, and score the wait estimates of a seeded simulated day
               (ARGS: [--seed N] [--day YYYY-MM-DD] [--no-faults])
  fuzz [ARGS]  setup and build, then fuzz the serial parsers and the MQTT JSON decoders with at
               least 10^6 inputs each, and the dashboard server's socket.io events and REST
               routes (the built server on its own influxd and mosquitto) with at least 10^5
               each (ARGS: [--seed N] [--inputs N]; --inputs sets N for every target)
  bench [ARGS] setup, build, and measure GateWatch against the raw limits of its parts
               (ARGS: [--quick] [--out FILE]; figures to bench/results/)
EOF
}

main() {
  cd "${ROOT}"
  local command="${1:-}"
  shift || true
  case "${command}" in
    setup) cmd_setup ;;
    test) cmd_test "$@" ;;
    run) cmd_run "$@" ;;
    eval) cmd_eval "$@" ;;
    fuzz) cmd_fuzz "$@" ;;
    bench) cmd_bench "$@" ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

# Run main only when executed, so that the functions can be sourced (and tested) on their own.
if [[ "${BASH_SOURCE[0]}" == "${0}" ]]; then
  main "$@"
fi
