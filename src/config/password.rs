//! [`Password`]: the client private key's password, wiped from memory on drop and never printed.

use std::fmt;
use zeroize::Zeroizing;

/// A secret string (`clientCertificatePassword`): zeroized when dropped; `Debug` and `Display`
/// print `<redacted>`, so it cannot leak through logs, errors or `{:?}` of a containing struct.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wraps `secret`; the string is wiped when the `Password` is dropped.
    pub fn new(secret: String) -> Self {
        Self(Zeroizing::new(secret))
    }

    /// The secret itself, for the one place that decrypts the private key.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Password {
    fn from(secret: &str) -> Self {
        Self::new(secret.to_owned())
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_secret() {
        let password = Password::from("hunter2");
        assert_eq!(format!("{password:?}"), "<redacted>");
        assert_eq!(format!("{password}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(password.clone())), "Some(<redacted>)");
        assert_eq!(password.expose(), "hunter2");
    }
}
