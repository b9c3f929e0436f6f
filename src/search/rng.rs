//! A small deterministic random number generator (SplitMix64).
//!
//! Why not a crate: a search must replay bit for bit under `--seed`, across versions
//! of this tool and of its dependencies; 20 lines we own cannot change under us.

/// SplitMix64: fast, statistically solid for search moves, fully reproducible.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for stream `stream` of seed `seed`.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next_u64();
        r
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [0, m].
    #[inline]
    pub fn upto(&mut self, m: u64) -> u64 {
        if m == u64::MAX {
            return self.next_u64();
        }
        ((self.next_u64() as u128 * (m as u128 + 1)) >> 64) as u64
    }

    /// Log-uniform integer in [0, m]: small values as likely per decade as large.
    #[inline]
    pub fn log_upto(&mut self, m: u64) -> u64 {
        let x = ((m as f64 + 1.0).ln() * self.unit()).exp() - 1.0;
        (x as u64).min(m)
    }

    /// True with probability p.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}
