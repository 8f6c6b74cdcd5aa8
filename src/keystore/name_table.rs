//! [`NameTable`]: the entry names, kept exactly as the file's names table (one buffer of
//! `len u16 || UTF-8 bytes` records) plus per-entry offsets and an open-addressing hash index,
//! so opening a large keystore costs no per-name allocation.

use std::hash::{BuildHasher, RandomState};

const EMPTY: u64 = u64::MAX;
/// Most entries a table holds (indices are 32-bit in the hash index).
const MAX_ENTRIES: u64 = u32::MAX as u64 - 1;

/// Entry names in file order with a name -> index lookup.
pub struct NameTable {
    buf: Vec<u8>,
    offsets: Vec<usize>,
    /// Open-addressing (linear probing) slots: `hash_high32 << 32 | index`, or [`EMPTY`].
    slots: Vec<u64>,
    hasher: RandomState,
}

impl NameTable {
    /// An empty table.
    pub fn new() -> Self {
        Self {
            buf: Vec::new(),
            offsets: Vec::new(),
            slots: vec![EMPTY; 8],
            hasher: RandomState::new(),
        }
    }

    /// Parses a names table of `count` names: each `len u16 || bytes`, 1..=`max_len` bytes of
    /// UTF-8, all distinct, consuming `buf` exactly. On failure returns the bad entry's index
    /// (`count` for trailing bytes) and what is wrong.
    pub fn parse(buf: Vec<u8>, count: u64, max_len: usize) -> Result<Self, (u64, &'static str)> {
        if count > MAX_ENTRIES {
            return Err((0, "too many entries"));
        }
        let mut offsets = Vec::with_capacity(count.min(buf.len() as u64 / 3) as usize);
        let mut pos = 0usize;
        for i in 0..count {
            let len_bytes = buf
                .get(pos..pos + 2)
                .ok_or((i, "name length runs past the names table"))?;
            let len = u16::from_le_bytes([len_bytes[0], len_bytes[1]]) as usize;
            let name = buf
                .get(pos + 2..pos + 2 + len)
                .ok_or((i, "name runs past the names table"))?;
            if len == 0 || len > max_len {
                return Err((i, "name length out of range"));
            }
            std::str::from_utf8(name).map_err(|_| (i, "name is not UTF-8"))?;
            offsets.push(pos + 2);
            pos += 2 + len;
        }
        if pos != buf.len() {
            return Err((count, "extra bytes after the last name"));
        }
        let mut table = Self {
            buf,
            offsets,
            slots: Vec::new(),
            hasher: RandomState::new(),
        };
        if let Some(dup) = table.rebuild_index() {
            return Err((dup as u64, "duplicate name"));
        }
        Ok(table)
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    /// The names table as stored in the file.
    pub fn table_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The bytes of name `i`.
    pub fn bytes(&self, i: usize) -> &[u8] {
        let at = self.offsets[i];
        let len = u16::from_le_bytes([self.buf[at - 2], self.buf[at - 1]]) as usize;
        &self.buf[at..at + len]
    }

    /// Name `i` (validated as UTF-8 when added).
    pub fn name(&self, i: usize) -> &str {
        std::str::from_utf8(self.bytes(i)).unwrap_or("\u{fffd}")
    }

    /// First slot to probe and the 32-bit tag stored with the index.
    fn slot_of(&self, name: &[u8]) -> (usize, u64) {
        let h = self.hasher.hash_one(name);
        (
            h as usize & (self.slots.len() - 1),
            h & 0xffff_ffff_0000_0000,
        )
    }

    /// Index of `name`, if present.
    pub fn get(&self, name: &str) -> Option<usize> {
        let name = name.as_bytes();
        let mask = self.slots.len() - 1;
        let (mut s, tag) = self.slot_of(name);
        loop {
            match self.slots[s] {
                EMPTY => return None,
                v if v & !0xffff_ffff == tag && self.bytes(v as u32 as usize) == name => {
                    return Some(v as u32 as usize);
                }
                _ => s = (s + 1) & mask,
            }
        }
    }

    /// Inserts index `i` into the hash index; returns false if its name is already there.
    fn index_insert(&mut self, i: usize) -> bool {
        let mask = self.slots.len() - 1;
        let (mut s, tag) = self.slot_of(self.bytes(i));
        loop {
            match self.slots[s] {
                EMPTY => {
                    self.slots[s] = tag | i as u64;
                    return true;
                }
                v if v & !0xffff_ffff == tag && self.bytes(v as u32 as usize) == self.bytes(i) => {
                    return false;
                }
                _ => s = (s + 1) & mask,
            }
        }
    }

    /// Rebuilds the hash index (load factor <= 1/2); returns the index of a duplicate, if any.
    /// Entries are inserted in the order of their home slots, so the table is filled almost
    /// sequentially instead of by random access (a 1M-entry index is far larger than the cache).
    fn rebuild_index(&mut self) -> Option<usize> {
        let size = (self.offsets.len() * 2).next_power_of_two().max(8);
        self.slots = vec![EMPTY; size];
        let mask = size - 1;
        let mut order: Vec<(u32, u64)> = (0..self.offsets.len())
            .map(|i| {
                let h = self.hasher.hash_one(self.bytes(i));
                (
                    (h as usize & mask) as u32,
                    (h & 0xffff_ffff_0000_0000) | i as u64,
                )
            })
            .collect();
        order.sort_unstable_by_key(|&(home, _)| home);
        let mut dup = None;
        for (home, entry) in order {
            let i = entry as u32 as usize;
            let mut s = home as usize;
            loop {
                match self.slots[s] {
                    EMPTY => {
                        self.slots[s] = entry;
                        break;
                    }
                    v if v & !0xffff_ffff == entry & !0xffff_ffff
                        && self.bytes(v as u32 as usize) == self.bytes(i) =>
                    {
                        let later = i.max(v as u32 as usize);
                        dup = Some(dup.map_or(later, |d: usize| d.min(later)));
                        break;
                    }
                    _ => s = (s + 1) & mask,
                }
            }
        }
        dup
    }

    /// Appends `name` (the caller has checked it is valid and absent).
    pub fn push(&mut self, name: &str) {
        self.buf
            .extend_from_slice(&(name.len() as u16).to_le_bytes());
        self.offsets.push(self.buf.len());
        self.buf.extend_from_slice(name.as_bytes());
        if self.offsets.len() * 2 > self.slots.len() {
            self.rebuild_index();
        } else {
            self.index_insert(self.offsets.len() - 1);
        }
    }

    /// Removes the last `n` names.
    pub fn truncate(&mut self, len: usize) {
        if len < self.offsets.len() {
            self.buf.truncate(self.offsets[len] - 2);
            self.offsets.truncate(len);
            self.rebuild_index();
        }
    }

    /// Removes name `i`, keeping the order of the others (O(n), like the file rewrite it
    /// precedes).
    pub fn remove(&mut self, i: usize) {
        let start = self.offsets[i] - 2;
        let end = self.offsets[i] + self.bytes(i).len();
        self.buf.drain(start..end);
        self.offsets.remove(i);
        let removed = end - start;
        for off in &mut self.offsets[i..] {
            *off -= removed;
        }
        self.rebuild_index();
    }

    /// Inserts `name` at position `i` (undoes [`NameTable::remove`]).
    pub fn insert(&mut self, i: usize, name: &str) {
        let start = if i < self.offsets.len() {
            self.offsets[i] - 2
        } else {
            self.buf.len()
        };
        let mut rec = (name.len() as u16).to_le_bytes().to_vec();
        rec.extend_from_slice(name.as_bytes());
        self.buf.splice(start..start, rec.iter().copied());
        for off in &mut self.offsets[i..] {
            *off += rec.len();
        }
        self.offsets.insert(i, start + 2);
        self.rebuild_index();
    }
}

#[cfg(test)]
mod tests {
    //! Lookup, growth, removal and re-insertion keep the table and its index consistent.
    use super::*;

