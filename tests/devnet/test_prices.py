"""The price feed: synthetic series, CSV and test rows, windows as a query at time t sees them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from eth_abi import decode, encode

from og_alpha import PRICE_FEED_PRECOMPILE_ADDRESS, CandleType, wire
from og_devnet import Devnet, PriceDataError, PriceFeed
from tests.conftest import FIXTURES

CSV = FIXTURES / "prices" / "eth_usd_1m.csv"
T0 = 1_735_689_600


def feed(now: int = T0 + 86_400) -> PriceFeed:
    return PriceFeed(clock=lambda: now, gaps=lambda b, q: [])


@pytest.mark.parametrize(
    ("pair", "duration"), [(("ETH", "USD"), 1), (("BTC", "USD"), 60), (("ETH", "BTC"), 5)]
)
def test_synthetic_candles_are_plausible_aligned_and_complete(pair, duration) -> None:
    end = T0 + 12_345
    candles = feed().candles(*pair, duration, 500, end=end)
    span = duration * 60
    assert len(candles) == 500
    assert np.all(candles.timestamps % span == 0)
    assert np.all(np.diff(candles.timestamps) == span)
    assert candles.timestamps[-1] + span <= end < candles.timestamps[-1] + 2 * span
    o, h, lo, c, v = candles.values.T
    assert np.all(h >= np.maximum(o, c)) and np.all(lo <= np.minimum(o, c))
    assert np.all(v >= 0) and np.all(lo > 0)
    assert np.all(np.abs(np.diff(np.log(c))) < 0.05)  # no wild jumps


def test_synthetic_series_is_deterministic_and_consistent_across_windows() -> None:
    a = feed().candles("ETH", "USD", 1, 100, end=T0 + 6000)
    b = feed().candles("ETH", "USD", 1, 40, end=T0 + 6000)
    np.testing.assert_array_equal(a.values[-40:], b.values)
    five = feed().candles("ETH", "USD", 5, 4, end=T0 + 6000)
    # a 5-minute candle aggregates the five 1-minute candles it covers
    ones = feed().candles("ETH", "USD", 1, 20, end=T0 + 6000).values
    assert five.values[-1, 0] == ones[-5, 0] and five.values[-1, 3] == ones[-1, 3]
    assert five.values[-1, 1] == ones[-5:, 1].max() and five.values[-1, 2] == ones[-5:, 2].min()
    assert not np.array_equal(
        a.values[:, 3], feed().candles("BTC", "USD", 1, 100, end=T0 + 6000).values[:, 3]
    )


def test_tensor_picks_columns_in_requested_order() -> None:
    candles = feed().candles("ETH", "USD", 1, 3, end=T0 + 600)
    tensor = candles.tensor([CandleType.CLOSE, CandleType.VOLUME], order=1)
    np.testing.assert_array_equal(tensor, candles.values[::-1][:, [3, 4]])


def test_load_csv_serves_its_rows() -> None:
    prices = feed()
    assert prices.load_csv(CSV, "eth", "usd") == 1440
    candles = prices.candles("ETH", "USD", 1, 10, end=T0 + 600)
    assert candles.timestamps[0] == T0 and candles.timestamps[-1] == T0 + 540
    first = CSV.read_text().splitlines()[1].split(",")
    np.testing.assert_array_equal(candles.values[0], [float(x) for x in first[1:]])
    with pytest.raises(PriceDataError, match="not enough ETH/USD 1m history"):
        prices.candles("ETH", "USD", 1, 11, end=T0 + 600)
    with pytest.raises(PriceDataError, match="price data ends at"):
        prices.candles("ETH", "USD", 1, 10, end=T0 + 2 * 86_400)


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ([[T0, 10, 9, 8, 9.5, 1]], "implausible candle"),
        ([[T0 + 30, 10, 11, 9, 10, 1]], "not aligned"),
        ([[T0, 10, 11, 9, 10, -1]], "implausible"),
        ([[T0, "x", 11, 9, 10, 1]], "must be numbers"),
        ([[T0, 10, 11, 9]], "expected 6 values"),
        ([[T0, float("nan"), 11, 9, 10, 1]], "finite"),
    ],
)
def test_bad_rows_are_refused_and_change_nothing(rows, problem) -> None:
    prices = feed()
    prices.set_candles("TST", "USD", 1, [[T0 - 60, 10, 11, 9, 10, 1]])
    before = prices.state()
    with pytest.raises(PriceDataError, match=problem):
        prices.set_candles("TST", "USD", 1, [[T0 + 60, 10, 11, 9, 10, 1], *rows])
    assert repr(prices.state()) == repr(before)


def test_bad_csv_names_the_file(tmp_path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("time,open\n1,2\n")
    with pytest.raises(PriceDataError, match="missing column"):
        feed().load_csv(path, "A", "B")
    with pytest.raises(PriceDataError, match="cannot read"):
        feed().load_csv(tmp_path / "none.csv", "A", "B")


def test_unknown_pair_and_bad_counts() -> None:
    with pytest.raises(PriceDataError, match="unknown pair XYZ/USD"):
        feed().candles("XYZ", "USD", 1, 5)
    with pytest.raises(PriceDataError, match="count must be"):
        feed().candles("ETH", "USD", 1, 0)
    with pytest.raises(PriceDataError, match="duration must be"):
        feed().candles("ETH", "USD", 0, 5)


def _query(devnet: Devnet, query: tuple) -> bytes:
    data = wire.QUERY_HISTORICAL_CANDLES + encode([wire.HISTORICAL_QUERY], [query])
    return devnet.web3.eth.call({"to": PRICE_FEED_PRECOMPILE_ADDRESS, "data": data})


def test_query_historical_candles_precompile_returns_the_candles(og_devnet: Devnet) -> None:
    raw = _query(og_devnet, ("ETH", "USD", 4, 1, 0, [3, 2]))
    numbers = decode([f"{wire.NUMBER}[]"], raw)[0]
    # eth_call runs in a block one second after the latest
    want = og_devnet.prices.candles("ETH", "USD", 1, 4, end=og_devnet.now + 1).tensor([3, 2])
    np.testing.assert_array_equal([wire.number_to_float(*n) for n in numbers], want.reshape(-1))


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        (("ETH", "USD", 0, 1, 0, [3]), "total_candles must be at least 1"),
        (("ETH", "USD", 5, 1, 0, []), "candle_types is empty"),
        (("ETH", "USD", 5, 1, 0, [9]), "unknown candle type"),
        (("ETH", "USD", 5, 1, 7, [3]), "unknown order"),
        (("NOPE", "USD", 5, 1, 0, [3]), "unknown pair NOPE/USD"),
    ],
)
def test_bad_queries_revert_with_reasons(og_devnet: Devnet, query: tuple, problem: str) -> None:
    with pytest.raises(Exception, match=problem):
        _query(og_devnet, query)


def test_price_gap_fault_is_an_error(og_devnet: Devnet) -> None:
    og_devnet.faults.price_gap("ETH", "USD", og_devnet.now - 300, og_devnet.now - 240)
    with pytest.raises(PriceDataError, match="gap in price data"):
        og_devnet.prices.candles("ETH", "USD", 1, 10)


def test_malformed_call_data_reverts(og_devnet: Devnet) -> None:
    for data in (b"", b"\x01\x02", wire.QUERY_HISTORICAL_CANDLES + b"\x00" * 7):
        with pytest.raises(Exception, match="unknown function selector|malformed call data"):
            og_devnet.web3.eth.call({"to": PRICE_FEED_PRECOMPILE_ADDRESS, "data": data})


@pytest.mark.parametrize(
    ("call", "problem"),
    [
        (lambda p: p.add_synthetic("ETH", "EUR", "abc"), "start_price must be a positive number"),
        (lambda p: p.add_synthetic("ETH", "EUR", True), "start_price must be a positive number"),
        (lambda p: p.set_candles("ETH", "USD", 1, 5), "rows must be a list of"),
        (lambda p: p.set_candles("ETH", "USD", 1, "rows"), "rows must be a list of"),
        (lambda p: p.set_candles("ETH", "USD", 1, [5]), "row 0: expected a list of 6 values"),
        (
            lambda p: p.set_candles("ETH", "USD", 1, [[float("inf"), 1, 1, 1, 1, 1]]),
            "row 0: values must be numbers",
        ),
        (lambda p: p.candles("ETH", "USD", 1, None), "candle count must be an int 1..10000"),
        (lambda p: p.candles("ETH", "USD", 1, 2.5), "candle count must be an int 1..10000"),
        (lambda p: p.candles("ETH", "USD", 1, 5, end="x"), "end must be a unix time"),
    ],
)
def test_price_calls_refuse_bad_arguments_with_the_devnets_error(
    og_devnet: Devnet, call: Any, problem: str
) -> None:
    """These raised TypeError or OverflowError (no name of the problem) before."""
    before = og_devnet.prices.state()
    with pytest.raises(PriceDataError, match=problem):
        call(og_devnet.prices)
    assert og_devnet.prices.state() == before


def test_a_csv_that_is_not_text_is_refused_by_name(og_devnet: Devnet, tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_bytes(b"\xff\xfe\x00 a binary file")  # was a bare UnicodeDecodeError
    with pytest.raises(PriceDataError) as info:
        og_devnet.prices.load_csv(path, "ETH", "USD")
    assert str(info.value).startswith(f"{path}: not a readable CSV text file")


def test_an_answer_is_kept_only_while_its_data_is_the_same() -> None:
    gaps: list[tuple[int, int]] = []
    prices = PriceFeed(clock=lambda: T0 + 86_400, gaps=lambda b, q: list(gaps))
    first = prices.candles("ETH", "USD", 1, 5, end=T0 + 600)
    assert prices.candles("ETH", "USD", 1, 5, end=T0 + 600) is first  # kept
    with pytest.raises(ValueError, match="read-only"):
        first.values[0, 0] = 1.0  # shared: nobody may change it
    saved = prices.state()
    opens = [int(t) for t in first.timestamps]
    prices.set_candles("ETH", "USD", 1, [[t, 1.0, 2.0, 0.5, 1.5, 10.0] for t in opens])
    rows = prices.candles("ETH", "USD", 1, 5, end=T0 + 600)
    assert rows.values[:, 3].tolist() == [1.5] * 5  # the new rows, not the kept series
    prices.restore(saved)
    again = prices.candles("ETH", "USD", 1, 5, end=T0 + 600)  # the series again
    assert again.values.tolist() == first.values.tolist()
    gaps.append((opens[2], opens[2] + 60))  # a fault: checked on every query, kept or not
    with pytest.raises(PriceDataError, match="gap in price data"):
        prices.candles("ETH", "USD", 1, 5, end=T0 + 600)
    numbers = first.numbers([CandleType.CLOSE, CandleType.OPEN], 1)
    assert first.numbers([CandleType.CLOSE, CandleType.OPEN], 1) is numbers
    assert numbers == wire.encode_tensor("candles", first.tensor([3, 2], 1))[1][1:]
