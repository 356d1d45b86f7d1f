#!/usr/bin/env bash
# Reproduces both shipped models: exports the dataset with cbmir-data (Java owns all
# preprocessing), then trains, evaluates and exports them with PyTorch on the CPU.
#
#   training/train.sh [data folder, default ../shared/data]
#
# Needs Debian's PyTorch and ONNX: apt-get install python3-torch python3-onnx
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
mvn -B -q -Pexport-dataset package -DskipTests -Dexport.args="--data $data --out target/dataset"
/usr/bin/python3 training/train.py --data target/dataset \
  --out cbmir-onnx/src/main/resources/org/cbmir/onnx/models \
  --golden cbmir-onnx/src/test/resources/golden
