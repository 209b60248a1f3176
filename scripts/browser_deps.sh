#!/usr/bin/env bash
# What the browser check of the built book (`make check-html`) and `make pdf` need from Debian: chromium (driven by
# Playwright, never a browser download), fonts-noto-cjk (so Chinese text renders) and poppler-utils (the check reads
# the PDFs with pdfinfo, pdffonts and pdftotext). Run as root (CI, containers), it installs
# the missing ones; otherwise it prints the exact command to run and fails.
set -euo pipefail
packages=(chromium fonts-noto-cjk poppler-utils)
if [ -n "${CHROMIUM:-}" ] && [ -x "${CHROMIUM}" ]; then
  packages=(fonts-noto-cjk poppler-utils)  # a chromium of your own (tests/book_html reads $CHROMIUM)
fi
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  echo "browser check: installing Debian's ${missing[*]} ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
  echo "The browser check needs Debian's ${missing[*]}, which are not installed. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  echo "then run the check again: make check-html" >&2
  exit 1
fi
