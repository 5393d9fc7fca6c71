import ExchangeVocabulary
import Testing

/// The one order rule: tick 0.05, lot 10, band 90–110, at most 1,000 per order.
let rules = InstrumentRules(
    symbol: "TEST", name: "Test", tickSizeMicros: 50_000, lotSize: 10, referencePriceMicros: 100_000_000,
    lowerBandMicros: 90_000_000, upperBandMicros: 110_000_000, maxOrderQuantity: 1_000)

@Test(arguments: [
    (Int64(100_000_000), nil), (100_050_000, nil),
    (90_000_000, nil), (110_000_000, nil),  // band limits are inclusive
    (89_950_000, .outsidePriceBand), (110_050_000, .outsidePriceBand),
    (100_010_000, .offTick), (1, .offTick),
    (0, .nonPositivePrice), (-50_000, .nonPositivePrice),
    (.max, .offTick), (.min, .nonPositivePrice),
] as [(Int64, Reason?)])
func priceRule(priceMicros: Int64, expected: Reason?) {
    #expect(rules.validate(priceMicros: priceMicros) == expected)
}

@Test(arguments: [
    (Int64(10), nil), (1_000, nil),  // the ceiling itself is allowed
    (1_010, .quantityTooLarge), (15, .offLot), (1, .offLot),
    (0, .nonPositiveQuantity), (-10, .nonPositiveQuantity),
    (.max, .quantityTooLarge), (.min, .nonPositiveQuantity),
] as [(Int64, Reason?)])
func quantityRule(quantity: Int64, expected: Reason?) {
    #expect(rules.validate(quantity: quantity) == expected)
}

@Test func checksRunInTheEngineOrder() {
    // Off tick and outside the band: the grid is reported first; too large and off lot: the ceiling first.
    #expect(rules.validate(priceMicros: 200_010_000) == .offTick)
    #expect(rules.validate(quantity: 1_005) == .quantityTooLarge)
}

@Test func unbandedExtremesNeverTrap() {
    let open = InstrumentRules.validate(priceMicros: .max, tickSizeMicros: 1, lowerBandMicros: .min, upperBandMicros: .max)
    #expect(open == nil)
    #expect(InstrumentRules.validate(priceMicros: .max - 6, tickSizeMicros: 1_000_000, lowerBandMicros: .min, upperBandMicros: .max) == .offTick)
    #expect(InstrumentRules.validate(quantity: .max, lotSize: 1, maxOrderQuantity: .max) == nil)
    #expect(InstrumentRules.validate(quantity: .max, lotSize: .max, maxOrderQuantity: .max) == nil)
}

@Test func reasonCodesAreTheWireStrings() {
    #expect(Reason.offTick.code == "OFF_TICK")
    #expect(Reason.quantityTooLarge.code == "QUANTITY_TOO_LARGE")
    #expect(Set(Reason.allCases.map(\.code)).count == Reason.allCases.count)
}
