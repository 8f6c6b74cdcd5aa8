//! KMIP protocol.
