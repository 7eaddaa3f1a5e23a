#!/usr/bin/env bash
# The whole test suite, as CI runs it: dependencies, then every module's unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
exec ./mvnw -B verify "$@"
