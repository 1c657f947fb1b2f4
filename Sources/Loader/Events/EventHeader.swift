import CLeashShim

/// The fixed header of one telemetry record (`struct leash_event` in leash_events.h).
public typealias EventHeader = leash_event

/// The per-CPU counters of the `event_counts` map (`struct leash_event_counts`).
public typealias EventCounts = leash_event_counts

/// Key of the `allow_seen` dedup map (`struct leash_allow_key`).
public typealias AllowKey = leash_allow_key

extension EventCounts {
    /// The sum over CPUs.
    public static func + (a: EventCounts, b: EventCounts) -> EventCounts {
        EventCounts(sent: a.sent &+ b.sent, lost: a.lost &+ b.lost, lost_denies: a.lost_denies &+ b.lost_denies,
                    deduplicated: a.deduplicated &+ b.deduplicated)
    }
}

/// The bits of `EventHeader.mode_flags`, by name.
public struct EventFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let enforce = EventFlags(rawValue: UInt32(LEASH_EVENT_ENFORCE.rawValue))
    public static let auditWouldDeny = EventFlags(rawValue: UInt32(LEASH_EVENT_AUDIT_WOULD_DENY.rawValue))
    public static let observed = EventFlags(rawValue: UInt32(LEASH_EVENT_OBSERVED.rawValue))
    public static let pathTruncated = EventFlags(rawValue: UInt32(LEASH_EVENT_PATH_TRUNCATED.rawValue))
    public static let pathUnreadable = EventFlags(rawValue: UInt32(LEASH_EVENT_PATH_UNREADABLE.rawValue))
    public static let domain = EventFlags(rawValue: UInt32(LEASH_EVENT_DOMAIN.rawValue))
    public static let deny = EventFlags(rawValue: UInt32(LEASH_EVENT_DENY.rawValue))
}
