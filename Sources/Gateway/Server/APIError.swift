import ExchangeRecords
import HTTPTypes
import Hummingbird
import NIOCore

/// Every error the API returns: a 4xx/5xx status and a JSON body naming the field and the problem.
///
/// The body follows Kite Connect's error envelope (`status`, `error_type`, `message`) and adds
/// `field` and `reason` so a client can point at the offending input without parsing prose.
public struct APIError: Error, HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    /// Kite-style exception family: `InputException`, `TokenException`, `PermissionException`,
    /// `OrderException`, `NetworkException`, `GeneralException`.
    public var errorType: String
    public var message: String
    public var field: String?
    public var reason: String?
    public var headers: HTTPFields = [:]

    public init(status: HTTPResponse.Status, errorType: String, message: String, field: String? = nil, reason: String? = nil) {
        self.status = status
        self.errorType = errorType
        self.message = message
        self.field = field
        self.reason = reason
    }

    /// A 400 for one bad input field.
    public static func input(_ field: String, _ reason: String, status: HTTPResponse.Status = .badRequest) -> APIError {
        APIError(status: status, errorType: "InputException", message: "\(field): \(reason)", field: field, reason: reason)
    }

    public static func unauthenticated(_ message: String) -> APIError {
        var e = APIError(status: .unauthorized, errorType: "TokenException", message: message)
        e.headers[.wwwAuthenticate] = "Bearer realm=\"exchange\""
        return e
    }

    public static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, errorType: "DataException", message: message)
    }

    public var body: JSONValue {
        var members: [(String, JSONValue)] = [
            ("status", .string("error")),
            ("error_type", .string(errorType)),
            ("message", .string(message)),
        ]
        if let field { members.append(("field", .string(field))) }
        if let reason { members.append(("reason", .string(reason))) }
        return .object(members)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        APIAnswer(self).response
    }
}

/// A JSON answer as text: what the router turns into a `Response` and the fast path
/// (`OrderFastPathHandler`) writes itself, so both send the same status, headers and body.
struct APIAnswer: Sendable {
    var status: HTTPResponse.Status
    /// Beyond the content type and length.
    var headers: HTTPFields = [:]
    var body: String

    init(status: HTTPResponse.Status, headers: HTTPFields = [:], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    init(_ error: APIError) {
        self.init(status: error.status, headers: error.headers, body: error.body.serialized())
    }

    var response: Response {
        var response = Response.json(text: body, status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension Response {
    /// A JSON response from a pre-built document.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        json(text: value.serialized(), status: status)
    }

    static func json(text: String, status: HTTPResponse.Status = .ok) -> Response {
        let buffer = ByteBuffer(string: text)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(buffer.readableBytes)],
            body: .init(byteBuffer: buffer)
        )
    }

    /// Kite's success envelope: `{"status":"success","data":…}`.
    static func success(_ data: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        json(.object([("status", .string("success")), ("data", data)]), status: status)
    }
}
