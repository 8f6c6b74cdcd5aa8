//! Secret key types: [`MasterKey`] and [`DataKey`], 256-bit keys held in [`KeyBuffer`]s (secret
//! memory: locked into RAM where the system allows, zeroized on drop) with a redacted `Debug` and
//! a constant-time comparison.

use std::fmt;

use zeroize::Zeroize;

use crate::secret_memory::KeyBuffer;

/// Length in bytes of every key this module handles (AES-256).
pub const KEY_LEN: usize = 32;

/// Compares two byte slices in time that depends only on their lengths, not their contents.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

macro_rules! secret_key_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(KeyBuffer);

        impl $name {
            /// Copies 32 key bytes into secret memory (the caller should zeroize its own copy).
            pub fn copy_from(bytes: &[u8; KEY_LEN]) -> Self {
                Self(KeyBuffer::copy_from(bytes))
            }

            /// Takes 32 key bytes by value: they are copied into secret memory and this
            /// function's copy is wiped; the caller's own copy is the caller's to wipe (prefer
            /// [`Self::from_buffer`], or [`Self::copy_from`] from a zeroizing source).
            pub fn from_bytes(mut bytes: [u8; KEY_LEN]) -> Self {
                let key = Self(KeyBuffer::copy_from(&bytes));
                bytes.zeroize();
                key
            }

            /// Takes a key already in secret memory, without copying it.
            pub fn from_buffer(buffer: KeyBuffer) -> Self {
                Self(buffer)
            }

            /// Generates a fresh random key ([`crate::crypto::fill_random`]: the operating
            /// system's generator, or the FIPS module's DRBG), straight into secret memory.
            pub fn random() -> Result<Self, crate::crypto::RandomError> {
                KeyBuffer::random().map(Self)
            }

            /// The key bytes. Do not copy them into a buffer that is not zeroized.
            pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
                &self.0
            }

            /// Constant-time equality of two keys.
            pub fn ct_eq(&self, other: &Self) -> bool {
                ct_eq(&self.0[..], &other.0[..])
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

secret_key_type!(
    /// The 256-bit master key that protects a keystore; it lives on a KMIP server or in a key file.
    MasterKey
);
secret_key_type!(
    /// A 256-bit data key (one per database name) as stored, wrapped, in the keystore.
    DataKey
);
