"""Run a model on chain. The same code runs on the local devnet and on the Alpha Testnet.

python examples/infer.py                                   # in-process devnet
OG_NETWORK=devnet python examples/infer.py                 # a running `og devnet`
OG_NETWORK=alpha OG_PRIVATE_KEY=0x... OG_MODEL_CID=Qm... python examples/infer.py
"""

import os
from pathlib import Path

from og_alpha import InferenceMode, connect

MODEL_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "models" / "linear.onnx"

alpha = connect()  # network from OG_NETWORK / og.toml, "local" by default
cid = os.environ.get("OG_MODEL_CID")
if alpha.devnet is not None and not cid:  # a devnet: add the model file (with a CID given, the
    cid = alpha.devnet.models.add(MODEL_FILE)  # devnet fetches it from its --model-source)
if not cid:
    raise SystemExit("set OG_MODEL_CID to the Model Hub CID of a model taking x: float32 [1, 3]")

result = alpha.infer(cid, InferenceMode.VANILLA, {"x": [[1.0, 2.0, 3.0]]})
print("transaction:", result.transaction_hash)
for name, value in result.model_output.items():
    print(f"{name} = {value}")
