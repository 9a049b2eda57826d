extension OfficeHub {
    /// How long an office's refreshes are kept apart under a stream of changes (`refreshDirtyOffices(paced:)`).
    public struct Pacing: Sendable {
        /// The pause after a refresh, as a multiple of its duration times the offices refreshed in the last second:
        /// 4 keeps the hub's refreshes to a fifth of its time however many offices change, and the requests get
        /// the rest.
        public var multiple: Int
        /// The longest an office's refresh is put off.
        public var longest: Duration

        public init(multiple: Int = 4, longest: Duration = .seconds(1)) {
            self.multiple = multiple
            self.longest = longest
        }

        /// The pause after a refresh that took `took`, with `busyOffices` refreshed in the last second.
        func pause(after took: Duration, busyOffices: Int) -> Duration { min(took * (multiple * busyOffices), longest) }
    }
}
