//! Handle tables (kernel-semantics.md §2.10).
//!
//! A handle word is `index | linear_id << 15`: bits 0..=14 index the table, bits
//! 15..=29 hold a per-table allocation counter (1..=0x7FFF, wrapping back to 1), bits
//! 30..=31 are zero. A lookup succeeds only when every part matches a live slot, so a
//! stale handle (slot reused since) is rejected. Pseudo-handles (0xFFFF8000/8001)
//! have bits 30..=31 set and are never found here; the callers that accept them
//! resolve them first.

use crate::kernel::{Handle, ObjectId, ResultCode};

/// The largest table a process may configure.
pub(crate) const MAX_CAPACITY: usize = 1024;

const INDEX_BITS: u32 = 15;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;
const LINEAR_ID_MAX: u16 = 0x7FFF;
const RESERVED_MASK: u32 = 0xC000_0000;

#[derive(Clone, Copy, Debug)]
struct Slot {
    linear_id: u16,
    object: ObjectId,
}

/// One process's handle table.
#[derive(Clone, Debug)]
pub(crate) struct HandleTable {
    capacity: usize,
    slots: Vec<Option<Slot>>,
    next_linear_id: u16,
}

impl HandleTable {
    /// An empty table holding at most `capacity` handles.
    pub(crate) fn new(capacity: usize) -> Self {
        HandleTable {
            capacity: capacity.min(MAX_CAPACITY),
            slots: Vec::new(),
            next_linear_id: 1,
        }
    }

    /// Adds a handle to `object` in the lowest free slot; OutOfHandles when full.
    pub(crate) fn insert(&mut self, object: ObjectId) -> Result<Handle, ResultCode> {
        let index = match self.slots.iter().position(Option::is_none) {
            Some(index) => index,
            None if self.slots.len() < self.capacity => {
                self.slots.push(None);
                self.slots.len() - 1
            }
            None => return Err(ResultCode::OUT_OF_HANDLES),
        };
        let linear_id = self.next_linear_id;
        self.next_linear_id = if linear_id >= LINEAR_ID_MAX {
            1
        } else {
            linear_id + 1
        };
        let slot = self
            .slots
            .get_mut(index)
            .ok_or(ResultCode::OUT_OF_HANDLES)?;
        *slot = Some(Slot { linear_id, object });
        // index < 1024 and linear_id <= 0x7FFF, so the handle fits bits 0..=29.
        Ok((index as u32) | (u32::from(linear_id) << INDEX_BITS))
    }

    /// The object `handle` names, if it is a live handle of this table.
    pub(crate) fn get(&self, handle: Handle) -> Option<ObjectId> {
        let index = self.index_of(handle)?;
        self.slots.get(index)?.map(|slot| slot.object)
    }

    /// Removes `handle`, returning the object it named; `None` if it was not valid.
    pub(crate) fn remove(&mut self, handle: Handle) -> Option<ObjectId> {
        let index = self.index_of(handle)?;
        self.slots.get_mut(index)?.take().map(|slot| slot.object)
    }

    /// Every occupied slot: its index, linear ID and object.
    pub(crate) fn occupied(&self) -> impl Iterator<Item = (usize, u16, ObjectId)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, slot)| slot.map(|s| (i, s.linear_id, s.object)))
    }

    /// Number of live handles.
    pub(crate) fn count(&self) -> usize {
        self.occupied().count()
    }

    /// Slot index of `handle` when its encoding is well formed and its linear id
    /// matches the slot's.
    fn index_of(&self, handle: Handle) -> Option<usize> {
        if handle == 0 || handle & RESERVED_MASK != 0 {
            return None;
        }
        let index = (handle & INDEX_MASK) as usize;
        let linear_id = (handle >> INDEX_BITS) as u16;
        if linear_id == 0 || index >= self.capacity {
            return None;
        }
        match self.slots.get(index)? {
            Some(slot) if slot.linear_id == linear_id => Some(index),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_and_stale_handles() {
        let mut table = HandleTable::new(2);
        let a = table.insert(ObjectId(7)).unwrap_or(0);
        assert_ne!(a, 0);
        assert_eq!(a & RESERVED_MASK, 0);
        assert_eq!(table.get(a), Some(ObjectId(7)));
        let b = table.insert(ObjectId(8)).unwrap_or(0);
        assert_eq!(table.insert(ObjectId(9)), Err(ResultCode::OUT_OF_HANDLES));
        assert_eq!(table.remove(a), Some(ObjectId(7)));
        let c = table.insert(ObjectId(9)).unwrap_or(0);
        assert_ne!(a, c, "a reused slot gets a new linear id");
        assert_eq!(table.get(a), None);
        assert_eq!(table.get(b), Some(ObjectId(8)));
        assert_eq!(table.get(0xFFFF_8001), None);
        assert_eq!(table.get(c | 0x4000_0000), None);
        assert_eq!(table.count(), 2);
    }
}
