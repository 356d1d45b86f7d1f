#!/usr/bin/env bash
# Reproduces the shipped encoder (and, with --models both, the U-Net): exports the dataset with
# cbmir-data (Java owns all preprocessing: real slices, real nodule crops transplanted into slices
# of their own split, patch records for on-the-fly transplants), then trains, evaluates and
# exports with PyTorch.
#
#   training/train.sh [data folder, default ../shared/data] [train.py options...]
#   training/train.sh ../shared/data --models both          # the U-Net too
#   training/train.sh ../shared/data --device cuda          # on a GPU (PyTorch >= 2)
#
# Needs Debian's PyTorch and ONNX: apt-get install python3-torch python3-onnx
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
shift || true
start=$(date +%s)
mvn -B -q -Pexport-dataset package -DskipTests -Dexport.args="--data $data --out $PWD/target/dataset"
/usr/bin/python3 training/train.py --data target/dataset \
  --out cbmir-onnx/src/main/resources/org/cbmir/onnx/models \
  --golden cbmir-onnx/src/test/resources/golden --models encoder "$@"
echo "training/train.sh took $(( $(date +%s) - start )) s"
