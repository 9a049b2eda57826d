extension Sequence<UInt8> {
    /// The bytes in lowercase hexadecimal, two digits each: how hashes and signatures are written (token hashes,
    /// webhook signatures, ID-token digests). Made from a table: `String(format: "%02x")` per byte cost 4% of the
    /// server's time when issuing tickets (each idempotency key is hashed).
    public var hex: String {
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

private let hexDigits = Array("0123456789abcdef".utf8)
