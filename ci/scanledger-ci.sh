#!/usr/bin/env bash
# The ScanLedger step of a CI pipeline, shared by the GitHub Action (ci/github/action.yml) and
# the GitLab CI template (ci/gitlab/scanledger.gitlab-ci.yml): upload the scanners' reports to
# a ScanLedger server, run the release gate, and write what the gate said as Markdown (the
# GitHub job summary), and optionally as JUnit (GitLab merge request widget) and SARIF (GitHub
# code scanning).
#
# Environment:
#   SCANLEDGER_URL       the server (required)
#   SCANLEDGER_TOKEN     an uploader token; when unset or empty, the job's OIDC token is
#                        exchanged for a short-lived one (`scanledger token exchange`, once for
#                        every step below): SCANLEDGER_OIDC_TOKEN (GitLab's `id_tokens:`), else
#                        GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN (the workflow
#                        grants `permissions: id-token: write`; the audience asked for is
#                        SCANLEDGER_OIDC_AUDIENCE, else SCANLEDGER_URL)
#   SCANLEDGER_PROJECT, SCANLEDGER_RELEASE                                   (required)
#   SCANLEDGER_REPORTS   report files, separated by spaces or newlines; globs are expanded
#   SCANLEDGER_FAIL_ON   severity that blocks (default: the project's policy, else high)
#   SCANLEDGER_REQUIRE   tools that must have a scan, comma-separated
#   SCANLEDGER_SUMMARY   Markdown file to append to (default $GITHUB_STEP_SUMMARY, else
#                        scanledger-summary.md)
#   SCANLEDGER_JUNIT, SCANLEDGER_SARIF   files to write the gate as JUnit XML / SARIF (optional)
#   SCANLEDGER_BIN       the scanledger binary (default: scanledger on PATH)
# Exit code: 0 the release passed, 1 the gate blocked it, 2 an error (nothing could be decided).
set -euo pipefail

: "${SCANLEDGER_URL:?SCANLEDGER_URL is not set}"
: "${SCANLEDGER_PROJECT:?SCANLEDGER_PROJECT is not set}"
: "${SCANLEDGER_RELEASE:?SCANLEDGER_RELEASE is not set}"
bin="${SCANLEDGER_BIN:-scanledger}"
export SCANLEDGER_URL

# No stored secret: one exchange of the job's OIDC token, whose ScanLedger token every step
# below then uses (a GitLab job token is taken once, so each step must not exchange its own).
if [ -z "${SCANLEDGER_TOKEN:-}" ]; then
  unset SCANLEDGER_TOKEN
  echo "scanledger-ci: no SCANLEDGER_TOKEN: exchanging this job's OIDC token" >&2
  SCANLEDGER_TOKEN="$("$bin" token exchange)" || exit 2
  # GitHub: keep the token out of the log should anything echo it.
  if [ "${GITHUB_ACTIONS:-}" = true ]; then echo "::add-mask::$SCANLEDGER_TOKEN"; fi
fi
export SCANLEDGER_TOKEN
summary="${SCANLEDGER_SUMMARY:-${GITHUB_STEP_SUMMARY:-scanledger-summary.md}}"
project="$SCANLEDGER_PROJECT"
release="$SCANLEDGER_RELEASE"

reports=()
# shellcheck disable=SC2206 # word splitting and globbing of the list are wanted
for pattern in ${SCANLEDGER_REPORTS:-}; do
  [ -e "$pattern" ] || { echo "scanledger-ci: no report at $pattern" >&2; exit 2; }
  reports+=("$pattern")
done

gate_args=(--project "$project" --release "$release")
[ -n "${SCANLEDGER_FAIL_ON:-}" ] && gate_args+=(--fail-on "$SCANLEDGER_FAIL_ON")
IFS=',' read -r -a required <<<"${SCANLEDGER_REQUIRE:-}"
for tool in "${required[@]}"; do
  [ -n "$tool" ] && gate_args+=(--require "$tool")
done

if [ ${#reports[@]} -gt 0 ]; then
  echo "scanledger-ci: uploading ${#reports[@]} report(s) to $project $release" >&2
  "$bin" upload --project "$project" --release "$release" "${reports[@]}" >&2 || exit 2
fi

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
set +e
"$bin" gate "${gate_args[@]}" --format text >"$out" 2>&1
code=$?
set -e
case "$code" in
  0) verdict="passed" ;;
  1) verdict="blocked" ;;
  *) verdict="error" ;;
esac
cat "$out" >&2

{
  case "$verdict" in
    passed) printf '## ScanLedger gate: passed\n\n' ;;
    blocked) printf '## ScanLedger gate: blocked\n\n' ;;
    *) printf '## ScanLedger gate: error\n\n' ;;
  esac
  printf 'Project `%s`, release `%s`' "$project" "$release"
  [ ${#reports[@]} -gt 0 ] && printf ', %d report(s) uploaded' "${#reports[@]}"
  printf '.\n\n```text\n'
  cat "$out"
  printf '```\n'
} >>"$summary"

if [ "$code" -le 1 ]; then
  if [ -n "${SCANLEDGER_JUNIT:-}" ]; then
    "$bin" gate "${gate_args[@]}" --format junit >"$SCANLEDGER_JUNIT" || [ $? -eq 1 ] || exit 2
  fi
  if [ -n "${SCANLEDGER_SARIF:-}" ]; then
    "$bin" gate "${gate_args[@]}" --format sarif >"$SCANLEDGER_SARIF" || [ $? -eq 1 ] || exit 2
  fi
fi
exit "$code"
