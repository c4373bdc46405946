"""Deploy an ETH/USD price workflow, schedule it, and read its results.

The same code runs on the local devnet and on the Alpha Testnet; on the devnet the clock is
advanced so the schedule runs at once, on the real network the scheduler runs it in real time.

    python examples/workflow.py
    OG_NETWORK=alpha OG_PRIVATE_KEY=0x... OG_MODEL_CID=Qm... python examples/workflow.py
"""

import os
from pathlib import Path

from og_alpha import (
    CandleOrder,
    CandleType,
    HistoricalInputQuery,
    SchedulerParams,
    connect,
)

MODEL_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "models" / "ohlc.onnx"

alpha = connect()
cid = os.environ.get("OG_MODEL_CID")
if alpha.devnet is not None and not cid:  # a devnet: add the model file (with a CID given, the
    cid = alpha.devnet.models.add(MODEL_FILE)  # devnet fetches it from its --model-source)
if not cid:
    raise SystemExit("set OG_MODEL_CID to a model taking open_high_low_close: float32 [N, 4]")

query = HistoricalInputQuery(
    base="ETH",
    quote="USD",
    total_candles=10,
    candle_duration_in_mins=1,
    order=CandleOrder.ASCENDING,
    candle_types=[CandleType.OPEN, CandleType.HIGH, CandleType.LOW, CandleType.CLOSE],
)
address = alpha.new_workflow(
    cid, query, "open_high_low_close", SchedulerParams(frequency=60, duration_hours=1)
)
print("workflow:", address)
print("run now:", alpha.run_workflow(address).numbers)

if alpha.devnet is not None:
    alpha.devnet.advance(10 * 60)  # ten minutes of schedule, in a moment

for i, output in enumerate(alpha.read_workflow_history(address, 5), 1):
    print(f"result -{i}:", output.numbers)
