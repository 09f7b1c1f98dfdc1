//! Kernel objects: what handles name.
//!
//! Each object counts its references: one per handle in any table, plus one per
//! synchronous request in flight for a client session (a thread blocked in
//! `SendSyncRequest` holds its session, as mesosphère's `KScopedAutoObject` does).
//! When a session end's count drops to zero that end is closed
//! ([`super::ModelKernel::release_object`]). Processes, threads and events are never
//! destroyed while the kernel lives.

use crate::kernel::{ObjectId, ProcessRef, ThreadRef};

use super::dense_index;
use super::session::SessionId;

/// What an object is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ObjectKind {
    /// A process (what 0xFFFF8001 names inside it).
    Process(ProcessRef),
    /// A thread (what 0xFFFF8000 names on it).
    Thread(ThreadRef),
    /// An event; `interrupt` events cannot be transferred (§4.3 step 8).
    Event {
        /// Whether it is an interrupt event.
        interrupt: bool,
        /// Whether it is signaled.
        signaled: bool,
    },
    /// The server end of a session.
    ServerSession(SessionId),
    /// The client end of a session.
    ClientSession(SessionId),
}

impl ObjectKind {
    /// Whether `ReplyAndReceive` may wait on it (mesosphère's `KSynchronizationObject`:
    /// a client session is not one).
    pub(crate) fn is_synchronization_object(self) -> bool {
        !matches!(self, ObjectKind::ClientSession(_))
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Object {
    pub(crate) kind: ObjectKind,
    pub(crate) references: usize,
}

/// Every object of the kernel. Objects are never destroyed and their ids are
/// handed out in order from 1: object `n` is entry `n - 1` ([`dense_index`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct Objects {
    objects: Vec<Object>,
}

impl Objects {
    /// Creates an object with no references.
    pub(crate) fn create(&mut self, kind: ObjectKind) -> ObjectId {
        self.objects.push(Object {
            kind,
            references: 0,
        });
        ObjectId(self.objects.len() as u64)
    }

    pub(crate) fn get_mut(&mut self, id: ObjectId) -> Option<&mut Object> {
        self.objects.get_mut(dense_index(id.0)?)
    }

    pub(crate) fn kind(&self, id: ObjectId) -> Option<ObjectKind> {
        self.objects.get(dense_index(id.0)?).map(|o| o.kind)
    }

    /// Adds a reference.
    pub(crate) fn acquire(&mut self, id: ObjectId) {
        if let Some(object) = self.get_mut(id) {
            object.references = object.references.saturating_add(1);
        }
    }

    /// Drops a reference; returns the object's kind when that was the last one.
    pub(crate) fn release(&mut self, id: ObjectId) -> Option<ObjectKind> {
        let object = self.get_mut(id)?;
        if object.references == 0 {
            return None;
        }
        object.references -= 1;
        (object.references == 0).then_some(object.kind)
    }
}
