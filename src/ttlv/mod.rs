//! TTLV codec.
