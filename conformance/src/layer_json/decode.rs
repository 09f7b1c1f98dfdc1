//! Decoding: a message and its layer into the message JSON, and the layer
//! options a message JSON implies.

use hipc::{Error, Message, cmif, tipc};

use super::{
    CmifJson, DomainJson, LayerOptions, LayeredJson, Protocol, SizeTableJson, SizeTableSpec,
    TipcJson,
};
use crate::hex;
use crate::message_json::MessageJson;

/// Decodes a byte string and its layer into the message JSON.
///
/// ```
/// use hipc_conformance::layer_json::{LayerOptions, decode_layers};
/// use hipc_conformance::hex;
/// // wire-format.md §6 Ex 2.
/// let bytes = hex::decode("040000000a000000000000000000000053464349000000000100000000000000efbeadde010000000000000000000000").unwrap();
/// let json = decode_layers(&bytes, &LayerOptions::default()).unwrap();
/// let cmif = json.cmif.unwrap();
/// assert_eq!(cmif.command_id, Some(1));
/// assert_eq!(cmif.payload.as_deref(), Some("efbeadde010000000000000000000000"));
/// ```
pub fn decode_layers(bytes: &[u8], options: &LayerOptions) -> Result<LayeredJson, Error> {
    let msg = Message::new_checked(bytes)?;
    let mut json = LayeredJson::from(MessageJson::from_message(&msg));
    match options.protocol {
        Protocol::Cmif => json.cmif = Some(cmif_json(&msg, options)?),
        Protocol::Tipc => json.tipc = Some(tipc_json(&msg, options)?),
    }
    Ok(json)
}

/// The `"cmif"` object of a parsed message.
pub fn cmif_json<T: AsRef<[u8]>>(
    msg: &Message<T>,
    options: &LayerOptions,
) -> Result<CmifJson, Error> {
    let tag = msg.header().tag();
    let response = options.response.unwrap_or(tag == 0);
    if response {
        let resp = cmif::Response::new_checked(msg, cmif::Session::domain_if(options.domain))?;
        let h = resp.header();
        return Ok(CmifJson {
            magic: Some(h.magic.get()),
            version: Some(h.version.get()),
            result: Some(h.result.get()),
            token: Some(h.token.get()),
            payload: Some(hex::encode(resp.payload())),
            domain: resp.domain().map(|d| DomainJson {
                num_out_objects: Some(d.num_out_objects.get()),
                ..DomainJson::default()
            }),
            ..CmifJson::default()
        });
    }
    if tag == 2 && options.response.is_none() {
        return Ok(CmifJson {
            close: Some(true),
            ..CmifJson::default()
        });
    }
    let req = cmif::Request::new_checked(msg, cmif::Session::domain_if(options.domain))?;
    let mut json = CmifJson {
        domain: req.domain().map(|d| DomainJson {
            kind: Some(d.kind().value()),
            num_in_objects: Some(d.num_in_objects()),
            data_size: Some(d.data_size()),
            object_id: Some(d.object_id()),
            token: Some(d.token()),
            in_objects: Some(d.in_objects().iter().map(|i| i.get()).collect()),
            num_out_objects: None,
        }),
        ..CmifJson::default()
    };
    if let Some(h) = req.header() {
        json.magic = Some(h.magic.get());
        json.version = Some(h.version.get());
        json.command_id = Some(h.command_id.get());
        json.token = Some(h.token.get());
        json.payload = Some(hex::encode(req.payload()));
    }
    if let Some(spec) = options.size_table {
        let sizes = req.out_pointer_sizes(spec.data_size, spec.count)?;
        json.size_table = Some(SizeTableJson {
            data_size: spec.data_size as u64,
            sizes: sizes.iter().map(|s| s.get()).collect(),
        });
    }
    Ok(json)
}

/// The `"tipc"` object of a parsed message.
pub fn tipc_json<T: AsRef<[u8]>>(
    msg: &Message<T>,
    options: &LayerOptions,
) -> Result<TipcJson, Error> {
    if options.response == Some(true) {
        let resp = tipc::Response::new_checked(msg)?;
        return Ok(TipcJson {
            close: None,
            command_id: resp.command_id(),
            result: Some(resp.result()),
            payload: Some(hex::encode(resp.payload())),
        });
    }
    let req = tipc::Request::new_checked(msg)?;
    if req.is_close() {
        return Ok(TipcJson {
            close: Some(true),
            ..TipcJson::default()
        });
    }
    Ok(TipcJson {
        close: None,
        command_id: req.command_id(),
        result: None,
        payload: Some(hex::encode(req.payload())),
    })
}

/// The options a message JSON's layer keys imply (used to verify them on encode).
pub fn implied_options(message: &LayeredJson) -> Option<LayerOptions> {
    if let Some(c) = &message.cmif {
        let response = if c.result.is_some()
            || c.domain
                .as_ref()
                .is_some_and(|d| d.num_out_objects.is_some())
        {
            Some(true)
        } else if c.command_id.is_some() || c.domain.is_some() || c.close == Some(true) {
            Some(false)
        } else {
            None
        };
        return Some(LayerOptions {
            protocol: Protocol::Cmif,
            domain: c.domain.is_some(),
            // A HIPC Close is only recognised in the automatic mode.
            response: if c.close == Some(true) {
                None
            } else {
                response
            },
            size_table: c.size_table.as_ref().map(|t| SizeTableSpec {
                data_size: usize::try_from(t.data_size).unwrap_or(usize::MAX),
                count: t.sizes.len(),
            }),
        });
    }
    message.tipc.as_ref().map(|t| LayerOptions {
        protocol: Protocol::Tipc,
        domain: false,
        response: Some(t.result.is_some()),
        size_table: None,
    })
}
