//! The codec properties the `decode`, `roundtrip` and `message_json` targets check.
//! Each function panics (so libFuzzer reports a crash) when a property fails.

use std::fmt::Write as _;

use hipc::field::{header1, limits, special};
use hipc::{
    BufferDescriptor, Error, Message, MessageRepr, PointerDescriptor, ReceiveListEntry, Sections,
    cmif, entry_count, tipc,
};
use hipc_conformance::message_json::MessageJson;

/// The bytes a message re-emits to: its own bytes with the gap between the raw data
/// and a receive list placed further on zeroed (message-json.md: "encoding writes
/// zeros there, and the same-bytes rule holds for messages whose gap is zero").
pub fn expected_reemit<T: AsRef<[u8]>>(msg: &Message<T>) -> Vec<u8> {
    let mut out = msg.as_bytes().to_vec();
    if let Some(gap) = out.get_mut(msg.layout().gap()) {
        gap.fill(0);
    }
    out
}

/// One input in [`SAMPLE`] (chosen by a hash of its bytes, so a crashing input
/// crashes again when replayed), or every input when `HIPC_FUZZ_FULL` is set in the
/// environment: whether [`check_decode`] runs its formatting checks (the error's
/// text, the dissection, the message JSON) on these bytes.
///
/// Profiled (fuzz/README.md): rendering the dissection twice and the JSON round trip
/// took nine tenths of every exec, so the target ran ~10,000 exec/s; on a sample the
/// properties are the same, and the fuzzer spends its time on the codec.
pub fn formatting_sampled(bytes: &[u8]) -> bool {
    static FULL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *FULL.get_or_init(|| std::env::var_os("HIPC_FUZZ_FULL").is_some()) {
        return true;
    }
    // FNV-1a over every byte, eight at a time, and the length. Every byte counts:
    // a hash of the first and last 32 bytes alone let the fuzzer keep an input
    // sampled while it mutated the middle, and as the formatting code is coverage
    // the sampled inputs took over the corpus (formatting was again more than half
    // of every exec, fuzz/README.md).
    let (words, rest) = bytes.as_chunks::<8>();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ bytes.len() as u64;
    for word in words {
        hash = (hash ^ u64::from_le_bytes(*word)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    for &b in rest {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    // The high half: the low bits of a multiplicative hash mix poorly.
    ((hash >> 32) as u32).is_multiple_of(SAMPLE)
}

/// One input in this many gets [`check_decode`]'s formatting checks.
pub const SAMPLE: u32 = 1024;

/// `decode`: any bytes as a message buffer. Never panics in the codec; when they
/// decode, every accessor agrees with the layout, the layers never panic, and
/// re-emitting from the view gives the same bytes. On the inputs
/// [`formatting_sampled`] picks (and on all of them with `HIPC_FUZZ_FULL=1`), also:
/// the error renders, the dissection renders, and the message JSON encodes to the
/// same bytes and reads back.
pub fn check_decode(bytes: &[u8]) {
    let formatting = formatting_sampled(bytes);
    let msg = match Message::new_checked(bytes) {
        Ok(msg) => msg,
        Err(e) => {
            // The error renders; the typed-slice parse refuses the same bytes with
            // the same error.
            if formatting {
                let _ = e.to_string();
            }
            assert_eq!(
                Sections::parse(bytes),
                Err(e),
                "Sections::parse and new_checked disagree"
            );
            return;
        }
    };
    check_sections_agree(&msg);
    check_accessors(&msg);
    if formatting {
        check_dissection(&msg);
    }
    let expected = expected_reemit(&msg);
    check_reemit(&msg, &expected);
    if formatting {
        check_decoded_json(bytes, &msg, &expected);
    }
    check_writable(bytes, &msg);
    check_layers(&msg);
}

/// Every accessor agrees with the header's counts, and every item rebuilds
/// through its checked constructor.
fn check_accessors(msg: &Message<&[u8]>) {
    let bytes = msg.buffer();
    let layout = *msg.layout();
    let len = msg.message_len();
    assert!(len <= bytes.len());
    assert_eq!(msg.as_bytes(), &bytes[..len]);
    assert_eq!(msg.trailing_len(), bytes.len() - len);
    let header = msg.header();
    assert_eq!(
        msg.copy_handles().len(),
        msg.special_header().map_or(0, |s| s.copy_count())
    );
    assert_eq!(
        msg.move_handles().len(),
        msg.special_header().map_or(0, |s| s.move_count())
    );
    assert_eq!(msg.x_descriptors().len(), header.x_count());
    assert_eq!(msg.a_descriptors().len(), header.a_count());
    assert_eq!(msg.b_descriptors().len(), header.b_count());
    assert_eq!(msg.w_descriptors().len(), header.w_count());
    assert_eq!(
        msg.map_alias_descriptors().len(),
        header.a_count() + header.b_count() + header.w_count()
    );
    assert_eq!(msg.raw_words().len(), header.raw_words());
    assert_eq!(msg.raw().len(), 4 * header.raw_words());
    assert_eq!(
        msg.receive_list().len(),
        entry_count(header.recv_list_count())
    );
    assert_eq!(
        msg.pid().is_some(),
        msg.special_header().is_some_and(|s| s.has_pid())
    );
    for x in msg.x_descriptors() {
        let rebuilt = PointerDescriptor::new(x.address(), x.size(), x.index())
            .and_then(|d| d.with_reserved(x.reserved()))
            .expect("a decoded X descriptor rebuilds");
        assert_eq!(&rebuilt, x);
    }
    for d in msg.map_alias_descriptors() {
        let _ = d.attribute();
        let rebuilt = BufferDescriptor::new(d.address(), d.size(), d.attribute())
            .and_then(|b| b.with_reserved(d.reserved()))
            .expect("a decoded A/B/W descriptor rebuilds");
        assert_eq!(&rebuilt, d);
    }
    for c in msg.receive_list() {
        let rebuilt = ReceiveListEntry::new(c.address(), c.size())
            .and_then(|e| e.with_reserved(c.reserved()))
            .expect("a decoded C entry rebuilds");
        assert_eq!(&rebuilt, c);
    }
    let _ = (
        layout.message_size(),
        layout.special_data_index(),
        layout.pointer_index(),
        layout.map_alias_index(),
        layout.raw_index(),
        layout.receive_list_index(),
        header.recv_list_mode().name(),
        hipc::tag_name(header.tag()),
    );
}

/// The dissection renders (through a fmt::Write that is not a String too).
fn check_dissection(msg: &Message<&[u8]>) {
    let text = msg.dissect().to_string();
    assert!(!text.is_empty());
    let mut sink = String::new();
    let _ = write!(sink, "{:>80}", msg.dissect());
}

/// Re-emitting from the view gives the same bytes, gap zeroed; the buffer is
/// written only up to the message's end; a short buffer is refused untouched.
fn check_reemit(msg: &Message<&[u8]>, expected: &[u8]) {
    let len = msg.message_len();
    let repr = msg.repr();
    assert_eq!(repr.buffer_len(), Ok(len));
    let mut out = vec![0xA5u8; len + 3];
    let n = repr.emit(&mut out).expect("a decoded message re-emits");
    assert_eq!(n, len);
    assert_eq!(&out[..n], expected);
    assert_eq!(&out[n..], &[0xA5; 3]);
    if len > 0 {
        let mut short = vec![0x5Au8; len - 1];
        assert!(matches!(
            repr.emit(&mut short),
            Err(Error::BufferTooSmall { .. })
        ));
        assert!(short.iter().all(|&b| b == 0x5A), "a refused emit wrote");
    }
    let again = Message::new_checked(&out[..n]).expect("the re-emitted message parses");
    assert_eq!(again.repr(), repr);
}

/// The message JSON: encoding it gives the same bytes; its text reads back.
fn check_decoded_json(bytes: &[u8], msg: &Message<&[u8]>, expected: &[u8]) {
    let json = MessageJson::from_message(msg);
    assert_eq!(json.trailing_bytes, msg.trailing_len() as u64);
    assert_eq!(
        json.to_bytes().expect("a decoded message's JSON encodes"),
        expected
    );
    let text = json.to_json();
    let back = MessageJson::from_json(&text)
        .unwrap_or_else(|e| panic!("decode's JSON does not read back: {e}\n{text}"));
    assert_eq!(back.to_bytes().ok(), Some(expected.to_vec()));
    assert_eq!(MessageJson::decode(bytes).as_ref(), Ok(&json));
}

/// Writable view: editing in place lands where the read view says.
fn check_writable(bytes: &[u8], msg: &Message<&[u8]>) {
    let mut buf = bytes.to_vec();
    let mut m = Message::new_checked(&mut buf[..]).expect("same bytes, same verdict");
    assert_eq!(
        m.set_pid(0x0123_4567_89AB_CDEF).is_ok(),
        m.pid().is_some(),
        "set_pid succeeds exactly when there is a PID slot"
    );
    if let Some(h) = m.copy_handles_mut().first_mut() {
        *h = hipc::U32::new(0xDEAD_BEEF);
    }
    let _ = (
        m.move_handles_mut().len(),
        m.x_descriptors_mut().len(),
        m.a_descriptors_mut().len(),
        m.b_descriptors_mut().len(),
        m.w_descriptors_mut().len(),
        m.map_alias_descriptors_mut().len(),
        m.raw_mut().len(),
        m.receive_list_mut().len(),
        m.buffer_mut().len(),
    );
    let pid = m.pid();
    let first_copy = m.copy_handles().first().map(|h| h.get());
    assert_eq!(pid.is_some(), msg.pid().is_some());
    if pid.is_some() {
        assert_eq!(pid, Some(0x0123_4567_89AB_CDEF));
    }
    if first_copy.is_some() {
        assert_eq!(first_copy, Some(0xDEAD_BEEF));
    }
    let tag = m.header().tag();
    m.header_mut().set_tag(tag ^ 1);
    assert_eq!(m.header().tag(), tag ^ 1);
    check_writable_layers(bytes);
}

/// `decode`'s check that the two checked parses agree on a message both accept:
/// [`Sections::parse`] cuts every section where [`Message`]'s accessors place it
/// (compared by position, not by content: all are slices of the same bytes), as
/// long as its header count says, and [`Message::sections`] is the same cut.
/// Refusals are compared error for error where `new_checked` refuses.
pub fn check_sections_agree(msg: &Message<&[u8]>) {
    let bytes = msg.buffer();
    let s = match Sections::parse(bytes) {
        Ok(s) => s,
        Err(e) => panic!("new_checked accepts what Sections::parse refuses: {e:?}"),
    };
    assert_eq!(msg.sections(), s);
    let header = msg.header();
    assert_eq!(s.header(), header);
    assert_eq!(s.special_header(), msg.special_header());
    assert_eq!(s.pid(), msg.pid());
    assert_eq!(s.message_len(), msg.message_len());
    let special = msg.special_header().unwrap_or_default();
    let same = |a: &[u8], b: &[u8], n: usize| {
        assert!(core::ptr::eq(a, b) || (a.is_empty() && b.is_empty()));
        assert_eq!(a.len(), n);
    };
    use zerocopy::IntoBytes;
    same(
        s.copy_handles().as_bytes(),
        msg.copy_handles().as_bytes(),
        4 * special.copy_count(),
    );
    same(
        s.move_handles().as_bytes(),
        msg.move_handles().as_bytes(),
        4 * special.move_count(),
    );
    assert_eq!(
        s.handles().len(),
        special.copy_count() + special.move_count()
    );
    same(
        s.x_descriptors().as_bytes(),
        msg.x_descriptors().as_bytes(),
        8 * header.x_count(),
    );
    same(
        s.a_descriptors().as_bytes(),
        msg.a_descriptors().as_bytes(),
        12 * header.a_count(),
    );
    same(
        s.b_descriptors().as_bytes(),
        msg.b_descriptors().as_bytes(),
        12 * header.b_count(),
    );
    same(
        s.w_descriptors().as_bytes(),
        msg.w_descriptors().as_bytes(),
        12 * header.w_count(),
    );
    same(
        s.map_alias_descriptors().as_bytes(),
        msg.map_alias_descriptors().as_bytes(),
        12 * (header.a_count() + header.b_count() + header.w_count()),
    );
    same(s.raw(), msg.raw(), 4 * header.raw_words());
    same(
        s.raw_words().as_bytes(),
        msg.raw_words().as_bytes(),
        4 * header.raw_words(),
    );
    same(
        s.receive_list().as_bytes(),
        msg.receive_list().as_bytes(),
        8 * entry_count(header.recv_list_count()),
    );
}

/// `parse`: what a user of the codec does with bytes from a buffer, and nothing
/// else: the checked parse ([`Message::new_checked`]), every accessor, the typed
/// slices ([`Message::sections`], which must cut the message `new_checked`
/// accepted), every field of every item, and the CMIF and TIPC views. No
/// allocation and no formatting, so the fuzzer's time goes to the code under test
/// (fuzz/README.md gives its exec/s). That the two parses agree section for section
/// and error for error is `decode`'s property ([`check_sections_agree`]): checked
/// here it cost a quarter of this target's throughput, and a refused input nothing
/// but a second and third parse.
pub fn check_parse(bytes: &[u8]) {
    let Ok(msg) = Message::new_checked(bytes) else {
        return;
    };
    let s = msg.sections();
    // `sections` answers EMPTY (length 0) if the cut refused the checked message.
    assert_eq!(
        s.message_len(),
        msg.message_len(),
        "Sections refuses what new_checked accepts"
    );
    assert!(msg.message_len() <= bytes.len());
    let header = msg.header();
    // Every accessor of the view, as a user reads one section at a time.
    let lens = msg.copy_handles().len()
        + msg.move_handles().len()
        + msg.x_descriptors().len()
        + msg.a_descriptors().len()
        + msg.b_descriptors().len()
        + msg.w_descriptors().len()
        + msg.map_alias_descriptors().len()
        + msg.raw().len()
        + msg.raw_words().len()
        + msg.receive_list().len()
        + usize::from(msg.pid().is_some())
        + usize::from(msg.special_header().is_some());
    std::hint::black_box(lens);
    // Every field of every item, summed so that nothing is optimized away.
    let mut sum = u64::from(header.tag()).wrapping_add(s.pid().unwrap_or(0));
    for h in s.handles() {
        sum = sum.wrapping_add(u64::from(h.get()));
    }
    for x in s.x_descriptors() {
        sum = sum
            .wrapping_add(x.address())
            .wrapping_add(x.size())
            .wrapping_add(u64::from(x.index()))
            .wrapping_add(u64::from(x.reserved()));
    }
    for d in s.map_alias_descriptors() {
        sum = sum
            .wrapping_add(d.address())
            .wrapping_add(d.size())
            .wrapping_add(u64::from(d.mode()))
            .wrapping_add(u64::from(d.reserved()))
            .wrapping_add(d.attribute().bits().into());
    }
    for w in s.raw_words() {
        sum = sum.wrapping_add(u64::from(w.get()));
    }
    for c in s.receive_list() {
        sum = sum
            .wrapping_add(c.address())
            .wrapping_add(c.size())
            .wrapping_add(u64::from(c.reserved()));
    }
    let l = msg.layout();
    sum = sum
        .wrapping_add(l.message_size() as u64)
        .wrapping_add(msg.trailing_len() as u64)
        .wrapping_add(header.recv_list_mode().entry_count() as u64);
    std::hint::black_box(sum);
    check_layers(&msg);
}

/// The CMIF and TIPC views over the raw data: never panic, whatever the bytes.
pub fn check_layers<T: AsRef<[u8]>>(msg: &Message<T>) {
    let data_len = msg.raw().first().copied().unwrap_or(0) as usize;
    let count = msg.raw().get(1).copied().unwrap_or(0) as usize % 32;
    for domain in [false, true] {
        if let Ok(req) = cmif::Request::new_checked(msg, cmif::Session::domain_if(domain)) {
            let _ = (
                req.kind(),
                req.tag(),
                req.is_control(),
                req.header(),
                req.command_id(),
                req.version(),
                req.token(),
                req.control_command(),
                req.payload().len(),
                req.raw().len(),
                req.padding(),
                req.raw_offset(),
                req.aligned_offset(),
                req.header_offset(),
                req.payload_offset(),
            );
            if let Some(d) = req.domain() {
                let _ = (
                    d.header(),
                    d.kind(),
                    d.num_in_objects(),
                    d.data_size(),
                    d.object_id(),
                    d.token(),
                    d.in_objects().len(),
                    d.in_object(0),
                    d.in_object(usize::MAX),
                    d.in_objects_raw_offset(),
                );
            }
            let _ = req.out_pointer_sizes(data_len, count);
            let _ = req.out_pointer_sizes(usize::MAX, usize::MAX);
            // Typed data is read when the payload holds it, refused otherwise.
            let wide = req.in_data::<[u8; 24]>();
            assert_eq!(wide.is_ok(), req.payload().len() >= 24);
            let _ = (req.pid(), req.copy_handle(0), req.move_handle(usize::MAX));
        }
        if let Ok(resp) = cmif::Response::new_checked(msg, cmif::Session::domain_if(domain)) {
            let _ = (
                resp.header(),
                resp.result(),
                resp.version(),
                resp.token(),
                resp.domain(),
                resp.num_out_objects(),
                resp.payload().len(),
                resp.padding(),
                resp.raw_offset(),
                resp.aligned_offset(),
                resp.header_offset(),
                resp.payload_offset(),
            );
            let _ = resp.out_objects(data_len);
            let _ = resp.out_objects(usize::MAX);
            let _ = (resp.out_object(data_len, 0), resp.out_data::<u64>());
            let _ = (resp.success(), resp.move_handle(0), resp.copy_handle(1));
        }
    }
    if let Ok(req) = tipc::Request::new_checked(msg) {
        let _ = (
            req.tag(),
            req.is_close(),
            req.command_id(),
            req.payload().len(),
        );
    }
    if let Ok(resp) = tipc::Response::new_checked(msg) {
        let _ = (
            resp.tag(),
            resp.command_id(),
            resp.result(),
            resp.payload().len(),
        );
    }
}

/// The writable CMIF views: never panic, and write only inside the raw data.
fn check_writable_layers(bytes: &[u8]) {
    // One copy, restored for the second session (no allocation per session).
    let mut buf = bytes.to_vec();
    for session in [cmif::Session::Plain, cmif::Session::Domain] {
        buf.copy_from_slice(bytes);
        let Ok(mut m) = Message::new_checked(&mut buf[..]) else {
            return;
        };
        let raw = m.layout().raw();
        if let Ok(mut req) = cmif::RequestMut::new_checked(&mut m, session) {
            if let Some(h) = req.header_mut() {
                h.token.set(!h.token.get());
            }
            if let Some(id) = req.object_id_mut() {
                id.set(!id.get());
            }
            req.payload_mut().fill(0xA5);
            req.in_objects_mut().fill(hipc::U32::new(0x5A5A_5A5A));
        }
        if let Ok(mut resp) = cmif::ResponseMut::new_checked(&mut m, session) {
            let h = resp.header_mut();
            h.result.set(!h.result.get());
            resp.payload_mut().fill(0x3C);
            if let Ok(ids) = resp.out_objects_mut(bytes.len() % 64) {
                ids.fill(hipc::U32::new(7));
            }
        }
        // Compared in place (copying both sides out cost an allocation each).
        assert!(
            buf[..raw.start] == bytes[..raw.start] && buf[raw.end..] == bytes[raw.end..],
            "a writable CMIF view wrote outside the raw data"
        );
    }
}

/// Whether the emitter must accept `repr`, and if not, why (computed here from the
/// wire format's field widths, independently of the codec).
pub fn repr_problem(repr: &MessageRepr<'_>) -> Option<&'static str> {
    let counts = [
        repr.copy_handles.len(),
        repr.move_handles.len(),
        repr.x.len(),
        repr.a.len(),
        repr.b.len(),
        repr.w.len(),
    ];
    if counts.iter().any(|&n| n > 15) {
        return Some("too many items");
    }
    if !repr.raw.len().is_multiple_of(4) {
        return Some("raw data not words");
    }
    let raw_words = repr.raw.len() / 4;
    if raw_words > limits::RAW_WORDS_MAX {
        return Some("too many raw words");
    }
    if repr.recv_list_count > 15 {
        return Some("recv_list_count too large");
    }
    if repr.recv_list_offset > 2047 {
        return Some("recv_list_offset too large");
    }
    if repr.c.len() != entry_count(repr.recv_list_count) {
        return Some("C entries disagree with the count");
    }
    if repr.header_reserved & !header1::RESERVED.mask() != 0 {
        return Some("header reserved outside its bits");
    }
    if repr.special_reserved & !special::RESERVED.mask() != 0 {
        return Some("special reserved outside its bits");
    }
    let has_special = repr.special_header
        || repr.pid.is_some()
        || !repr.copy_handles.is_empty()
        || !repr.move_handles.is_empty();
    if repr.special_reserved != 0 && !has_special {
        return Some("special reserved without a special header");
    }
    let words = 2
        + usize::from(has_special)
        + if repr.pid.is_some() { 2 } else { 0 }
        + counts[0]
        + counts[1]
        + 2 * counts[2]
        + 3 * (counts[3] + counts[4] + counts[5])
        + raw_words;
    if repr.recv_list_offset != 0 && usize::from(repr.recv_list_offset) < words {
        return Some("recv_list_offset inside the message");
    }
    None
}

/// The length an acceptable representation emits to.
pub fn repr_len(repr: &MessageRepr<'_>) -> usize {
    let has_special = repr.has_special_header();
    let raw_end = 4
        * (2 + usize::from(has_special)
            + if repr.pid.is_some() { 2 } else { 0 }
            + repr.copy_handles.len()
            + repr.move_handles.len()
            + 2 * repr.x.len()
            + 3 * (repr.a.len() + repr.b.len() + repr.w.len())
            + repr.raw.len() / 4);
    if repr.c.is_empty() {
        raw_end
    } else if repr.recv_list_offset == 0 {
        raw_end + 8 * repr.c.len()
    } else {
        4 * usize::from(repr.recv_list_offset) + 8 * repr.c.len()
    }
}

/// `roundtrip`: emit then parse gives the representation back; values that do not
/// fit are refused (never truncated), and a refusal writes nothing.
pub fn check_roundtrip(repr: &MessageRepr<'_>, spare: usize) {
    let problem = repr_problem(repr);
    let needed = repr_len(repr);
    let mut buf = vec![0xC3u8; needed.saturating_add(spare % 64)];
    match (repr.emit(&mut buf), problem) {
        (Ok(n), None) => {
            assert_eq!(n, needed);
            assert!(
                buf[n..].iter().all(|&b| b == 0xC3),
                "emit wrote past the message"
            );
            let msg = Message::new_checked(&buf[..n]).expect("an emitted message parses");
            assert_eq!(msg.repr(), *repr, "emit then parse changed the message");
            assert_eq!(msg.message_len(), n);
            assert_eq!(msg.pid(), repr.pid);
            assert_eq!(msg.special_header().is_some(), repr.has_special_header());
            // The message JSON describes it and encodes to the same bytes.
            let json = MessageJson::from_message(&msg);
            assert_eq!(json.to_bytes().ok().as_deref(), Some(&buf[..n]));
            // One byte short is refused without writing.
            if n > 0 {
                let mut short = vec![0x3Cu8; n - 1];
                assert!(matches!(
                    repr.emit(&mut short),
                    Err(Error::BufferTooSmall { .. })
                ));
                assert!(short.iter().all(|&b| b == 0x3C));
            }
        }
        (Ok(n), Some(why)) => panic!("emit accepted an invalid message ({why}), {n} bytes"),
        (Err(e), None) => panic!("emit refused a valid message: {e}"),
        (Err(e), Some(_)) => {
            let _ = e.to_string();
            assert!(buf.iter().all(|&b| b == 0xC3), "a refused emit wrote");
        }
    }
}

/// Descriptor fields as a caller gives them, possibly out of range.
#[derive(Debug, Clone, Copy, arbitrary::Arbitrary)]
pub struct FieldValues {
    /// Index (X).
    pub index: u8,
    /// Address.
    pub address: u64,
    /// Size.
    pub size: u64,
    /// Mode (A/B/W).
    pub mode: u8,
    /// Reserved bits.
    pub reserved: u32,
    /// Which of the bits to keep in range (so that most values fit).
    pub narrow: u8,
}

impl FieldValues {
    /// Narrows some fields into range so both outcomes are common.
    pub fn narrowed(mut self) -> Self {
        if self.narrow & 1 != 0 {
            self.index &= 0xF;
        }
        if self.narrow & 2 != 0 {
            self.address &= limits::ADDRESS_MAX;
        }
        if self.narrow & 4 != 0 {
            self.size &= limits::BUFFER_SIZE_MAX;
        }
        if self.narrow & 8 != 0 {
            self.size &= limits::POINTER_SIZE_MAX;
        }
        if self.narrow & 16 != 0 {
            self.mode &= 3;
        }
        if self.narrow & 32 != 0 {
            self.reserved &= hipc::field::pointer::RESERVED_MASK
                | hipc::field::buffer::RESERVED_MASK
                | hipc::field::receive::RESERVED_MASK;
        }
        self
    }
}

/// The descriptor constructors accept exactly the values that fit their fields, and
/// the getters give those values back.
pub fn check_constructors(v: FieldValues) {
    let v = v.narrowed();
    let addr_ok = v.address <= limits::ADDRESS_MAX;
    // X.
    let fits = v.index <= 15 && addr_ok && v.size <= limits::POINTER_SIZE_MAX;
    match PointerDescriptor::new(v.address, v.size, v.index) {
        Ok(x) => {
            assert!(fits, "X accepted {v:?}");
            assert_eq!(
                (x.index(), x.address(), x.size(), x.reserved()),
                (v.index, v.address, v.size, 0)
            );
            let mask = hipc::field::pointer::RESERVED_MASK;
            match x.with_reserved(v.reserved) {
                Ok(r) => {
                    assert_eq!(v.reserved & !mask, 0);
                    assert_eq!(
                        (r.index(), r.address(), r.size(), r.reserved()),
                        (x.index(), x.address(), x.size(), v.reserved)
                    );
                }
                Err(_) => assert_ne!(v.reserved & !mask, 0),
            }
        }
        Err(_) => assert!(!fits, "X refused {v:?}"),
    }
    // A/B/W.
    let fits = addr_ok && v.size <= limits::BUFFER_SIZE_MAX && v.mode <= 3;
    match hipc::BufferAttribute::from_bits(v.mode)
        .and_then(|m| BufferDescriptor::new(v.address, v.size, m))
    {
        Ok(b) => {
            assert!(fits, "A/B/W accepted {v:?}");
            assert_eq!(
                (b.address(), b.size(), b.mode(), b.reserved()),
                (v.address, v.size, v.mode, 0)
            );
            let mask = hipc::field::buffer::RESERVED_MASK;
            match b.with_reserved(v.reserved) {
                Ok(r) => {
                    assert_eq!(v.reserved & !mask, 0);
                    assert_eq!(
                        (r.address(), r.size(), r.mode(), r.reserved()),
                        (b.address(), b.size(), b.mode(), v.reserved)
                    );
                }
                Err(_) => assert_ne!(v.reserved & !mask, 0),
            }
        }
        Err(_) => assert!(!fits, "A/B/W refused {v:?}"),
    }
    // C.
    let fits = addr_ok && v.size <= limits::POINTER_SIZE_MAX;
    match ReceiveListEntry::new(v.address, v.size) {
        Ok(c) => {
            assert!(fits, "C accepted {v:?}");
            assert_eq!(
                (c.address(), c.size(), c.reserved()),
                (v.address, v.size, 0)
            );
            let mask = hipc::field::receive::RESERVED_MASK;
            match c.with_reserved(v.reserved) {
                Ok(r) => {
                    assert_eq!(v.reserved & !mask, 0);
                    assert_eq!(
                        (r.address(), r.size(), r.reserved()),
                        (c.address(), c.size(), v.reserved)
                    );
                }
                Err(_) => assert_ne!(v.reserved & !mask, 0),
            }
        }
        Err(_) => assert!(!fits, "C refused {v:?}"),
    }
}

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
