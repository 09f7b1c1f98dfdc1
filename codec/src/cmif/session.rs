//! Whether a CMIF session is a domain (wire-format.md §2.5, §2.6): session state,
//! never on the wire, so the caller says which when viewing a message.

/// The kind of session a CMIF message travels on.
///
/// A session starts [`Session::Plain`] and becomes a [`Session::Domain`] after the
/// control request ConvertCurrentObjectToDomain (§2.7); from then on every request
/// and reply (control requests excepted) starts with a domain header. Nothing in the
/// message says which: viewing one as the wrong kind gives a bad-magic error that
/// says so ([`crate::Error::CmifBadMagic`]'s `session_hint`).
///
/// ```
/// use hipc::cmif::Session;
/// assert!(Session::Domain.is_domain());
/// assert_eq!(Session::domain_if(false), Session::Plain);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Session {
    /// An ordinary session: no domain header.
    #[default]
    Plain,
    /// A domain session: a domain header precedes the SFCI/SFCO header.
    Domain,
}

impl Session {
    /// [`Session::Domain`] when `is_domain`, else [`Session::Plain`] (for callers
    /// that keep the state as a flag).
    pub const fn domain_if(is_domain: bool) -> Self {
        if is_domain {
            Session::Domain
        } else {
            Session::Plain
        }
    }
    /// Whether this is a domain session.
    pub const fn is_domain(self) -> bool {
        matches!(self, Session::Domain)
    }
}
