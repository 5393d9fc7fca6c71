import ExchangeTestSupport
import History
import PropertyBased
import Testing

struct CandleAggregationTests {
    @Test func minuteCandlesEqualThePlainAggregationInAnyOrder() async {
        await propertyCheck(count: 60, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 1...400)) { seed, count in
            let trades = HistoryWorkload.trades(count: count, seed: seed)
            let expected = HistoryWorkload.referenceCandles(trades)
            #expect(CandleAggregation.minuteCandles(trades) == expected)
            #expect(CandleAggregation.minuteCandles(trades.reversed()) == expected)
            // Batch by batch, as the stage folds them.
            var candles: [CandleKey: Candle] = [:]
            for start in stride(from: 0, to: trades.count, by: 17) {
                var batch: [CandleKey: Candle] = [:]
                CandleAggregation.add(trades[start..<min(start + 17, trades.count)], to: &batch)
                for (key, candle) in batch { candles[key] = candles[key].map { $0.merged(with: candle) } ?? candle }
            }
            #expect(candles.values.sorted { $0.key < $1.key } == expected)
        }
    }

    @Test func coarserIntervalsEqualTheirOwnAggregation() async {
        await propertyCheck(count: 40, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            // 30 s apart on average: a few hours, crossing several 60-minute candles.
            let trades = HistoryWorkload.trades(count: 500, symbols: 2, spacing: 30_000, seed: seed)
            let minutes = CandleAggregation.minuteCandles(trades)
            for interval in CandleInterval.allCases {
                let bySymbol = Dictionary(grouping: minutes, by: \.symbol)
                let derived = bySymbol.keys.sorted().flatMap { CandleAggregation.coarsen(bySymbol[$0] ?? [], to: interval) }
                #expect(derived == HistoryWorkload.referenceCandles(trades, interval: interval), "\(interval)")
            }
        }
    }

    @Test func intervalStartsAreFloorsAlsoBefore1970() {
        #expect(CandleInterval.minute.start(of: 119_999) == 60_000)
        #expect(CandleInterval.minute.start(of: -1) == -60_000)
        #expect(CandleInterval.day.start(of: 1_700_000_000_000) == 1_699_920_000_000)
    }

    @Test func cursorsRoundTripAndRefuseOtherText() {
        let cursor = TradeCursor(time: 1_700_000_000_000, seq: 42)
        #expect(TradeCursor(cursor.description) == cursor)
        for bad in ["", "1", "1_", "_1", "-1_2", "1_2_3", "a_1", "1234567890123456_1"] {
            #expect(TradeCursor(bad) == nil, "\(bad)")
        }
    }
}
