import Foundation
import QueueCore

/// The test office every domain and store test uses. A small office: certificates (A), moving in (B) and family
/// register (F); c1 and c2 serve certificates, c3 serves moving in and family register.
public enum Fixtures {
    public static let officeID: OfficeID = "test"
    /// Monday 2026-03-30 10:00 in Tokyo.
    public static let start = Date(timeIntervalSince1970: 1_774_832_400)

    /// The moving-in procedure's form-writing guide: one field of each kind.
    public static var movingInGuide: FormGuide {
        FormGuide(
            form: GuideText(["ja": "住民異動届（転入）", "en": "Notice of change of address"]),
            bring: GuideText(["ja": "転出証明書", "en": "Moving-out certificate", "vi": "Giấy chứng nhận chuyển đi"]),
            steps: [GuideText(["ja": "用紙は窓口で職員が記入します。", "en": "The clerk fills in the form."])],
            fields: [
                GuideField(id: "moved-on", kind: .date, label: GuideText(["ja": "引っ越してきた日", "en": "The day you moved in"])),
                GuideField(id: "people", kind: .count, label: GuideText(["ja": "人数", "en": "How many people"]), max: 10),
                GuideField(
                    id: "from", kind: .choice, label: GuideText(["ja": "前の住所", "en": "Previous address"]),
                    choices: [
                        GuideChoice(id: "in-japan", label: GuideText(["ja": "国内", "en": "In Japan"])),
                        GuideChoice(id: "abroad", label: GuideText(["ja": "国外", "en": "Abroad"])),
                    ]),
                GuideField(id: "card-move", kind: .yesNo, label: GuideText(["ja": "カードで転出しましたか", "en": "Moved out with the card?"])),
            ])
    }

    public static var office: Office {
        Office(
            id: officeID, name: LocalizedText(ja: "テスト区役所", en: "Test Ward"),
            openingHours: OpeningHours(weekdays: [1, 2, 3, 4, 5], opens: "09:00", closes: "16:30", enforced: false),
            procedures: [
                Procedure(
                    id: "certificates", prefix: "A", color: "#1565C0", name: .init(ja: "証明書", en: "Certificates"),
                    typicalServiceSeconds: 300),
                Procedure(
                    id: "moving-in", prefix: "B", color: "#EF6C00", name: .init(ja: "転入", en: "Moving in"), typicalServiceSeconds: 1200,
                    guide: movingInGuide),
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
