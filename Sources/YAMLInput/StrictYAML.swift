import Foundation
import Yams

/// Reads a configuration file (offices, scenarios) into `Decodable` structs, and lists **every** problem at once:
/// decoding errors with their path, and keys the structs do not know. Plain `Decodable` ignores unknown keys, so a
/// typo such as `remoteshare:` would silently fall back to a default; here it is an error naming the line.
public enum StrictYAML {
    public struct Problems: Error, CustomStringConvertible, Sendable {
        public var messages: [String]
        public var description: String { messages.joined(separator: "; ") }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        let value: T
        do {
            value = try YAMLDecoder().decode(T.self, from: text)
        } catch let error as DecodingError {
            throw Problems(messages: [describe(error)])
        } catch {
            throw Problems(messages: ["not valid YAML: \(error)"])
        }
        var unknown: [String] = []
        if let node = try? Yams.compose(yaml: text) { checkKeys(node, against: value, path: "", into: &unknown) }
        guard unknown.isEmpty else { throw Problems(messages: unknown) }
        return value
    }

    /// Compares each mapping of the file with the stored properties of the struct decoded from it. Structs decode
    /// with their property names as keys; dictionaries and enums (which check their own keys) are not compared.
    static func checkKeys(_ node: Node, against value: Any, path: String, into problems: inout [String]) {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            if let wrapped = mirror.children.first?.value { checkKeys(node, against: wrapped, path: path, into: &problems) }
            return
        }
        switch (node, mirror.displayStyle) {
        case (.mapping(let mapping), .struct?):
            var fields: [String: Any] = [:]
            for child in mirror.children {
                if let label = child.label { fields[label.hasPrefix("_") ? String(label.dropFirst()) : label] = child.value }
            }
            for (key, child) in mapping {
                let name = key.string ?? "?"
                let here = path.isEmpty ? name : "\(path).\(name)"
                if let field = fields[name] {
                    checkKeys(child, against: field, path: here, into: &problems)
                } else {
                    let line = key.mark.map { " (line \($0.line))" } ?? ""
                    problems.append("\(here): unknown key\(line); known keys: \(fields.keys.sorted().joined(separator: ", "))")
                }
            }
        case (.sequence(let items), .collection?):
            for (index, (item, element)) in zip(items, mirror.children.map(\.value)).enumerated() {
                checkKeys(item, against: element, path: "\(path)[\(index)]", into: &problems)
            }
        default:
            break
        }
    }

    public static func describe(_ error: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .replacingOccurrences(of: ".[", with: "[").trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let c):
            let at = path(c)
            return "\(at.isEmpty ? "" : at + ".")\(key.stringValue): required"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            return "\(path(c)): \(c.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
