//! The backup file's encoding of one item: bincode (varint integers) with a size limit, so a
//! damaged length field cannot ask for gigabytes. The only place outside `store/` that names
//! bincode; `backup` speaks in units, records and journal entries and calls these. (The sled
//! store's values have their own envelope, with a version byte, in `store::codec`.)

use bincode::Options;
use serde::{de::DeserializeOwned, Serialize};
use std::io::{self, Read, Write};

/// The largest single item (a unit or record) a backup may hold: guards the reader against a
/// damaged length field asking for gigabytes.
pub const MAX_ITEM_BYTES: u64 = 16 * 1024 * 1024;

fn options() -> impl Options {
    bincode::DefaultOptions::new().with_limit(MAX_ITEM_BYTES)
}

/// Writes one item. An item over the limit, or one serde refuses, is an I/O error of kind
/// `Other` with the encoder's words; the writer's own errors come back as they were.
pub fn write_item<W: Write, T: Serialize>(out: &mut W, item: &T) -> io::Result<()> {
    options().serialize_into(out, item).map_err(|e| match *e {
        bincode::ErrorKind::Io(io) => io,
        other => io::Error::other(other.to_string()),
    })
}

/// Reads one item; the error is the decoder's words, for a "damaged file" message.
pub fn read_item<R: Read, T: DeserializeOwned>(input: &mut R) -> Result<T, String> {
    options().deserialize_from(input).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_reads_back_and_a_huge_length_is_refused() {
        let mut bytes = Vec::new();
        write_item(&mut bytes, &("西苑", 42u64)).expect("written");
        let back: (String, u64) = read_item(&mut bytes.as_slice()).expect("read");
        assert_eq!(back, ("西苑".to_string(), 42));
        // A varint length of 2^40 for a string: refused, not allocated.
        let damaged = [0xfdu8, 0, 0, 0, 0, 1, 0, 0, 0];
        assert!(read_item::<_, String>(&mut damaged.as_slice()).is_err());
    }
}
