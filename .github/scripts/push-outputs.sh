#!/usr/bin/env bash
# Commit the stored outputs and push them to main, surviving a main that moved meanwhile.
#
#   push-outputs.sh BRANCH MERGE_COMMAND...
#
# MERGE_COMMAND writes the new outputs into the working tree (e.g. `python -m book
# merge shards/*`); it has already run once. Each failed push fetches BRANCH and rebases the
# outputs commit onto it; when the rebase conflicts (another run stored outputs of the same
# snippets), the tree is reset to the new BRANCH and MERGE_COMMAND runs again on top of it,
# so the outputs of this run are merged with, not written over, what is there now.
set -euo pipefail

branch="$1"
shift
attempts="${PUSH_ATTEMPTS:-5}"
message="${COMMIT_MESSAGE:-Store full-mode outputs from the GPU run}"

commit_outputs() {
  # One '*' also matches '/' in a pathspec: every store file, at any depth.
  git add -- 'snippets/*.outputs.json'
  if git diff --cached --quiet; then
    echo "no outputs changed"
    return 1
  fi
  git commit -q -m "$message"
}

if ! commit_outputs; then
  exit 0
fi
for attempt in $(seq 1 "$attempts"); do
  if git push -q origin "HEAD:$branch"; then
    echo "pushed the outputs (attempt $attempt)"
    exit 0
  fi
  sleep "$(( attempt * ${PUSH_BACKOFF_S:-10} ))"
  git fetch -q origin "$branch"
  if ! git rebase -q "origin/$branch"; then
    echo "the rebase conflicted: merging this run's outputs again onto the new $branch"
    git rebase --abort
    git reset -q --hard "origin/$branch"
    "$@"
    commit_outputs || exit 0
  fi
done
echo "::error::could not push the outputs to $branch after $attempts attempts"
exit 1
