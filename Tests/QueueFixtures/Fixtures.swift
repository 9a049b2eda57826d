import Foundation
import QueueCore

/// The test office every domain and store test uses. A small office: certificates (A), moving in (B) and family
/// register (F); c1 and c2 serve certificates, c3 serves moving in and family register.
public enum Fixtures {
    public static let officeID: OfficeID = "test"
    /// Monday 2026-03-30 10:00 in Tokyo.
    public static let start = Date(timeIntervalSince1970: 1_774_832_400)

    public static var office: Office {
        Office(
            id: officeID, name: LocalizedText(ja: "テスト区役所", en: "Test Ward"),
            openingHours: OpeningHours(weekdays: [1, 2, 3, 4, 5], opens: "09:00", closes: "16:30", enforced: false),
            procedures: [
                Procedure(
                    id: "certificates", prefix: "A", color: "#1565C0", name: .init(ja: "証明書", en: "Certificates"),
                    typicalServiceSeconds: 300),
                Procedure(
                    id: "moving-in", prefix: "B", color: "#EF6C00", name: .init(ja: "転入", en: "Moving in"), typicalServiceSeconds: 1200),
                Procedure(
                    id: "family-register", prefix: "F", color: "#D81B60", name: .init(ja: "戸籍", en: "Family register"),
                    typicalServiceSeconds: 1200),
            ],
            counters: [
                Counter(id: "c1", label: "1", services: ["certificates"]),
                Counter(id: "c2", label: "2", services: ["certificates"]),
                Counter(id: "c3", label: "3", services: ["moving-in", "family-register"]),
            ],
            policy: OfficePolicy(noShowGraceSeconds: 60, reactivateWindowSeconds: 600, maxDeferrals: 1, priorityStreakLimit: 2))
    }
}
