//! The layer's part of `hipc decode --cmif/--tipc` without `--json`.

use std::fmt::Write;

use hipc::{Error, Message, ResultCode, cmif, tipc};

use super::{LayerOptions, Protocol};

/// The layer's part of `hipc decode --cmif/--tipc` without `--json`: one line per
/// header and region, each with its byte offset from the message start, after the
/// HIPC dissection.
pub fn dissect_layers(bytes: &[u8], options: &LayerOptions) -> Result<String, Error> {
    let msg = Message::new_checked(bytes)?;
    let mut out = String::new();
    let tag = msg.header().tag();
    match options.protocol {
        Protocol::Cmif if options.response.unwrap_or(tag == 0) => {
            cmif_response(&msg, options, &mut out)?
        }
        Protocol::Cmif if tag == 2 && options.response.is_none() => {
            out.push_str("CMIF Close (tag 2): the session is closed, no CMIF body\n");
        }
        Protocol::Cmif => cmif_request(&msg, options, &mut out)?,
        Protocol::Tipc if options.response == Some(true) => tipc_response(&msg, &mut out)?,
        Protocol::Tipc => tipc_request(&msg, &mut out)?,
    }
    Ok(out)
}

/// One line of the dissection: offset, name, text.
fn line(out: &mut String, offset: usize, name: &str, text: String) {
    let _ = writeln!(out, "{offset:#06x}  {name:<16} {text}");
}

/// A CMIF response: the domain header if any, the SFCO header, the payload.
fn cmif_response(
    msg: &Message<&[u8]>,
    options: &LayerOptions,
    out: &mut String,
) -> Result<(), Error> {
    let resp = cmif::Response::new_checked(msg, cmif::Session::domain_if(options.domain))?;
    let _ = writeln!(
        out,
        "CMIF response{}, data at {:#06x} (raw data at {:#06x}, padding {})",
        if options.domain { " (domain)" } else { "" },
        resp.aligned_offset(),
        resp.raw_offset(),
        resp.padding()
    );
    if let Some(d) = resp.domain() {
        line(
            out,
            resp.aligned_offset(),
            "domain",
            format!("num_out_objects={}", d.num_out_objects.get()),
        );
    }
    let h = resp.header();
    line(
        out,
        resp.header_offset(),
        "sfco",
        format!(
            "magic={:#010x} version={} result={} token={:#x}",
            h.magic.get(),
            h.version.get(),
            ResultCode(h.result.get()),
            h.token.get()
        ),
    );
    line(
        out,
        resp.payload_offset(),
        "payload",
        payload_text(resp.payload()),
    );
    Ok(())
}

/// A CMIF request: the domain header if any, the SFCI header and payload, the
/// in-object ids, and the out-pointer size table when asked for.
fn cmif_request(
    msg: &Message<&[u8]>,
    options: &LayerOptions,
    out: &mut String,
) -> Result<(), Error> {
    let req = cmif::Request::new_checked(msg, cmif::Session::domain_if(options.domain))?;
    let domain = if req.domain().is_some() {
        " (domain)"
    } else if options.domain {
        " (control requests carry no domain header)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "CMIF request, tag {} ({}){domain}, data at {:#06x} (raw data at {:#06x}, padding {})",
        req.tag(),
        hipc::tag_name(req.tag()),
        req.aligned_offset(),
        req.raw_offset(),
        req.padding()
    );
    if let Some(d) = req.domain() {
        line(
            out,
            req.aligned_offset(),
            "domain",
            format!(
                "type={} ({}) num_in_objects={} data_size={:#x} object_id={} token={:#x}",
                d.kind().value(),
                d.kind().name(),
                d.num_in_objects(),
                d.data_size(),
                d.object_id(),
                d.token()
            ),
        );
    }
    if let (Some(h), Some(offset)) = (req.header(), req.header_offset()) {
        let control = req
            .control_command()
            .map(|c| format!(" ({})", c.name()))
            .unwrap_or_default();
        line(
            out,
            offset,
            "sfci",
            format!(
                "magic={:#010x} version={} command_id={}{control} token={:#x}",
                h.magic.get(),
                h.version.get(),
                h.command_id.get(),
                h.token.get()
            ),
        );
        line(
            out,
            req.payload_offset(),
            "payload",
            payload_text(req.payload()),
        );
    }
    if let Some(d) = req.domain() {
        if !d.in_objects().is_empty() {
            let ids: Vec<String> = d.in_objects().iter().map(|i| i.get().to_string()).collect();
            line(
                out,
                req.raw_offset() + d.in_objects_raw_offset(),
                "in_objects",
                ids.join(" "),
            );
        }
    }
    if let Some(spec) = options.size_table {
        let sizes = req.out_pointer_sizes(spec.data_size, spec.count)?;
        let in_objects = req.domain().map(|d| usize::from(d.num_in_objects()));
        let offset = req.raw_offset() + cmif::size_table_offset(in_objects, spec.data_size);
        let list: Vec<String> = sizes.iter().map(|s| format!("{:#x}", s.get())).collect();
        line(out, offset, "size_table", list.join(" "));
    }
    Ok(())
}

/// A TIPC reply: the result word and the payload.
fn tipc_response(msg: &Message<&[u8]>, out: &mut String) -> Result<(), Error> {
    let resp = tipc::Response::new_checked(msg)?;
    let raw = msg.layout().raw().start;
    let method = resp
        .command_id()
        .map(|c| format!(", method {c}"))
        .unwrap_or_default();
    let _ = writeln!(out, "TIPC reply, tag {}{method}", resp.tag());
    line(out, raw, "result", ResultCode(resp.result()).to_string());
    line(out, raw + 4, "payload", payload_text(resp.payload()));
    Ok(())
}

/// A TIPC request (or CloseSession): the method and the payload.
fn tipc_request(msg: &Message<&[u8]>, out: &mut String) -> Result<(), Error> {
    let req = tipc::Request::new_checked(msg)?;
    match req.command_id() {
        None => {
            let _ = writeln!(out, "TIPC CloseSession (tag 15)");
        }
        Some(id) => {
            let _ = writeln!(out, "TIPC request, tag {}, method {id}", req.tag());
            line(
                out,
                msg.layout().raw().start,
                "payload",
                payload_text(req.payload()),
            );
        }
    }
    Ok(())
}

/// A payload as its bytes in hex, spaced, and its length.
fn payload_text(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "(empty)".to_owned();
    }
    let spaced: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{} ({} bytes)", spaced.join(" "), bytes.len())
}
