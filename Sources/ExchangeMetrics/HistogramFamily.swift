/// A histogram's name and bucket upper bounds (ascending; `+Inf` is implied).
public struct HistogramFamily: Sendable {
    public let name: String
    public let bounds: [Double]

    public init(name: String, bounds: [Double]) {
        self.name = name
        self.bounds = bounds
    }
}
