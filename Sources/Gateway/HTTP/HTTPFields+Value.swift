import HTTPTypes

extension HTTPFields {
    /// `self[name]` (every field of the name, joined with ", "), without building a new string for
    /// the usual single field: the subscript always joins, which showed in per-request profiles.
    func value(_ name: HTTPField.Name) -> String? {
        var first: String?
        var more = false
        for field in self where field.name == name {
            if first == nil { first = field.value } else { more = true }
        }
        return more ? self[name] : first
    }

    func contains(_ name: HTTPField.Name) -> Bool {
        contains { $0.name == name }
    }
}
