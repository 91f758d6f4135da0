#!/bin/sh
# The repository stands alone: no file in it cites a document that only exists outside it (the design
# notes the project was started from). What the code relies on is stated in docs/; cite that instead.
# Usage: standalone_test.sh SOURCE_DIR [GIT]. Lists the tracked files with git; in a source tree without
# git (an unpacked archive) it searches every file under SOURCE_DIR except build trees. Never passes
# without having searched: no files to search is a failure.
set -u
src=${1:?usage: standalone_test.sh SOURCE_DIR [GIT]}
git=${2:-git}
self=tests/repo/standalone_test.sh
pattern='\.\./shared|CONTRACTS\.md|STYLE\.md|QT_NOTES\.md|FORMATS\.md|LSTMVIS\.md'

cd "$src" || { echo "FAIL: cannot enter source directory $src"; exit 1; }
if [ ! -f "$self" ]; then
  echo "FAIL: $src is not the LSTMScope source directory (no $self)"
  exit 1
fi

if "$git" -C . rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  how="tracked files (git ls-files)"
  count=$("$git" ls-files | wc -l)
  hits=$("$git" grep -I -n -E "$pattern" -- . ":(exclude)$self")
else
  how="files under $src (git unavailable: searched with find)"
  count=$(find . \( -path ./build -o -path './build-*' -o -path ./.git \) -prune -o -type f -print | wc -l)
  hits=$(find . \( -path ./build -o -path './build-*' -o -path ./.git \) -prune -o -type f ! -path "./$self" -print |
    LC_ALL=C xargs grep -I -n -E "$pattern" /dev/null)
fi

if [ "$count" -lt 10 ]; then
  echo "FAIL: found only $count file(s) in $how; refusing to pass without having searched the repository"
  exit 1
fi
if [ -n "$hits" ]; then
  echo "FAIL: these lines cite documents outside the repository; cite the docs/ file that states it instead:"
  echo "$hits"
  exit 1
fi
echo "OK: no citation of a document outside the repository in $count $how"
