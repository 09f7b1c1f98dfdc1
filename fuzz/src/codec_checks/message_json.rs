//! The `message_json` target: any text as a message JSON.

use hipc_conformance::message_json::MessageJson;

use super::check_decode;

/// `message_json`: any text as a message JSON. Reading and encoding never panic;
/// what encodes decodes back to the same message (the optional keys normalized) and
/// re-encodes to the same bytes; the `encode` command's conversion agrees.
pub fn check_message_json(text: &str) {
    use hipc_conformance::cli::Convert;
    let command = hipc_conformance::cli::encode::Encoder.convert(text);
    let Ok(json) = MessageJson::from_json(text) else {
        return;
    };
    let Ok(bytes) = json.to_bytes() else {
        return;
    };
    // The command reads a superset (layers); for a plain message it agrees.
    if let Ok(hex) = &command {
        assert_eq!(
            hex,
            &bytes.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "hipc encode disagrees with MessageJson::to_bytes"
        );
    }
    let decoded = MessageJson::decode(&bytes).expect("encoded bytes decode");
    let mut normalized = json.clone();
    normalized.special_header = json.special_header
        && json.pid.is_none()
        && json.copy_handles.is_empty()
        && json.move_handles.is_empty();
    normalized.trailing_bytes = 0;
    assert_eq!(
        decoded, normalized,
        "encode then decode changed the message"
    );
    assert_eq!(decoded.to_bytes().ok(), Some(bytes.clone()));
    let text2 = decoded.to_json();
    assert_eq!(MessageJson::from_json(&text2).ok(), Some(decoded));
    check_decode(&bytes);
}
