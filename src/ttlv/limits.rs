//! Decoding limits: the largest message accepted and the deepest nesting.

/// Default largest TTLV message accepted: 1 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 1 << 20;
/// Default deepest structure nesting accepted. Real KMIP messages nest about 8 levels.
pub const DEFAULT_MAX_DEPTH: usize = 64;
/// Hard ceiling for [`DecodeLimits::max_depth`]: the validator tracks open structures in a
/// fixed array of this size on the stack, so nesting never costs heap or recursion.
pub const MAX_DEPTH_CAP: usize = 256;

/// Bounds a decoder enforces before and while reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Largest whole item (header included) accepted, checked before anything is allocated.
    pub max_message_size: usize,
    /// Deepest structure nesting accepted (the top-level structure is depth 1); values above
    /// [`MAX_DEPTH_CAP`] act as [`MAX_DEPTH_CAP`].
    pub max_depth: usize,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self {
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

impl DecodeLimits {
    /// The effective depth limit (never above [`MAX_DEPTH_CAP`]).
    #[inline]
    pub fn effective_max_depth(&self) -> usize {
        self.max_depth.min(MAX_DEPTH_CAP)
    }
}
