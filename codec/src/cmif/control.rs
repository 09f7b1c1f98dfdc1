//! Control requests (tags 5 and 7): the IHipcManager commands (wire-format.md §2.7).

/// An IHipcManager command. The codec keeps the command id as a raw `u32` (an
/// unknown id is not a wire error); this names the five known ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ControlCommand {
    /// 0: no input; replies with the u32 object id of the session's object.
    ConvertCurrentObjectToDomain,
    /// 1: input u32 object id; replies with a move handle.
    CopyFromCurrentDomain,
    /// 2: no input; replies with a move handle.
    CloneCurrentObject,
    /// 3: no input; replies with the u16 size of the server's pointer buffer.
    QueryPointerBufferSize,
    /// 4: input u32 tag; replies with a move handle.
    CloneCurrentObjectEx,
}

impl ControlCommand {
    /// The command an id names, if any (0..=4).
    ///
    /// ```
    /// use hipc::cmif::ControlCommand;
    /// assert_eq!(ControlCommand::from_id(3), Some(ControlCommand::QueryPointerBufferSize));
    /// assert_eq!(ControlCommand::from_id(5), None);
    /// ```
    pub const fn from_id(id: u32) -> Option<Self> {
        match id {
            0 => Some(ControlCommand::ConvertCurrentObjectToDomain),
            1 => Some(ControlCommand::CopyFromCurrentDomain),
            2 => Some(ControlCommand::CloneCurrentObject),
            3 => Some(ControlCommand::QueryPointerBufferSize),
            4 => Some(ControlCommand::CloneCurrentObjectEx),
            _ => None,
        }
    }
    /// The command id.
    pub const fn id(self) -> u32 {
        match self {
            ControlCommand::ConvertCurrentObjectToDomain => 0,
            ControlCommand::CopyFromCurrentDomain => 1,
            ControlCommand::CloneCurrentObject => 2,
            ControlCommand::QueryPointerBufferSize => 3,
            ControlCommand::CloneCurrentObjectEx => 4,
        }
    }
    /// The command's name.
    pub const fn name(self) -> &'static str {
        match self {
            ControlCommand::ConvertCurrentObjectToDomain => "ConvertCurrentObjectToDomain",
            ControlCommand::CopyFromCurrentDomain => "CopyFromCurrentDomain",
            ControlCommand::CloneCurrentObject => "CloneCurrentObject",
            ControlCommand::QueryPointerBufferSize => "QueryPointerBufferSize",
            ControlCommand::CloneCurrentObjectEx => "CloneCurrentObjectEx",
        }
    }
}
