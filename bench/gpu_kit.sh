#!/usr/bin/env bash
# Carry bench/transcribe_gpu to a lent GPU machine (no network, no ffmpeg, Python 3.12 with torch,
# numpy, numba, tiktoken, onnxruntime, huggingface-hub, tqdm) in three device calls of < 64 MiB.
#
#   bench/gpu_kit.sh make        here: build the git-ignored folders .gpu1 .gpu2 .gpu3 (<= 50 MB
#                                each): var/models/base-openai.pt split in three (manage.py
#                                whisper_prepare makes it), its sha256, the wheels the machine
#                                lacks (openai-whisper, more-itertools, faster-whisper for its VAD
#                                only) and the synthetic Japanese meeting as int16 .npy.
#   bench/gpu_kit.sh 1 | 2       there, carrying .gpu1 / .gpu2: copy into $KIT (1 also installs
#                                the wheels into $SITE and checks the imports)
#   bench/gpu_kit.sh 3 [ARGS]    there, carrying .gpu3: copy, join, check sha256, run
#                                bench/transcribe_gpu ARGS (figures also in $OUT/transcribe_gpu.json)
# The three calls must reach the same warm machine: $KIT lives in its /tmp.
# Defaults: KIT=/tmp/kit SITE=/tmp/site PY=python3 (here: PY=.venv/bin/python KIT=/tmp/kit-test ...).
set -euo pipefail
cd "$(dirname "$0")/.."
KIT=${KIT:-/tmp/kit} SITE=${SITE:-/tmp/site} PY=${PY:-python3}
CKPT=base-openai.pt
LIMIT=50000000
step=${1:?usage: bench/gpu_kit.sh make|1|2|3 [bench args]}
shift

install_wheels() {
  rm -rf "$SITE"
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$SITE" "$KIT"/*.whl ||
    "$PY" -c 'import sys, zipfile; [zipfile.ZipFile(w).extractall(sys.argv[1]) for w in sys.argv[2:]]' \
      "$SITE" "$KIT"/*.whl  # all pure Python: unzipping is installing
}

case $step in
make)
  src=var/models/$CKPT
  test -f "$src" || { echo "no $src: run manage.py whisper_prepare" >&2; exit 1; }
  rm -rf .gpu1 .gpu2 .gpu3 && mkdir -p .gpu1 .gpu2 .gpu3
  (cd var/models && sha256sum $CKPT) > .gpu1/$CKPT.sha256
  tmp=$(mktemp -d)
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d .gpu1 more-itertools==11.2.1 faster-whisper==1.2.1
  # openai-whisper publishes no wheel: build the pure-Python one from its sdist.
  python3 -m pip wheel -q --no-deps -w "$tmp" openai-whisper==20250625 && cp "$tmp"/openai_whisper-*.whl .gpu1/
  .venv/bin/python bench/transcribe_gpu --export-audio .gpu1
  # Parts aa, ab (equal) go to .gpu2, .gpu3; the smaller ac joins the wheels and audio in .gpu1.
  extra=$(du -sb .gpu1 | cut -f1) total=$(stat -c %s "$src")
  split -b $(((total + extra + 2) / 3)) -a 2 "$src" "$tmp/$CKPT.part-"
  mv "$tmp/$CKPT.part-aa" .gpu2/ && mv "$tmp/$CKPT.part-ab" .gpu3/ && mv "$tmp/$CKPT.part-ac" .gpu1/
  rm -rf "$tmp"
  du -sb .gpu1 .gpu2 .gpu3
  for d in .gpu1 .gpu2 .gpu3; do
    [ "$(du -sb $d | cut -f1)" -le $LIMIT ] || { echo "$d is over $LIMIT bytes" >&2; exit 1; }
  done
  ;;
1|2)
  mkdir -p "$KIT" && cp -f .gpu$step/* "$KIT"/ && ls -l "$KIT"
  if [ "$step" = 1 ]; then
    install_wheels
    PYTHONPATH=$SITE "$PY" -c 'import torch, whisper, numba, onnxruntime, tiktoken, more_itertools; print("python", __import__("sys").version.split()[0], "torch", torch.__version__, "cuda", torch.cuda.is_available() and torch.cuda.get_device_name(0), "whisper", whisper.__version__)'
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv || true
    echo "C compiler (triton needs one): $(command -v cc gcc | head -1); ffmpeg: $(command -v ffmpeg || echo none)"
  fi
  ;;
3)
  mkdir -p "$KIT" && cp -f .gpu3/* "$KIT"/
  for p in aa ab ac; do
    test -f "$KIT/$CKPT.part-$p" || { echo "missing $KIT/$CKPT.part-$p: not the same warm machine? rerun steps 1 and 2" >&2; exit 1; }
  done
  cat "$KIT/$CKPT".part-a? > "$KIT/$CKPT"
  (cd "$KIT" && sha256sum -c $CKPT.sha256)
  test -f "$SITE/whisper/__init__.py" || install_wheels
  PYTHONPATH=$SITE "$PY" bench/transcribe_gpu --checkpoint "$KIT/$CKPT" --kit "$KIT" \
    --json "${OUT:-$KIT}/transcribe_gpu.json" "$@"
  ;;
*) echo "unknown step $step" >&2; exit 2 ;;
esac