    #[test]
    fn push_get_remove_insert_and_parse() {
        let mut t = NameTable::new();
        for i in 0..1000 {
            t.push(&format!("name{i}"));
        }
        assert_eq!(t.get("name999"), Some(999));
        assert_eq!(t.get("absent"), None);
        t.remove(10);
        assert_eq!(t.len(), 999);
        assert_eq!(t.get("name10"), None);
        assert_eq!(t.get("name11"), Some(10));
        t.insert(10, "name10");
        assert_eq!(t.get("name10"), Some(10));
        assert_eq!(t.name(999), "name999");
        t.truncate(500);
        assert_eq!(t.get("name600"), None);
        let parsed = NameTable::parse(t.table_bytes().to_vec(), 500, 1024).unwrap();
        assert_eq!(parsed.get("name499"), Some(499));
        assert_eq!(
            NameTable::parse(b"\x01\x00a\x01\x00a".to_vec(), 2, 1024).err(),
            Some((1, "duplicate name"))
        );
        assert_eq!(
            NameTable::parse(b"\x01\x00a\x00".to_vec(), 1, 1024).err(),
            Some((1, "extra bytes after the last name"))
        );
        assert_eq!(
            NameTable::parse(b"\x02\x00\xff\xfe".to_vec(), 1, 1024).err(),
            Some((0, "name is not UTF-8"))
        );
    }
}
