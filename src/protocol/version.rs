//! KMIP protocol versions: the ones this crate speaks, their order, and their families (1.x, 2.x).

use std::fmt;

/// A KMIP protocol version (`Protocol Version Major` . `Protocol Version Minor`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProtocolVersion {
    /// Protocol Version Major.
    pub major: i32,
    /// Protocol Version Minor.
    pub minor: i32,
}

impl ProtocolVersion {
    /// KMIP 1.0.
    pub const V1_0: Self = Self::new(1, 0);
    /// KMIP 1.1.
    pub const V1_1: Self = Self::new(1, 1);
    /// KMIP 1.2.
    pub const V1_2: Self = Self::new(1, 2);
    /// KMIP 1.3.
    pub const V1_3: Self = Self::new(1, 3);
    /// KMIP 1.4.
    pub const V1_4: Self = Self::new(1, 4);
    /// KMIP 2.0.
    pub const V2_0: Self = Self::new(2, 0);
    /// KMIP 2.1.
    pub const V2_1: Self = Self::new(2, 1);

    /// Every version this crate speaks, most preferred first (the order sent in Discover Versions).
    pub const SUPPORTED: [Self; 7] = [
        Self::V2_1,
        Self::V2_0,
        Self::V1_4,
        Self::V1_3,
        Self::V1_2,
        Self::V1_1,
        Self::V1_0,
    ];

    /// Builds a version from its two numbers.
    pub const fn new(major: i32, minor: i32) -> Self {
        Self { major, minor }
    }

    /// True for KMIP 2.0 and later, whose attribute encoding and some enumerations differ from 1.x.
    pub const fn is_2x(self) -> bool {
        self.major >= 2
    }

    /// True when this crate can speak this version.
    pub fn is_supported(self) -> bool {
        Self::SUPPORTED.contains(&self)
    }

    /// True when this version is at least `other` (for fields added in a later version).
    pub fn at_least(self, other: Self) -> bool {
        self >= other
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl std::str::FromStr for ProtocolVersion {
    type Err = String;

    /// Parses `"1.4"` or `"2.0"`; only supported versions are accepted.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (major, minor) = s
            .trim()
            .split_once('.')
            .ok_or_else(|| format!("'{s}' is not a KMIP version such as 1.4 or 2.0"))?;
        let parse = |p: &str| {
            p.parse::<i32>()
                .map_err(|_| format!("'{s}' is not a KMIP version such as 1.4 or 2.0"))
        };
        let v = Self::new(parse(major)?, parse(minor)?);
        if v.is_supported() {
            Ok(v)
        } else {
            Err(format!(
                "KMIP version {v} is not supported (supported: 1.0 to 1.4, 2.0, 2.1)"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders_versions() {
        assert_eq!(
            "1.4".parse::<ProtocolVersion>().unwrap(),
            ProtocolVersion::V1_4
        );
        assert!("3.0".parse::<ProtocolVersion>().is_err());
        assert!("x".parse::<ProtocolVersion>().is_err());
        assert!(ProtocolVersion::V2_0 > ProtocolVersion::V1_4);
        assert!(ProtocolVersion::V2_0.is_2x() && !ProtocolVersion::V1_4.is_2x());
        assert_eq!(ProtocolVersion::V1_2.to_string(), "1.2");
    }
}
