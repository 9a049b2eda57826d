import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import QueueCore

/// E-mail over SMTP (RFC 5321): one connection per message, upgraded with STARTTLS (RFC 3207) before anything
/// personal is sent; AUTH PLAIN when the city's relay wants a login. The message is plain text in UTF-8 with the
/// alert's words only, and a `Message-ID` made from the delivery key, so a resent copy is recognisably the same.
public struct SMTPTransport: AlertTransport {
    public let channel = AlertChannel.email

    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        /// The sender, e.g. `madoguchi@city.example.jp`.
        public var from: String
        public var username: String?
        public var password: String?
        /// Refuse to send unless the server offers STARTTLS (the default; off only for a relay on the same host).
        public var requireTLS: Bool = true
        /// A PEM file of certificates to trust instead of the system's (a city's own CA; the test's).
        public var trustRootsFile: String?
        /// The name this server gives in EHLO.
        public var heloName: String = "madoguchi"

        public init(host: String, port: Int, from: String) {
            self.host = host
            self.port = port
            self.from = from
        }
    }

    let settings: Settings
    let sslContext: NIOSSLContext
    let now: @Sendable () -> Date

    public init(settings: Settings, now: @escaping @Sendable () -> Date = { Date() }) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = settings.trustRootsFile { tls.trustRoots = .file(file) }
        self.settings = settings
        sslContext = try NIOSSLContext(configuration: tls)
        self.now = now
    }

    public func send(_ message: AlertMessage, to address: String, key: String) async throws(DeliveryError) {
        guard Contact.problem(channel: .email, address: address) == nil else { throw .permanent("not an e-mail address") }
        do {
            try await deliver(message, to: address, key: key)
        } catch let error as DeliveryError {
            throw error
        } catch {
            throw .transient("SMTP \(settings.host):\(settings.port): \(error)")
        }
    }

    private func deliver(_ message: AlertMessage, to address: String, key: String) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var session = Session(replies: inbound.makeAsyncIterator(), outbound: outbound)
            try await session.expect(220, after: nil)
            var features = try await session.expect(250, after: "EHLO \(settings.heloName)")
            if features.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) {
                try await session.expect(220, after: "STARTTLS")
                let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: settings.host)
                try await channel.channel.pipeline.addHandler(tls, position: .first)
                features = try await session.expect(250, after: "EHLO \(settings.heloName)")
            } else if settings.requireTLS {
                throw DeliveryError.permanent("the SMTP server does not offer STARTTLS")
            }
            if let user = settings.username, let password = settings.password {
                let token = Data(([0] + Array(user.utf8) + [0] + Array(password.utf8))).base64EncodedString()
                try await session.expect(235, after: "AUTH PLAIN \(token)", secret: true)
            }
            try await session.expect(250, after: "MAIL FROM:<\(settings.from)>")
            try await session.expect(250, after: "RCPT TO:<\(address)>")
            try await session.expect(354, after: "DATA")
            try await session.expect(250, after: Self.message(message, from: settings.from, to: address, key: key, date: now()) + "\r\n.")
            _ = try? await session.expect(221, after: "QUIT")
        }
    }

    /// The message: headers in ASCII (the subject as an RFC 2047 encoded word), the body UTF-8 in base64 lines.
    static func message(_ message: AlertMessage, from: String, to: String, key: String, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let domain = from.split(separator: "@").last.map(String.init) ?? "madoguchi.invalid"
        let body = Data(message.body.utf8).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
        return [
            "From: <\(from)>", "To: <\(to)>",
            "Subject: =?UTF-8?B?\(Data(message.title.utf8).base64EncodedString())?=",
            "Date: \(formatter.string(from: date))", "Message-ID: <\(key)@\(domain)>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64", "Auto-Submitted: auto-generated",
            "", body,
        ].joined(separator: "\r\n")
    }

    /// Commands out, replies in: a reply is complete at the line whose code is followed by a space.
    struct Session {
        var replies: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        var pending = ""

        /// Sends `command` (if any) and reads the reply; throws unless its code is `code`. Returns the reply's lines
        /// without their codes (EHLO's features).
        @discardableResult
        mutating func expect(_ code: Int, after command: String?, secret: Bool = false) async throws -> [String] {
            if let command { try await outbound.write(ByteBuffer(string: command + "\r\n")) }
            var lines: [String] = []
            while true {
                while let end = pending.range(of: "\r\n") {
                    let line = String(pending[..<end.lowerBound])
                    pending.removeSubrange(..<end.upperBound)
                    guard line.count >= 3, let got = Int(line.prefix(3)) else {
                        throw DeliveryError.transient("SMTP: odd reply \(line.prefix(80))")
                    }
                    lines.append(String(line.dropFirst(4)))
                    if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " {
                        guard got == code else {
                            let what = secret ? "AUTH" : (command?.split(separator: " ").first.map(String.init) ?? "greeting")
                            // A refused recipient's reply usually repeats the address: the log gets the code only.
                            let text = what == "RCPT" ? "SMTP RCPT: \(got)" : "SMTP \(what): \(got) \(lines.last ?? "")"
                            // 4xx: try later; 5xx: the server refuses for good.
                            throw got >= 500 ? DeliveryError.permanent(text) : DeliveryError.transient(text)
                        }
                        return lines
                    }
                }
                guard let chunk = try await replies.next() else { throw DeliveryError.transient("SMTP: connection closed") }
                pending += String(buffer: chunk)
            }
        }
    }
}
