import Foundation
import QueueCore

/// xoshiro256** (Blackman & Vigna 2018), seeded through SplitMix64: fast, and the same stream on every machine,
/// which `SystemRandomNumberGenerator` is not. Every random draw of the twin comes from one of these.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s0 = seeder.next(); s1 = seeder.next(); s2 = seeder.next(); s3 = seeder.next()
    }

    /// An independent stream for one purpose (a day, a procedure's arrivals), derived from a seed and labels, so
    /// that adding a stream never shifts the numbers another stream sees: the basis of common random numbers.
    public init(seed: UInt64, stream: UInt64...) {
        var mixed = seed
        for label in stream {
            var generator = SeededRandom(seed: mixed ^ (label &* 0xD1B5_4A32_D192_ED03))
            mixed = generator.next()
        }
        self.init(seed: mixed)
    }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform on (0, 1): never 0, so that its logarithm is finite.
    @inlinable
    public mutating func unit() -> Double { (Double(next() >> 11) + 0.5) * 0x1.0p-53 }

    @inlinable
    public mutating func exponential(mean: Double) -> Double { -mean * Foundation.log(unit()) }

    /// A standard normal by Box–Muller; the second value of each pair is dropped, so a stream's position never
    /// depends on what an earlier draw was used for.
    @inlinable
    public mutating func normal() -> Double {
        let r = (-2 * Foundation.log(unit())).squareRoot()
        return r * cos(2 * Double.pi * unit())
    }

    @inlinable
    public mutating func chance(_ p: Double) -> Bool { p > 0 && unit() < p }
}
