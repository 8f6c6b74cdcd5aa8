//! [`UniqueIdentifier`]: the name a KMIP server gives a managed object. Identifiers of up to
//! [`INLINE_IDENTIFIER_LEN`] bytes (every UUID, every integer name) are held inline, so a decoded
//! response carries its identifier without a heap allocation; longer ones go to the heap.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use arrayvec::ArrayString;

/// The longest identifier held inline, in bytes.
pub const INLINE_IDENTIFIER_LEN: usize = 48;

/// A Unique Identifier: text that reads as a `&str` (through `Deref`) and compares, hashes and
/// orders as that text, whichever way it is stored.
#[derive(Clone)]
pub struct UniqueIdentifier(Storage);

/// Where the text lives.
#[derive(Clone)]
enum Storage {
    /// Up to [`INLINE_IDENTIFIER_LEN`] bytes, in place.
    Inline(ArrayString<INLINE_IDENTIFIER_LEN>),
    /// Longer text.
    Heap(Box<str>),
}

impl UniqueIdentifier {
    /// An identifier holding a copy of `text`.
    #[inline]
    pub fn new(text: &str) -> Self {
        match ArrayString::from(text) {
            Ok(inline) => Self(Storage::Inline(inline)),
            Err(_) => Self(Storage::Heap(text.into())),
        }
    }

    /// The identifier's text.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Storage::Inline(s) => s.as_str(),
            Storage::Heap(s) => s,
        }
    }
}

impl Default for UniqueIdentifier {
    fn default() -> Self {
        Self(Storage::Inline(ArrayString::new()))
    }
}

impl Deref for UniqueIdentifier {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for UniqueIdentifier {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for UniqueIdentifier {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for UniqueIdentifier {
    #[inline]
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<&String> for UniqueIdentifier {
    fn from(text: &String) -> Self {
        Self::new(text)
    }
}

impl From<String> for UniqueIdentifier {
    fn from(text: String) -> Self {
        if text.len() <= INLINE_IDENTIFIER_LEN {
            Self::new(&text)
        } else {
            Self(Storage::Heap(text.into_boxed_str()))
        }
    }
}

impl From<UniqueIdentifier> for String {
    fn from(id: UniqueIdentifier) -> Self {
        match id.0 {
            Storage::Inline(s) => s.as_str().to_owned(),
            Storage::Heap(s) => s.into_string(),
        }
    }
}

impl PartialEq for UniqueIdentifier {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for UniqueIdentifier {}

impl PartialOrd for UniqueIdentifier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for UniqueIdentifier {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for UniqueIdentifier {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl PartialEq<str> for UniqueIdentifier {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for UniqueIdentifier {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for UniqueIdentifier {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<UniqueIdentifier> for str {
    fn eq(&self, other: &UniqueIdentifier) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<UniqueIdentifier> for &str {
    fn eq(&self, other: &UniqueIdentifier) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<UniqueIdentifier> for String {
    fn eq(&self, other: &UniqueIdentifier) -> bool {
        self == other.as_str()
    }
}

impl fmt::Display for UniqueIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for UniqueIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_identifiers_are_inline_and_long_ones_on_the_heap() {
        let uuid = "49a1ca88-6bea-4fb2-b450-7e58802c3038";
        let long = "k".repeat(INLINE_IDENTIFIER_LEN + 1);
        let edge = "e".repeat(INLINE_IDENTIFIER_LEN);
        assert!(matches!(UniqueIdentifier::new(uuid).0, Storage::Inline(_)));
        assert!(matches!(UniqueIdentifier::new(&edge).0, Storage::Inline(_)));
        assert!(matches!(UniqueIdentifier::new(&long).0, Storage::Heap(_)));
        assert!(matches!(
            UniqueIdentifier::from(long.clone()).0,
            Storage::Heap(_)
        ));
        for text in [uuid, long.as_str(), edge.as_str(), "", "1", "ключ-😀"] {
            let id = UniqueIdentifier::from(text);
            assert_eq!(id.as_str(), text);
            assert_eq!(id, text);
            assert_eq!(String::from(id.clone()), text);
            assert_eq!(UniqueIdentifier::from(text.to_owned()), id);
            assert_eq!(format!("{id}"), text);
            assert_eq!(format!("{id:?}"), format!("{text:?}"));
        }
    }

    #[test]
    fn equality_and_order_follow_the_text() {
        let a = UniqueIdentifier::from("a");
        let long = UniqueIdentifier::from("b".repeat(100));
        assert!(a < long);
        assert_ne!(a, long);
        assert_eq!(UniqueIdentifier::default(), "");
        let mut set = std::collections::HashSet::new();
        set.insert(long.clone());
        assert!(set.contains("b".repeat(100).as_str()));
    }
}
