//! Reading the layer objects from a message JSON tree, naming the JSON path of
//! every error.

use super::{CmifJson, DomainJson, SizeTableJson, TipcJson};
use crate::hex;
use crate::message_json::{Json, JsonError, Loc, Obj, array, boolean, narrow, uint};

impl CmifJson {
    pub(super) fn from_tree(tree: &Json, loc: &Loc<'_>) -> Result<Self, JsonError> {
        const KEYS: &[&str] = &[
            "close",
            "magic",
            "version",
            "command_id",
            "result",
            "token",
            "payload",
            "data",
            "domain",
            "size_table",
        ];
        let obj = Obj::new(tree, loc, KEYS)?;
        let u32_key = |key: &'static str| opt_uint::<u32>(&obj, key, u64::from(u32::MAX));
        Ok(CmifJson {
            close: opt_bool(&obj, "close")?,
            magic: u32_key("magic")?,
            version: u32_key("version")?,
            command_id: u32_key("command_id")?,
            result: u32_key("result")?,
            token: u32_key("token")?,
            payload: opt_hex(&obj, "payload")?,
            data: opt_hex(&obj, "data")?,
            domain: match obj.optional("domain") {
                Some((value, at)) => Some(DomainJson::from_tree(value, &at)?),
                None => None,
            },
            size_table: match obj.optional("size_table") {
                Some((value, at)) => Some(SizeTableJson::from_tree(value, &at)?),
                None => None,
            },
        })
    }
}

impl DomainJson {
    pub(super) fn from_tree(tree: &Json, loc: &Loc<'_>) -> Result<Self, JsonError> {
        const KEYS: &[&str] = &[
            "type",
            "num_in_objects",
            "data_size",
            "object_id",
            "token",
            "in_objects",
            "num_out_objects",
        ];
        let obj = Obj::new(tree, loc, KEYS)?;
        Ok(DomainJson {
            kind: opt_uint(&obj, "type", u64::from(u8::MAX))?,
            num_in_objects: opt_uint(&obj, "num_in_objects", u64::from(u8::MAX))?,
            data_size: opt_uint(&obj, "data_size", u64::from(u16::MAX))?,
            object_id: opt_uint(&obj, "object_id", u64::from(u32::MAX))?,
            token: opt_uint(&obj, "token", u64::from(u32::MAX))?,
            in_objects: match obj.optional("in_objects") {
                Some((value, at)) => Some(
                    array(value, &at)?
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let at = at.index(i);
                            narrow(uint(v, &at)?, &at, u64::from(u32::MAX))
                        })
                        .collect::<Result<Vec<u32>, _>>()?,
                ),
                None => None,
            },
            num_out_objects: opt_uint(&obj, "num_out_objects", u64::from(u32::MAX))?,
        })
    }
}

impl SizeTableJson {
    pub(super) fn from_tree(tree: &Json, loc: &Loc<'_>) -> Result<Self, JsonError> {
        let obj = Obj::new(tree, loc, &["data_size", "sizes"])?;
        let data_size = obj.uint_field("data_size", u64::MAX)?;
        let (value, at) = obj.required("sizes")?;
        let sizes = array(value, &at)?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let at = at.index(i);
                narrow(uint(v, &at)?, &at, u64::from(u16::MAX))
            })
            .collect::<Result<Vec<u16>, _>>()?;
        Ok(SizeTableJson { data_size, sizes })
    }
}

impl TipcJson {
    pub(super) fn from_tree(tree: &Json, loc: &Loc<'_>) -> Result<Self, JsonError> {
        let obj = Obj::new(tree, loc, &["close", "command_id", "result", "payload"])?;
        Ok(TipcJson {
            close: opt_bool(&obj, "close")?,
            command_id: opt_uint(&obj, "command_id", u64::from(u16::MAX - 16))?,
            result: opt_uint(&obj, "result", u64::from(u32::MAX))?,
            payload: opt_hex(&obj, "payload")?,
        })
    }
}

fn opt_uint<T: TryFrom<u64>>(
    obj: &Obj<'_, '_>,
    key: &'static str,
    max: u64,
) -> Result<Option<T>, JsonError> {
    match obj.optional(key) {
        Some((value, at)) => {
            let v = uint(value, &at)?;
            if v > max {
                return Err(at.invalid(format!("value {v:#x} does not fit (largest is {max:#x})")));
            }
            narrow(v, &at, max).map(Some)
        }
        None => Ok(None),
    }
}

fn opt_bool(obj: &Obj<'_, '_>, key: &'static str) -> Result<Option<bool>, JsonError> {
    match obj.optional(key) {
        Some((value, at)) => boolean(value, &at).map(Some),
        None => Ok(None),
    }
}

/// A hex string, stored as canonical lowercase hex.
fn opt_hex(obj: &Obj<'_, '_>, key: &'static str) -> Result<Option<String>, JsonError> {
    match obj.optional(key) {
        Some((Json::Str(text), at)) => match hex::decode(text) {
            Ok(bytes) => Ok(Some(hex::encode(&bytes))),
            Err(e) => Err(at.invalid(format!("not hex: {e}"))),
        },
        Some((other, at)) => {
            Err(at.invalid(format!("expected a hex string, found {}", other.kind())))
        }
        None => Ok(None),
    }
}
