#!/usr/bin/env bash
# System packages Magpie needs: ffmpeg (decodes voice notes for Whisper), espeak-ng (speech
# for tests and the bundled voice example), chromium and an emoji font (the browser test),
# cmake/g++ (builds llama-cpp-python). Installs only what is missing; needs root or sudo.
set -euo pipefail
need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v chromium >/dev/null || need+=(chromium)
command -v cmake >/dev/null || need+=(cmake)
command -v g++ >/dev/null || need+=(g++)
# Headless Chromium draws 👍/👎 as empty boxes without a colour emoji font (browser screenshots).
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || need+=(fonts-noto-color-emoji)
# Real English recordings for `magpie eval speech` (its tests report 0 recordings without them).
dpkg -s tuxpaint-stamps-default >/dev/null 2>&1 || need+=(tuxpaint-stamps-default)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing system packages: ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
