#!/usr/bin/env bash
# npm test: lint, then the type check beside jest (tsc takes a core for a few seconds while jest's
# first seconds mostly wait for DynamoDB Local and the offline stack to start). Arguments go to jest.
set -u
npx biome check . || exit 1
npx tsc --noEmit &
typecheck=$!
npx jest "$@"
tests=$?
wait "$typecheck" || { echo 'npm test: type check failed' >&2; exit 1; }
exit "$tests"
